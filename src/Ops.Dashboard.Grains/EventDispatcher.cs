using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Grains;

/// <summary>
/// Feeds stored events to the grains in log order, one round at a time. A round covers the log
/// range (FromSeq, ToSeq] and runs in phases: agents first (their state changes decide handle
/// times), then contacts (which return counter deltas and facts), then queues, agents' links and
/// shifts, then the agent directory. Every few seconds it checkpoints the grains it touched and
/// advances the recovery point; after a crash it replays the log from there.
/// </summary>
public sealed class EventDispatcher(
    IGrainFactory grains,
    EventLog log,
    IntervalStore intervals,
    RecoveryPointStore recoveryPoint,
    SiteClock clock,
    OpsOptions options,
    TimeProvider time,
    ChangePublisher publisher,
    ILogger<EventDispatcher> logger) : BackgroundService
{
    public const int MaxRoundEvents = 16000;
    // Checkpoints no longer hold the grains up, but each costs CPU (every touched agent's state written);
    // a restart replays at most this much of the log.
    private static readonly TimeSpan CheckpointEvery = TimeSpan.FromSeconds(10);
    private const int CheckpointWriters = 4;
    // A round costs per grain it calls more than per event, so under load rounds start at most this often
    // and take what arrived meanwhile: 1,000-event rounds cost about a third more CPU per event.
    private static readonly TimeSpan MinRoundInterval = TimeSpan.FromMilliseconds(50);

    private readonly System.Threading.Channels.Channel<IReadOnlyList<OpsEvent>> _incoming = System.Threading.Channels.Channel.CreateUnbounded<IReadOnlyList<OpsEvent>>(
        new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _waitersGate = new();
    private readonly List<(long Seq, TaskCompletionSource Done)> _waiters = [];
    private Touched _touched = new();
    private Task _checkpoint = Task.CompletedTask;
    private Touched? _failedCheckpoint;
    private long _appliedSeq;
    // The recovery point as last stored: a restart replays only the rounds after it.
    private long _durableSeq;
    // Per agent, the latest time of its state changes applied so far (an upper bound): the contacts' hint.
    private Dictionary<string, DateTimeOffset> _latestAgentState = new(StringComparer.Ordinal);
    private long _loggedSeq;
    private readonly GrainReferences<string, IAgentGrain> _agents = new(id => grains.GetGrain<IAgentGrain>(id));
    private readonly GrainReferences<long, IContactShardGrain> _shards = new(shard => grains.GetGrain<IContactShardGrain>(shard));
    private readonly GrainReferences<string, IQueueGrain> _queues = new(queue => grains.GetGrain<IQueueGrain>(queue));
    private readonly GrainReferences<string, IShiftGrain> _shifts = new(key => grains.GetGrain<IShiftGrain>(key));

    /// <summary>The highest log seq whose effects are visible in the grains.</summary>
    public long AppliedSeq => Interlocked.Read(ref _appliedSeq);

    /// <summary>The highest log seq handed to the dispatcher (stored durably).</summary>
    public long LoggedSeq => Math.Max(Interlocked.Read(ref _loggedSeq), AppliedSeq);

    public Task Recovered => _recovered.Task;

    /// <summary>
    /// Whether the latest rounds replay the past (a history import, a backfill, recovery): a round
    /// within <paramref name="recent"/> whose newest event is older than <paramref name="behind"/>.
    /// Live figures then describe a past moment, and alarms must not judge them against now.
    /// </summary>
    public bool IsReplaying(DateTimeOffset now, TimeSpan recent, TimeSpan behind)
    {
        var round = Interlocked.Read(ref _lastRoundAtTicks);
        var latest = Interlocked.Read(ref _lastRoundLatestEventTicks);
        return round > 0 && now.UtcTicks - round < recent.Ticks && latest < (now - behind).UtcTicks;
    }

    private long _lastRoundAtTicks;
    private long _lastRoundLatestEventTicks;

    /// <summary>Hands newly stored events over; call in log order (the ingestion holds its append lock).</summary>
    public void Enqueue(IReadOnlyList<OpsEvent> stored)
    {
        if (stored.Count == 0) return;
        InterlockedMax(ref _loggedSeq, stored[^1].Seq);
        _incoming.Writer.TryWrite(stored);
    }

    /// <summary>Completes once every event up to <paramref name="seq"/> has been applied.</summary>
    public Task WaitForAsync(long seq, CancellationToken ct = default)
    {
        lock (_waitersGate)
        {
            if (AppliedSeq >= seq) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((seq, done));
            return done.Task.WaitAsync(ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RecoverAsync(stoppingToken);
            _recovered.TrySetResult();
            var lastCheckpoint = time.GetTimestamp();
            var round = new List<OpsEvent>(MaxRoundEvents);
            Task? checkpointDue = null;
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!_incoming.Reader.TryPeek(out _))
                {
                    // Nothing queued: sleep until events come or a checkpoint may start (due, and the last one
                    // done). Looping without a wait while a long checkpoint ran kept a thread spinning.
                    var due = CheckpointEvery - time.GetElapsedTime(lastCheckpoint);
                    var timer = due > TimeSpan.Zero ? checkpointDue ??= Task.Delay(due, time, stoppingToken) : _checkpoint;
                    var wait = _incoming.Reader.WaitToReadAsync(stoppingToken).AsTask();
                    if (!timer.IsCompleted && await Task.WhenAny(wait, timer) == wait && !await wait)
                        break;
                }
                // Coalesce whatever has queued up into rounds of bounded size.
                while (round.Count < MaxRoundEvents && _incoming.Reader.TryRead(out var batch))
                    round.AddRange(batch.Where(e => e.Seq > AppliedSeq));
                if (round.Count > 0)
                {
                    // Wall time, not the site's clock: this paces CPU use.
                    var roundStart = System.Diagnostics.Stopwatch.GetTimestamp();
                    await DispatchAsync(round, AppliedSeq, stoppingToken);
                    round.Clear();
                    var rest = MinRoundInterval - System.Diagnostics.Stopwatch.GetElapsedTime(roundStart);
                    if (rest > TimeSpan.Zero) await Task.Delay(rest, stoppingToken);
                }
                // Checkpoints run beside dispatch (grain turns keep each grain consistent), one at a time.
                if (time.GetElapsedTime(lastCheckpoint) >= CheckpointEvery && _checkpoint.IsCompleted)
                {
                    _checkpoint = CheckpointAsync(stoppingToken);
                    lastCheckpoint = time.GetTimestamp();
                    checkpointDue = null;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _recovered.TrySetException(ex);
            logger.LogCritical(ex, "Event dispatch stopped; figures are frozen at seq {Seq}", AppliedSeq);
            throw;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _checkpoint;
        // A clean stop checkpoints, so the next start has nothing to replay.
        if (_recovered.Task.IsCompletedSuccessfully)
            await CheckpointAsync(cancellationToken);
    }

    /// <summary>
    /// Replays the log after the recovery point. Rounds are cut at every queue's checkpointed seq so
    /// that each queue sees each round either wholly before or wholly after its checkpoint.
    /// </summary>
    private async Task RecoverAsync(CancellationToken ct)
    {
        var from = await recoveryPoint.ReadAsync(ct);
        _latestAgentState = await log.LatestAgentStateTimesAsync(from, ct);
        var cuts = new SortedSet<long>((await intervals.ReadProgressAsync(ct)).Values.Where(s => s > from));
        Interlocked.Exchange(ref _appliedSeq, from);
        Interlocked.Exchange(ref _durableSeq, from);
        var replayed = 0L;
        while (true)
        {
            var events = await log.ReadAfterAsync(AppliedSeq, MaxRoundEvents, ct);
            if (events.Count == 0) break;
            var start = 0;
            while (start < events.Count)
            {
                var end = start;
                var cut = cuts.GetViewBetween(AppliedSeq + 1, long.MaxValue).FirstOrDefault(long.MaxValue);
                while (end < events.Count && events[end].Seq <= cut) end++;
                if (end == start) end = start + 1;
                await DispatchAsync(events.Skip(start).Take(end - start).ToList(), AppliedSeq, ct);
                replayed += end - start;
                start = end;
            }
        }
        if (replayed > 0)
        {
            logger.LogInformation("Recovered: replayed {Count} events after seq {From}", replayed, from);
            await CheckpointAsync(ct);
        }
    }

    private async Task DispatchAsync(IReadOnlyList<OpsEvent> events, long fromSeq, CancellationToken ct)
    {
        var toSeq = events[^1].Seq;

        // Phase 1: agents. They say which contacts their state changes may concern.
        // Plain loops here and below: a round groups up to 20,000 events, and LINQ's groupings cost as much again.
        var agentEvents = new Dictionary<string, List<OpsEvent>>();
        var contactEvents = new Dictionary<string, List<OpsEvent>>();
        foreach (var e in events)
        {
            if (e.Type is EventType.AgentState or EventType.AgentQueues) AddTo(agentEvents, e.AgentId!, e);
            if (e.ContactId is not null) AddTo(contactEvents, e.ContactId, e);
        }
        var durableSeq = Interlocked.Read(ref _durableSeq);
        var agentResults = await Task.WhenAll(agentEvents.Select(async kv =>
            (Agent: kv.Key, Result: await _agents[kv.Key].ApplyEventsAsync(toSeq, durableSeq, kv.Value))));
        var summaries = new Dictionary<string, AgentSummary>();
        foreach (var (agent, result) in agentResults)
        {
            summaries[agent] = result.Summary;
            var stateEvents = agentEvents[agent].Where(e => e.Type == EventType.AgentState).ToList();
            foreach (var contact in result.AffectedContacts)
            {
                if (!contactEvents.TryGetValue(contact, out var list)) contactEvents[contact] = list = [];
                list.AddRange(stateEvents);
            }
        }

        // Phase 2: contacts, with hints that spare new contacts their log reads.
        var withEarlierEvents = await log.ContactsWithEventsUpToAsync(contactEvents.Keys, fromSeq, ct);
        // One call per shard: per-call overhead, not the contacts' own work, dominated a call per contact.
        var shardCalls = contactEvents
            .Select(kv => new ContactBatch(kv.Key, fromSeq, toSeq, kv.Value, !withEarlierEvents.Contains(kv.Key), AgentStateHints(kv.Value, agentEvents)))
            .GroupBy(b => ContactShards.Of(b.ContactId))
            .Select(g => _shards[g.Key].ApplyAsync(g.ToList()));
        var updates = (await Task.WhenAll(shardCalls)).SelectMany(u => u).ToList();
        foreach (var e in events)
            if (e.Type == EventType.AgentState && (!_latestAgentState.TryGetValue(e.AgentId!, out var at) || at < e.At))
                _latestAgentState[e.AgentId!] = e.At;

        // Phase 3: queues, agents' links, shifts.
        // Deltas of the same interval from different contacts are summed into one.
        var summed = new Dictionary<IntervalKey, IntervalCounters>();
        var facts = new Dictionary<string, List<WaitingFact>>();
        var links = new Dictionary<string, List<AgentLink>>();
        foreach (var u in updates)
        {
            foreach (var d in u.Deltas) summed[d.Key] = summed.TryGetValue(d.Key, out var sum) ? sum + d.Delta : d.Delta;
            foreach (var f in u.Waiting) AddTo(facts, f.Queue, f);
            foreach (var l in u.Links) AddTo(links, l.AgentId, l);
        }
        var deltas = new Dictionary<string, List<CounterDelta>>();
        foreach (var (key, delta) in summed)
            if (!delta.IsZero) AddTo(deltas, key.Queue, new CounterDelta(key, delta));
        var queueIds = deltas.Keys.Union(facts.Keys).ToList();
        var queueCalls = queueIds.Select(queue =>
        {
            _touched.Queues.Add(queue);
            return _queues[queue].ApplyAsync(new QueueBatch(
                fromSeq, toSeq, deltas.GetValueOrDefault(queue) ?? [], facts.GetValueOrDefault(queue) ?? []));
        }).ToList();
        var linkCalls = links.Select(async kv =>
            (Agent: kv.Key, Summary: await _agents[kv.Key].ApplyLinksAsync(toSeq, kv.Value))).ToList();
        var shiftCalls = ShiftPresence(events).Select(g =>
        {
            _touched.Shifts.Add(g.Key);
            return _shifts[g.Key].ApplyAsync(g.Value);
        }).ToList();
        await Task.WhenAll(queueCalls.Concat(shiftCalls));
        foreach (var (agent, summary) in await Task.WhenAll(linkCalls)) summaries[agent] = summary;

        // Phase 4: the floor.
        if (summaries.Count > 0)
            await grains.GetGrain<IAgentDirectoryGrain>(0).UpdateAsync([.. summaries.Values]);
        foreach (var agent in summaries.Keys) _touched.Agents.Add(agent);
        _touched.Directory |= summaries.Count > 0;

        Interlocked.Exchange(ref _appliedSeq, toSeq);
        var latestEvent = DateTimeOffset.MinValue;
        foreach (var e in events) if (e.At > latestEvent) latestEvent = e.At;
        Interlocked.Exchange(ref _lastRoundLatestEventTicks, latestEvent.UtcTicks);
        Interlocked.Exchange(ref _lastRoundAtTicks, time.GetUtcNow().UtcTicks);
        publisher.Note(toSeq, queueIds, summaries.Values);
        ReleaseWaiters();
    }

    private static void AddTo<TKey, T>(Dictionary<TKey, List<T>> groups, TKey key, T item) where TKey : notnull
    {
        if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
        list.Add(item);
    }

    /// <summary>
    /// For the agents named on a contact's events: the latest time of their state changes before this
    /// round (absent from the map: none). Their state changes in this round are added to the contact's
    /// events, as the hint promises.
    /// </summary>
    private Dictionary<string, DateTimeOffset>? AgentStateHints(List<OpsEvent> contactEvents, Dictionary<string, List<OpsEvent>> agentEvents)
    {
        Dictionary<string, DateTimeOffset>? hints = null;
        var count = contactEvents.Count;
        for (var i = 0; i < count; i++)
        {
            var agent = contactEvents[i].AgentId;
            if (agent is null || contactEvents[i].Type == EventType.AgentState || (hints?.ContainsKey(agent) ?? false)) continue;
            (hints ??= new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal))[agent] =
                _latestAgentState.GetValueOrDefault(agent, DateTimeOffset.MinValue);
            if (agentEvents.TryGetValue(agent, out var own))
                contactEvents.AddRange(own.Where(e => e.Type == EventType.AgentState));
        }
        return hints;
    }

    /// <summary>Agent state events grouped by the shift (day and template) they fall in.</summary>
    private Dictionary<string, List<ShiftPresence>> ShiftPresence(IReadOnlyList<OpsEvent> events)
    {
        var result = new Dictionary<string, List<ShiftPresence>>();
        foreach (var e in events)
        {
            if (e.Type != EventType.AgentState || ShiftKey(e.At) is not { } key) continue;
            if (!result.TryGetValue(key, out var list)) result[key] = list = [];
            list.Add(new ShiftPresence(e.AgentId!, e.State != AgentState.Offline, e.At));
        }
        return result;
    }

    /// <summary>"yyyy-MM-dd/template" of the shift running at a time; a shift over midnight belongs to the day it started.</summary>
    public string? ShiftKey(DateTimeOffset at)
    {
        var local = clock.ToLocal(at);
        var time = TimeOnly.FromDateTime(local.DateTime);
        foreach (var s in options.Shifts)
        {
            if (!s.CrossesMidnight && time >= s.StartTime && time < s.EndTime)
                return $"{DateOnly.FromDateTime(local.DateTime):yyyy-MM-dd}/{s.Id}";
            if (s.CrossesMidnight && (time >= s.StartTime || time < s.EndTime))
            {
                var day = DateOnly.FromDateTime(local.DateTime);
                return $"{(time >= s.StartTime ? day : day.AddDays(-1)):yyyy-MM-dd}/{s.Id}";
            }
        }
        return null;
    }

    /// <summary>Persists every grain touched since the last checkpoint, then moves the recovery point.</summary>
    private async Task CheckpointAsync(CancellationToken ct)
    {
        var point = AppliedSeq;
        var touched = Interlocked.Exchange(ref _touched, new Touched());
        if (Interlocked.Exchange(ref _failedCheckpoint, null) is { } failed) touched.MergeFrom(failed);
        var calls = touched.Queues.Select(q => (Func<Task>)(() => _queues[q].CheckpointAsync()))
            .Concat(touched.Agents.Select(a => (Func<Task>)(() => _agents[a].CheckpointAsync())))
            .Concat(touched.Shifts.Select(s => (Func<Task>)(() => _shifts[s].CheckpointAsync())));
        if (touched.Directory) calls = calls.Append(() => grains.GetGrain<IAgentDirectoryGrain>(0).CheckpointAsync());
        try
        {
            // SQLite has one writer: a few writes in flight keep it busy; thousands at once only make
            // their busy-retries sleep on pool threads and stall everything else.
            await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = CheckpointWriters, CancellationToken = ct },
                async (call, _) => await call());
            await recoveryPoint.WriteAsync(point, ct);
            Interlocked.Exchange(ref _durableSeq, point);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping (a hard stop cancels at once): the log is durable and the next start replays from the recovery point.
            logger.LogInformation("Checkpoint at seq {Seq} cut short by the stop; the next start replays from the last recovery point", point);
        }
        catch (Exception ex)
        {
            // Keep the old recovery point: a later round checkpoints these grains again.
            logger.LogWarning(ex, "Checkpoint at seq {Seq} failed; recovery point stays", point);
            _failedCheckpoint = touched;
        }
    }

    private void ReleaseWaiters()
    {
        lock (_waitersGate)
        {
            var applied = AppliedSeq;
            _waiters.RemoveAll(w =>
            {
                if (w.Seq > applied) return false;
                w.Done.TrySetResult();
                return true;
            });
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while ((current = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class Touched
    {
        public HashSet<string> Queues { get; } = [];
        public HashSet<string> Agents { get; } = [];
        public HashSet<string> Shifts { get; } = [];
        public bool Directory { get; set; }

        public void MergeFrom(Touched other)
        {
            Queues.UnionWith(other.Queues);
            Agents.UnionWith(other.Agents);
            Shifts.UnionWith(other.Shifts);
            Directory |= other.Directory;
        }
    }
}
