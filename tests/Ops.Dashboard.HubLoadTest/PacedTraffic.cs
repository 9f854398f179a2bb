using System.Diagnostics;

namespace Ops.Dashboard.HubLoadTest;

/// <summary>
/// One new waiting contact per queue every 1/rate s, the queues staggered evenly over the period, so
/// each queue changes <c>rate</c> times a second and its waiting count rises by one each time. The
/// start of every POST is recorded (Stopwatch timestamp), so a client that sees waiting = base + k
/// knows when the change it shows was posted.
/// </summary>
public sealed class PacedTraffic(IReadOnlyList<string> queues, double rate, EventPoster poster)
{
    private readonly long[][] _postStart = [.. queues.Select(_ => new long[1024])];
    private readonly long[] _posted = new long[queues.Count];

    public IReadOnlyList<string> Queues { get; } = queues;
    public double Rate { get; } = rate;
    public TimeSpan Period => TimeSpan.FromSeconds(1 / Rate);

    /// <summary>How many changes of queue <paramref name="q"/> have been started.</summary>
    public long Posted(int q) => Volatile.Read(ref _posted[q]);

    /// <summary>The Stopwatch timestamp at which the POST of change <paramref name="k"/> (1-based) of queue <paramref name="q"/> started; 0 if not yet.</summary>
    public long PostStart(int q, long k)
    {
        var a = Volatile.Read(ref _postStart[q]);
        return k >= 1 && k < a.Length ? Volatile.Read(ref a[k]) : 0;
    }

    /// <summary>Runs for <paramref name="duration"/>; ticks that fall behind are posted at once (not skipped).</summary>
    public async Task RunAsync(TimeSpan duration, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        var ticks = (long)Math.Ceiling(duration.TotalSeconds * Rate);
        foreach (var (a, q) in _postStart.Select((a, q) => (a, q)))
        {
            if (a.Length <= ticks + 1) _postStart[q] = new long[ticks + 2];
        }
        await Task.WhenAll(Queues.Select((queue, q) => Task.Run(async () =>
        {
            var offset = Period * q / Queues.Count;
            for (long k = 1; k <= ticks; k++)
            {
                var due = offset + Period * (k - 1);
                var wait = due - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
                Volatile.Write(ref _postStart[q][k], Stopwatch.GetTimestamp());
                Volatile.Write(ref _posted[q], k);
                await poster.PostContactAsync(queue, k, ct);
            }
        }, ct)));
    }
}
