namespace Ops.Dashboard.Web.Components;

/// <summary>
/// Runs an action at most once per interval: a request inside the interval is deferred to its end
/// (never dropped), and any number of requests meanwhile run it once. Timed by a
/// <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </summary>
public sealed class Throttle : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Func<Task> _action;
    private readonly Action<Exception>? _onError;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private bool _pending;
    private bool _disposed;
    private DateTimeOffset _last = DateTimeOffset.MinValue;

    public Throttle(TimeProvider time, TimeSpan interval, Func<Task> action, Action<Exception>? onError = null)
    {
        _time = time;
        _interval = interval;
        _action = action;
        _onError = onError;
    }

    public void Request()
    {
        lock (_gate)
        {
            if (_disposed || _pending) return;
            var now = _time.GetUtcNow();
            var due = _last == DateTimeOffset.MinValue ? TimeSpan.Zero : _last + _interval - now;
            if (due > TimeSpan.Zero)
            {
                _pending = true;
                _timer ??= _time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(due, Timeout.InfiniteTimeSpan);
                return;
            }
            _last = now;
        }
        Run();
    }

    private void Fire()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _pending = false;
            _last = _time.GetUtcNow();
        }
        Run();
    }

    private async void Run()
    {
        try
        {
            await _action();
        }
        catch (ObjectDisposedException)
        {
            // The screen went away between the request and the run.
        }
        catch (Exception ex)
        {
            // A failed render or refresh is retried by the next request; it must not crash the timer thread.
            _onError?.Invoke(ex);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }
}
