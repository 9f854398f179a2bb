using System.Collections.Concurrent;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Grains;

namespace Ops.Dashboard.Web;

/// <summary>One batch of changes as the screens see it.</summary>
/// <param name="PreviousAgentQueues">For agents whose queues changed: the queues they served before, whose screens must drop them.</param>
/// <param name="Alarms">Alarm changes (raised, acknowledged, escalated, cleared) in this batch.</param>
public sealed record LiveChange(
    IReadOnlyList<QueueDto> Queues, IReadOnlyList<AgentDto> Agents, long AppliedSeq, DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? PreviousAgentQueues = null,
    IReadOnlyList<AlarmUpdate>? Alarms = null)
{
    /// <summary>Nothing changed: a heartbeat.</summary>
    public bool IsHeartbeat => Queues.Count == 0 && Agents.Count == 0 && (Alarms?.Count ?? 0) == 0;
}

/// <summary>
/// This node's latest figures and the fan-out point for its screens: Blazor components and the
/// SignalR bridge subscribe here (and dispose the subscription); the feed observer writes here.
/// </summary>
public sealed class LiveFeed(ReadModel read, TimeProvider time, ILogger<LiveFeed> logger) : ILiveFigures
{
    private readonly ConcurrentDictionary<string, QueueDto> _queues = new();
    private readonly ConcurrentDictionary<string, AgentDto> _agents = new();
    private readonly ConcurrentDictionary<string, AlarmView> _alarms = new();
    private readonly object _subscribersGate = new();
    private ImmutableSubscribers _subscribers = ImmutableSubscribers.Empty;
    private long _lastUpdateTicks;

    public IReadOnlyCollection<QueueDto> Queues => [.. _queues.Values];

    public IReadOnlyCollection<AgentDto> Agents => [.. _agents.Values];

    public QueueDto? Queue(string id) => _queues.GetValueOrDefault(id);

    /// <summary>The active alarms, oldest first.</summary>
    public IReadOnlyCollection<AlarmView> Alarms => [.. _alarms.Values.OrderBy(a => a.RaisedAt).ThenBy(a => a.Id, StringComparer.Ordinal)];

    /// <summary>When the last batch (or heartbeat) arrived; null before the first one.</summary>
    public DateTimeOffset? LastUpdateAt => Interlocked.Read(ref _lastUpdateTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    public long AppliedSeq { get; private set; }

    /// <summary>Subscribes to every change; dispose the result to stop.</summary>
    public IDisposable Subscribe(Func<LiveChange, Task> onChange)
    {
        var subscription = new Subscription(this, onChange);
        lock (_subscribersGate) _subscribers = _subscribers.Add(subscription);
        return subscription;
    }

    /// <summary>Fills the figures from the grains, so a screen opened before the first batch is right at once.</summary>
    public async Task LoadAsync()
    {
        var queues = await read.QueuesAsync();
        var agents = await read.AgentsAsync();
        var alarms = await read.ActiveAlarmsAsync();
        foreach (var q in queues) _queues[q.Id] = q;
        foreach (var a in agents) _agents[a.Id] = a;
        foreach (var a in alarms) _alarms[a.Id] = a;
        await PublishAsync(new LiveChange(queues, agents, AppliedSeq, time.GetUtcNow()));
    }

    /// <summary>Applies a batch from the change feed and tells every subscriber.</summary>
    public Task ApplyAsync(ChangeBatch batch)
    {
        var (rolledQueues, rolledAgents) = RollOverDay();
        var queues = batch.Queues.Select(read.ToDto).OfType<QueueDto>().ToList();
        var today = read.Today;
        var agents = batch.Agents.Select(a => read.ToDto(a, today)).ToList();
        var previous = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var a in agents)
            if (_agents.TryGetValue(a.Id, out var old) && !old.Queues.SequenceEqual(a.Queues)) previous[a.Id] = old.Queues;
        foreach (var q in queues) _queues[q.Id] = q;
        foreach (var a in agents) _agents[a.Id] = a;
        var alarms = batch.Alarms ?? [];
        foreach (var change in alarms)
        {
            if (change.Alarm.Active) _alarms[change.Alarm.Id] = change.Alarm;
            else _alarms.TryRemove(change.Alarm.Id, out _);
        }
        // Alarm batches come from the alarm grain with seq 0: the feed's seq never goes back.
        AppliedSeq = Math.Max(AppliedSeq, batch.AppliedSeq);
        return PublishAsync(new LiveChange(
            [.. queues, .. rolledQueues.Where(r => queues.All(q => q.Id != r.Id))],
            [.. agents, .. rolledAgents.Where(r => agents.All(a => a.Id != r.Id))],
            AppliedSeq, time.GetUtcNow(), previous, alarms));
    }

    private DateOnly? _day;

    /// <summary>
    /// At the site's midnight "today" starts again. A queue or agent that did nothing since then has
    /// no batch to bring its new figures, but they are known: nothing happened, so zero. Heartbeats
    /// arrive every few seconds, so the rollover is seconds after midnight even on a quiet floor.
    /// </summary>
    private (List<QueueDto> Queues, List<AgentDto> Agents) RollOverDay()
    {
        var today = read.Today;
        if (_day is null || _day == today)
        {
            _day = today;
            return ([], []);
        }
        _day = today;
        var (start, end) = read.DayBounds(today);
        var empty = IntervalDto.From(start, end, Domain.IntervalCounters.Zero);
        var queues = _queues.Values.Where(q => q.Today.Start < start).Select(q => q with { Today = empty }).ToList();
        var agents = _agents.Values.Where(a => a.HandledToday != 0 || a.HandleSecondsToday != 0)
            .Select(a => a with { HandledToday = 0, HandleSecondsToday = 0 }).ToList();
        foreach (var q in queues) _queues[q.Id] = q;
        foreach (var a in agents) _agents[a.Id] = a;
        return (queues, agents);
    }

    private async Task PublishAsync(LiveChange change)
    {
        Interlocked.Exchange(ref _lastUpdateTicks, change.ReceivedAt.UtcTicks);
        // Concurrently, so one slow screen does not delay the others; one broken screen does not stop them.
        await Task.WhenAll(_subscribers.Items.Select(async s =>
        {
            try
            {
                await s.Handler(change);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A live-feed subscriber failed");
            }
        }));
    }

    private void Remove(Subscription s)
    {
        lock (_subscribersGate) _subscribers = _subscribers.Remove(s);
    }

    private sealed class Subscription(LiveFeed feed, Func<LiveChange, Task> handler) : IDisposable
    {
        public Func<LiveChange, Task> Handler { get; } = handler;

        public void Dispose() => feed.Remove(this);
    }

    /// <summary>Copy-on-write list: publishing iterates without a lock while screens come and go.</summary>
    private sealed record ImmutableSubscribers(Subscription[] Items)
    {
        public static readonly ImmutableSubscribers Empty = new([]);
        public ImmutableSubscribers Add(Subscription s) => new([.. Items, s]);
        public ImmutableSubscribers Remove(Subscription s) => new([.. Items.Where(i => i != s)]);
    }
}

/// <summary>This node's observer of the change feed.</summary>
public sealed class LiveFeedObserver(LiveFeed feed) : ILiveFeedObserver
{
    public Task OnChangesAsync(ChangeBatch batch) => feed.ApplyAsync(batch);
}

/// <summary>Keeps this node subscribed to the change feed (renewing before expiry) and unsubscribes on stop.</summary>
public sealed class LiveFeedSubscription(
    IGrainFactory grains, LiveFeed feed, EventDispatcher dispatcher, ILogger<LiveFeedSubscription> logger) : BackgroundService
{
    private static readonly TimeSpan Renew = ChangeFeedGrain.Expiry / 3;
    // Held here: the runtime keeps only a weak reference to an observer object.
    private readonly LiveFeedObserver _observer = new(feed);
    private ILiveFeedObserver? _reference;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await dispatcher.Recovered.WaitAsync(stoppingToken);
        _reference = grains.CreateObjectReference<ILiveFeedObserver>(_observer);
        var loaded = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<IChangeFeedGrain>(0).SubscribeAsync(_reference);
                if (!loaded)
                {
                    await feed.LoadAsync();
                    loaded = true;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Subscribing to the change feed failed; retrying");
            }
            await Task.Delay(loaded ? Renew : TimeSpan.FromSeconds(1), stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_reference is not null)
        {
            try
            {
                await grains.GetGrain<IChangeFeedGrain>(0).UnsubscribeAsync(_reference);
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Unsubscribe on stop failed; the subscription expires by itself");
            }
            try
            {
                grains.DeleteObjectReference<ILiveFeedObserver>(_reference);
            }
            catch (ArgumentException ex)
            {
                // The runtime may already have let go of it while shutting down.
                logger.LogDebug(ex, "Observer reference already released");
            }
        }
        await base.StopAsync(cancellationToken);
    }
}
