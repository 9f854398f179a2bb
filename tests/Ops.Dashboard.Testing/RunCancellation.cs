using System.Runtime.InteropServices;

namespace Ops.Dashboard.Testing;

/// <summary>
/// Cancels a benchmark run on the first Ctrl+C, SIGTERM or SIGHUP (a closed terminal, a CI timeout),
/// so the run can stop the server it started and remove its temp files; a second Ctrl+C ends the process.
/// </summary>
public sealed class RunCancellation : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _hup;

    public RunCancellation()
    {
        Console.CancelKeyPress += OnCancelKey;
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
    }

    public CancellationToken Token => _cts.Token;

    public bool IsCancellationRequested => _cts.IsCancellationRequested;

    private void OnCancelKey(object? sender, ConsoleCancelEventArgs e)
    {
        if (_cts.IsCancellationRequested) return;
        e.Cancel = true;
        Console.Error.WriteLine("cancelling …");
        _cts.Cancel();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (_cts.IsCancellationRequested) return;
        Console.Error.WriteLine($"{context.Signal}: stopping …");
        _cts.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKey;
        _term.Dispose();
        _hup.Dispose();
        _cts.Dispose();
    }
}
