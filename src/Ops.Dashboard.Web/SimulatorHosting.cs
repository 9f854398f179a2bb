using Microsoft.Extensions.Options;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Grains;
using Ops.Dashboard.Simulator;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>The built-in simulator in demo mode: it feeds the same parser and ingestion as any HTTP source.</summary>
public static class SimulatorHosting
{
    public static WebApplicationBuilder AddOpsSimulator(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IEventSink, InProcessEventSink>();
        builder.Services.AddSingleton<IPostConfigureOptions<SimulatorOptions>, SiteSimulatorOptions>();
        if (builder.Configuration.GetValue<bool>("Simulator:Enabled"))
            builder.Services.AddHostedService<SimulatorRestart>(); // registered first: it must finish before the simulator starts
        builder.Services.AddOpsSimulator(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Simulates the site's queues in the site's time zone (unless the Simulator section names its own),
    /// and generates history only into an empty event log: a restart must not add a second history.
    /// </summary>
    private sealed class SiteSimulatorOptions(OpsOptions site, EventLog log) : IPostConfigureOptions<SimulatorOptions>
    {
        public void PostConfigure(string? name, SimulatorOptions options)
        {
            options.TimeZoneId = site.Site.TimeZoneId;
            if (options.HistoryWeeks > 0 && log.MaxSeqAsync().GetAwaiter().GetResult() > 0)
                options.HistoryWeeks = 0;
            if (options.Queues.Count > 0) return;
            // Known demo queues keep their realistic volumes and handle times; others get channel defaults.
            options.Queues = [.. site.Queues.Select(q =>
            {
                var known = SimulatorOptions.DefaultQueues.FirstOrDefault(d => d.Id == q.Id);
                return new SimQueue
                {
                    Id = q.Id,
                    Channel = q.ChannelKind,
                    DailyVolume = known?.DailyVolume,
                    MeanHandleSeconds = known?.MeanHandleSeconds,
                    MedianHandleSeconds = known?.MedianHandleSeconds,
                    TargetSeconds = q.SlThresholdSeconds,
                };
            })];
        }
    }
}

/// <summary>
/// When the demo restarts on an existing database, the previous simulator run's calls still wait and
/// its agents still show their last state. Like a real ACD restart, that run ends: its waiting
/// contacts are dropped (abandoned) and its agents logged out, through the normal ingestion path.
/// </summary>
public sealed class SimulatorRestart(
    EventDispatcher dispatcher, IGrainFactory grains, OpsOptions options, IngestionService ingestion,
    TimeProvider time, ILogger<SimulatorRestart> logger) : BackgroundService
{
    private const string SimulatorIdPrefix = "sim-";
    // Stamped before the new run starts, so the new run's first events come after the cleanup in event time.
    private readonly DateTimeOffset _endOfPreviousRun = time.GetUtcNow().AddMilliseconds(-1);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        try
        {
            await CloseAsync(ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Demo housekeeping must never take the dashboard down.
            logger.LogWarning(ex, "Could not close the previous simulator run");
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CloseAsync(CancellationToken ct)
    {
        await dispatcher.Recovered.WaitAsync(ct);
        var key = _endOfPreviousRun.ToUnixTimeMilliseconds();
        var events = new List<OpsEvent>();
        foreach (var queue in options.Queues)
            foreach (var w in await grains.GetGrain<IQueueGrain>(queue.Id).GetWaitingAsync())
                if (w.ContactId.StartsWith(SimulatorIdPrefix, StringComparison.Ordinal) && w.Since < _endOfPreviousRun)
                    events.Add(new OpsEvent { Id = $"sim-restart-{key}-{w.ContactId}", Type = EventType.ContactAbandoned, At = _endOfPreviousRun, ContactId = w.ContactId });
        foreach (var agent in await grains.GetGrain<IAgentDirectoryGrain>(0).ListAsync())
            if (agent.State != AgentState.Offline && agent.StateSince < _endOfPreviousRun)
                events.Add(new OpsEvent { Id = $"sim-restart-{key}-{agent.Id}", Type = EventType.AgentState, At = _endOfPreviousRun, AgentId = agent.Id, State = AgentState.Offline });
        if (events.Count == 0) return;
        await ingestion.IngestAsync(events, ct);
        logger.LogInformation("Simulator restart: closed {Count} contacts and agent states of the previous run", events.Count);
    }
}

/// <summary>
/// Serialises the simulator's events to contract-v1 JSON and runs them through the same parser and
/// ingestion as POST /api/v1/events, so the demo exercises exactly what a real source does.
/// </summary>
public sealed class InProcessEventSink(IngestionService ingestion, OpsOptions options) : IEventSink
{
    public async Task SendAsync(IReadOnlyList<OpsEvent> events, CancellationToken ct)
    {
        var parsed = EventParser.Parse(ContractJson.SerializeToUtf8Bytes(events), q => options.FindQueue(q) is not null);
        if (!parsed.Ok)
            throw new EventSinkException(string.Join("; ", parsed.Errors.Take(5).Select(e => $"events[{e.Index}].{e.Field}: {e.Message}")), 400);
        await ingestion.IngestAsync(parsed.Events, ct, SourceName);
    }

    public const string SourceName = "simulator";
}
