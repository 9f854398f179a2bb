using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>
/// Live mode: first catches the engine up to now (the history, sent as fast as the sink takes it),
/// then every 250 ms advances it to the current time (scaled by the speed factor) and sends the
/// new events. A failing sink never stops the simulation or the host: events stay queued, in order,
/// and are retried with backoff.
/// </summary>
public sealed class SimulatorService(
    SimulationEngine engine,
    IEventSink sink,
    IOptions<SimulatorOptions> options,
    TimeProvider time,
    ILogger<SimulatorService> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FlushOnStop = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Hand the host its start-up thread back before the CPU-bound catch-up.
        await Task.Yield();
        var pending = new List<OpsEvent>();
        try
        {
            await CatchUpAsync(stoppingToken).ConfigureAwait(false);
            await RunLiveAsync(pending, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await FlushAsync(pending).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The dashboard must keep running even if the demo traffic cannot.
            logger.LogError(ex, "Simulator stopped after an unexpected error");
        }
    }

    private async Task CatchUpAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (engine.Now >= now - Tick)
        {
            return;
        }
        logger.LogInformation("Simulator generating history from {Start} to {End}", engine.Now, now);
        var history = new HistoryGenerator(engine, new RetryingSink(sink, logger, time), options.Value.BatchSize);
        var sent = await history.RunAsync(now, ct).ConfigureAwait(false);
        logger.LogInformation("Simulator sent {Count} history events", sent);
    }

    private async Task RunLiveAsync(List<OpsEvent> pending, CancellationToken ct)
    {
        var speed = options.Value.SpeedFactor;
        var batchSize = options.Value.BatchSize;
        var wallAnchor = time.GetUtcNow();
        var simAnchor = engine.Now > wallAnchor ? engine.Now : wallAnchor;
        var failures = 0;
        var retryAt = DateTimeOffset.MinValue;
        logger.LogInformation("Simulator live from {Start} at speed {Speed}", simAnchor, speed);

        using var timer = new PeriodicTimer(Tick, time);
        do
        {
            var wall = time.GetUtcNow();
            pending.AddRange(engine.AdvanceTo(simAnchor + (wall - wallAnchor) * speed));
            if (pending.Count == 0 || wall < retryAt)
            {
                continue;
            }
            try
            {
                while (pending.Count > 0)
                {
                    var count = Math.Min(batchSize, pending.Count);
                    await sink.SendAsync(pending.GetRange(0, count), ct).ConfigureAwait(false);
                    pending.RemoveRange(0, count);
                }
                failures = 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                failures++;
                var backoff = Backoff(failures);
                retryAt = wall + backoff;
                logger.Log(failures <= 3 ? LogLevel.Warning : LogLevel.Error, ex,
                    "Simulator could not deliver {Count} events (failure {Failures}); retrying in {Backoff}", pending.Count, failures, backoff);
            }
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    /// <summary>One last attempt on shutdown so a clean stop does not drop the final seconds.</summary>
    private async Task FlushAsync(List<OpsEvent> pending)
    {
        if (pending.Count == 0)
        {
            return;
        }
        using var cts = new CancellationTokenSource(FlushOnStop, time);
        try
        {
            await sink.SendAsync(pending, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Simulator dropped {Count} undelivered events on shutdown", pending.Count);
        }
    }

    private static TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks(Math.Min(Tick.Ticks * (1L << Math.Min(failures, 16)), MaxBackoff.Ticks));

    /// <summary>Keeps retrying a history batch until it is delivered or the host stops.</summary>
    private sealed class RetryingSink(IEventSink inner, ILogger logger, TimeProvider time) : IEventSink
    {
        public async Task SendAsync(IReadOnlyList<OpsEvent> events, CancellationToken ct)
        {
            for (var failures = 1; ; failures++)
            {
                try
                {
                    await inner.SendAsync(events, ct).ConfigureAwait(false);
                    return;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    var backoff = Backoff(failures);
                    logger.Log(failures <= 3 ? LogLevel.Warning : LogLevel.Error, ex,
                        "Simulator could not deliver {Count} history events (failure {Failures}); retrying in {Backoff}", events.Count, failures, backoff);
                    await Task.Delay(backoff, time, ct).ConfigureAwait(false);
                }
            }
        }
    }
}
