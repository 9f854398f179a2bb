using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Dashboard.Contracts;

namespace Ops.Dashboard.Grains;

/// <summary>
/// Collects what the dispatcher's rounds changed and publishes it to the change feed every
/// <see cref="FlushEvery"/>: each queue and agent once per batch however often it changed, and an
/// empty batch as a heartbeat when nothing did.
/// </summary>
public sealed class ChangePublisher(
    IGrainFactory grains, TimeProvider time, IOptions<ChangeFeedOptions> options, ILogger<ChangePublisher> logger) : BackgroundService
{
    private TimeSpan FlushEvery => TimeSpan.FromMilliseconds(options.Value.FlushMilliseconds);
    private TimeSpan HeartbeatEvery => TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);

    private readonly object _gate = new();
    private HashSet<string> _queues = [];
    private Dictionary<string, AgentSummary> _agents = [];
    private long _appliedSeq;
    private Dictionary<string, AgentCounts> _publishedCounts = [];

    /// <summary>Called by the dispatcher after each round.</summary>
    public void Note(long appliedSeq, IEnumerable<string> queues, IEnumerable<AgentSummary> agents)
    {
        lock (_gate)
        {
            _appliedSeq = appliedSeq;
            _queues.UnionWith(queues);
            foreach (var a in agents) _agents[a.Id] = a;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushEvery, time);
        var lastPublished = time.GetTimestamp();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await FlushAsync(force: time.GetElapsedTime(lastPublished) >= HeartbeatEvery))
                    lastPublished = time.GetTimestamp();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Publishing live changes failed; retrying on the next tick");
            }
        }
    }

    /// <summary>Publishes pending changes (or a heartbeat when forced); true when something was published.</summary>
    public async Task<bool> FlushAsync(bool force = false)
    {
        HashSet<string> queues;
        Dictionary<string, AgentSummary> agents;
        long seq;
        lock (_gate)
        {
            if (!force && _queues.Count == 0 && _agents.Count == 0) return false;
            (queues, _queues) = (_queues, []);
            (agents, _agents) = (_agents, []);
            seq = _appliedSeq;
        }

        var live = new List<QueueLive>();
        if (queues.Count > 0 || agents.Count > 0)
        {
            var counts = await grains.GetGrain<IAgentDirectoryGrain>(0).CountsByQueueAsync();
            // Queues whose agents changed state count as changed too.
            foreach (var (queue, c) in counts)
                if (!_publishedCounts.TryGetValue(queue, out var old) || old != c) queues.Add(queue);
            foreach (var queue in _publishedCounts.Keys.Where(q => !counts.ContainsKey(q))) queues.Add(queue);
            _publishedCounts = counts.ToDictionary();
            var snapshots = await Task.WhenAll(queues.Select(q => grains.GetGrain<IQueueGrain>(q).GetSnapshotAsync()));
            live.AddRange(snapshots.Select(s => new QueueLive(s, counts.GetValueOrDefault(s.Queue) ?? AgentCounts.None)));
        }
        await grains.GetGrain<IChangeFeedGrain>(0).PublishAsync(new ChangeBatch(seq, time.GetUtcNow(), live, [.. agents.Values]));
        // Alarm rules look at what the floor does now; heartbeats keep time-based rules ticking too.
        try
        {
            await grains.GetGrain<IAlarmGrain>(0).ObserveAsync(live);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Evaluating the alarm rules failed");
        }
        return true;
    }
}

/// <summary>Section "ChangeFeed": how often changes are published, and the heartbeat when nothing changes.</summary>
public sealed class ChangeFeedOptions
{
    public int FlushMilliseconds { get; set; } = 200;

    /// <summary>Screens call the data stale after 10 s without any message, so keep this well below 10.</summary>
    public int HeartbeatSeconds { get; set; } = 2;
}
