using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>
/// Runs an engine up to a point in time as fast as the CPU allows and delivers the events in
/// batches, for backfilling weeks of history before going live.
/// </summary>
public sealed class HistoryGenerator(SimulationEngine engine, IEventSink sink, int batchSize = 2000)
{
    /// <summary>Simulated time per engine step; small enough to keep the buffer near one batch.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromHours(1);

    /// <summary>Advances the engine to <paramref name="end"/>, sending every event; returns how many were sent.</summary>
    public async Task<long> RunAsync(DateTimeOffset end, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var buffer = new List<OpsEvent>(batchSize * 2);
        long sent = 0;
        for (var t = engine.Now; t < end;)
        {
            ct.ThrowIfCancellationRequested();
            t = t + Step < end ? t + Step : end;
            buffer.AddRange(engine.AdvanceTo(t));
            while (buffer.Count >= batchSize)
            {
                await sink.SendAsync(buffer.GetRange(0, batchSize), ct).ConfigureAwait(false);
                buffer.RemoveRange(0, batchSize);
                sent += batchSize;
            }
        }
        if (buffer.Count > 0)
        {
            await sink.SendAsync(buffer.ToArray(), ct).ConfigureAwait(false);
            sent += buffer.Count;
        }
        return sent;
    }
}
