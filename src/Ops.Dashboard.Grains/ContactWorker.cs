using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Grains;

/// <summary>
/// A contact's lifecycle, held by its shard (<see cref="ContactShardGrain"/>). Its durable state is its
/// events in the log, so it persists nothing of its own: a new worker reads them back, and the shard
/// drops it once settled to keep memory flat.
/// Each round it returns contribution(events up to ToSeq) − contribution(events up to FromSeq),
/// which is exact whatever order the events came in and however often a round is replayed.
/// </summary>
public sealed class ContactWorker(string id, EventLog log, OpsOptions options)
{
    private readonly Dictionary<string, OpsEvent> _events = [];
    private readonly Dictionary<string, OpsEvent> _agentEvents = [];
    // The answers (agent, time) after which the agent's state events have been read from the log.
    private readonly HashSet<(string Agent, DateTimeOffset At)> _answersLoaded = [];
    // Agents told of this contact (a link sent): from then on they forward their state changes.
    private readonly HashSet<string> _linkedAgents = [];

    public string Id => id;

    /// <summary>When its shard last used it: unsettled workers idle for long are dropped.</summary>
    public DateTimeOffset LastUsed { get; set; }

    /// <summary>Whether the latest round left the contact settled (nothing more is expected of it).</summary>
    public bool IsSettled { get; private set; }

    // How long after an answer an agent's state changes can still decide the contact's handle time.
    private static readonly TimeSpan HandleWindow = TimeSpan.FromHours(12);

    // Whether this worker has read the contact's earlier events from the log (or learnt there are none).
    private bool _loaded;

    // The latest round's "after": nearly always the next round's "before", which then need not be derived again.
    private Derived? _last;
    // The lowest seq of the events added since _last was derived (long.MaxValue: none).
    private long _minSeqAddedSinceLast = long.MaxValue;

    /// <summary>What the rounds compare of the contact derived from its events up to a seq (kept small: one per open contact).</summary>
    private sealed record Derived(
        long UpToSeq,
        bool IsSettled,
        Dictionary<IntervalKey, IntervalCounters> Contribution,
        Dictionary<string, WaitingFact> Waiting,
        Dictionary<string, AgentLink> Links);

    public async Task<ContactUpdate> ApplyAsync(ContactBatch batch)
    {
        // Most contacts are new when first dispatched: the dispatcher's hint saves their log read.
        if (!_loaded && !batch.NoEarlierEvents) await LoadContactEventsAsync();
        _loaded = true;
        foreach (var e in batch.Events)
        {
            if (e.Type == EventType.AgentState) AddEvent(_agentEvents, e);
            else if (e.ContactId == Id) AddEvent(_events, e);
        }
        await LoadAgentEventsAsync(batch.ToSeq, batch.AgentStateBefore);

        var before = DeriveCached(batch.FromSeq);
        var after = Derive(batch.ToSeq);
        var diff = ContactLifecycle.Diff(before.Contribution, after.Contribution);
        var deltas = new List<CounterDelta>(diff.Count);
        foreach (var (key, delta) in diff) deltas.Add(new CounterDelta(key, delta));
        _last = after;
        _minSeqAddedSinceLast = long.MaxValue;

        IsSettled = after.IsSettled;
        // Every agent with a link now has been told of this contact, in this round or an earlier one.
        foreach (var agent in after.Links.Keys) _linkedAgents.Add(agent);
        return new ContactUpdate(deltas, WaitingFacts(before.Waiting, after.Waiting), Links(before.Links, after.Links));
    }

    private void AddEvent(Dictionary<string, OpsEvent> events, OpsEvent e)
    {
        if (events.TryAdd(e.Id, e) && e.Seq < _minSeqAddedSinceLast) _minSeqAddedSinceLast = e.Seq;
    }

    /// <summary>
    /// Derive(uptoSeq), reusing the last round's result when the events up to uptoSeq are still exactly those it
    /// was derived from: nothing added since at or below uptoSeq (a late or replayed event, a log read), and none
    /// of the known events between its seq and uptoSeq.
    /// </summary>
    private Derived DeriveCached(long uptoSeq)
    {
        if (_last is { } last && last.UpToSeq <= uptoSeq && _minSeqAddedSinceLast > uptoSeq && !AnyBetween(last.UpToSeq, uptoSeq))
            return last;
        return Derive(uptoSeq);
    }

    private bool AnyBetween(long afterSeq, long uptoSeq)
    {
        if (afterSeq == uptoSeq) return false;
        foreach (var e in _events.Values) if (e.Seq > afterSeq && e.Seq <= uptoSeq) return true;
        foreach (var e in _agentEvents.Values) if (e.Seq > afterSeq && e.Seq <= uptoSeq) return true;
        return false;
    }

    /// <summary>The contact as it stands; null when the log knows no such contact.</summary>
    public async Task<ContactView?> GetViewAsync()
    {
        if (!_loaded) await LoadContactEventsAsync();
        _loaded = true;
        await LoadAgentEventsAsync(long.MaxValue, null);
        var c = DeriveLifecycle(long.MaxValue);
        if (!c.Known) return null;
        var segments = c.Segments.Select(s => new ContactSegmentView(
            s.Queue, s.EnteredAt, s.Outcome, s.AnsweredAt, s.AgentId, s.Wait?.TotalSeconds,
            s.TransferredAt, s.HandleEndAt, s.HandleTime?.TotalSeconds)).ToList();
        return new ContactView(
            c.ContactId, c.Status, c.Channel, c.Priority, c.Current?.Queue, c.CreatedAt,
            c.FirstResponse?.TotalSeconds, c.ResolvedAt, c.Csat, segments, c.History.Count);
    }

    private Derived Derive(long uptoSeq)
    {
        var lifecycle = DeriveLifecycle(uptoSeq);
        return new Derived(uptoSeq, lifecycle.IsSettled, lifecycle.Contribution(Thresholds), WaitingState(lifecycle), LinkState(lifecycle));
    }

    private ContactLifecycle DeriveLifecycle(long uptoSeq)
    {
        // Both maps hold each event once (by id), the contact's own and agent.state events only.
        var own = new List<OpsEvent>(_events.Count);
        foreach (var e in _events.Values) if (e.Seq <= uptoSeq) own.Add(e);
        var agents = new List<OpsEvent>(_agentEvents.Count);
        foreach (var e in _agentEvents.Values) if (e.Seq <= uptoSeq) agents.Add(e);
        return ContactLifecycle.FromDistinct(Id, own, agents);
    }

    private QueueThresholds Thresholds(string queue) => options.FindQueue(queue) is { } q
        ? new QueueThresholds(q.SlThreshold, q.ShortAbandon)
        : new QueueThresholds(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5));

    private async Task LoadContactEventsAsync()
    {
        foreach (var e in await log.ReadContactAsync(Id))
            AddEvent(_events, e);
    }

    /// <summary>
    /// Handle time depends on the answering agent's wrap-up, so the contact needs that agent's
    /// state changes after the answer; they are read from the log the first time an agent appears
    /// and pushed by the dispatcher afterwards. The dispatcher's hint makes the first read needless
    /// in the usual case: the answer is news, and the agent has changed state only before it.
    /// </summary>
    private async Task LoadAgentEventsAsync(long maxSeq, IReadOnlyDictionary<string, DateTimeOffset>? stateBefore)
    {
        // A plain loop: this runs for every contact in every round, and nearly always finds nothing to read.
        List<(string Agent, DateTimeOffset At)>? answers = null;
        foreach (var e in _events.Values)
        {
            if (e.AgentId is null || e.Type is not (EventType.ContactAnswered or EventType.ContactResolved)) continue;
            var answer = (e.AgentId, e.At);
            // Until the agent has been told of this contact it forwards nothing, so read up to now again.
            if (_linkedAgents.Contains(answer.AgentId) && _answersLoaded.Contains(answer)) continue;
            answers ??= [];
            if (!answers.Contains(answer)) answers.Add(answer);
        }
        if (answers is null) return;
        foreach (var answer in answers)
        {
            // None of the agent's earlier state changes came after the answer, and this round's are in the batch.
            if (stateBefore is not null && stateBefore.TryGetValue(answer.Agent, out var latest) && latest < answer.At)
            {
                _answersLoaded.Add(answer);
                continue;
            }
            // Later changes (seq > maxSeq) reach this contact through the agent grain, which knows it by then.
            foreach (var e in await log.ReadAgentAsync(answer.Agent, answer.At, answer.At + HandleWindow, maxSeq))
                if (e.Type == EventType.AgentState) AddEvent(_agentEvents, e);
            _answersLoaded.Add(answer);
        }
    }

    // Facts are absolute, and everything true at FromSeq was sent in an earlier round (by this or an
    // earlier worker), so a round sends only what changed: far fewer calls to agents and queues.

    private static List<WaitingFact> WaitingFacts(Dictionary<string, WaitingFact> old, Dictionary<string, WaitingFact> now)
    {
        var facts = new List<WaitingFact>();
        foreach (var (queue, fact) in now)
            if (!old.TryGetValue(queue, out var o) || o != fact) facts.Add(fact);
        foreach (var (queue, fact) in old)
            if (!now.ContainsKey(queue)) facts.Add(fact with { WaitingSince = null });
        return facts;
    }

    /// <summary>Per queue the contact has been in: whether it waits there now.</summary>
    private Dictionary<string, WaitingFact> WaitingState(ContactLifecycle c)
    {
        if (!c.Known) return [];
        var current = c.Current!;
        var waitingIn = current.Outcome == SegmentOutcome.Waiting && c.ResolvedAt is null ? current.Queue : null;
        var facts = new Dictionary<string, WaitingFact>(c.Segments.Count);
        foreach (var s in c.Segments)
            if (!facts.ContainsKey(s.Queue))
                facts[s.Queue] = new WaitingFact(s.Queue, Id, s.Queue == waitingIn ? current.EnteredAt : null, c.Priority, c.Channel ?? Channel.Phone);
        return facts;
    }

    private static List<AgentLink> Links(Dictionary<string, AgentLink> old, Dictionary<string, AgentLink> now)
    {
        var links = new List<AgentLink>();
        foreach (var (agent, link) in now)
        {
            if (!old.TryGetValue(agent, out var o)) links.Add(link);
            else if (o != link) links.Add(link with { WasAnsweredAt = o.AnsweredAt, WasHandleEndAt = o.HandleEndAt });
        }
        foreach (var (agent, link) in old)
            if (!now.ContainsKey(agent))
                links.Add(link with { HandleEndAt = null, Removed = true, WasAnsweredAt = link.AnsweredAt, WasHandleEndAt = link.HandleEndAt });
        return links;
    }

    /// <summary>Per agent who answered the contact: its latest answer (and the first, when it came back).</summary>
    private Dictionary<string, AgentLink> LinkState(ContactLifecycle c)
    {
        var links = new Dictionary<string, AgentLink>();
        foreach (var s in c.Segments)
        {
            if (s.AnsweredAt is not { } answeredAt || s.AgentId is not { } agent) continue;
            // Segments are in time order: a later answer by the same agent replaces the link, keeping the first answer.
            var first = links.TryGetValue(agent, out var earlier) && earlier.FirstAnsweredAt < answeredAt ? earlier.FirstAnsweredAt : answeredAt;
            links[agent] = new AgentLink(agent, Id, s.Queue, answeredAt, s.HandleEndAt, Removed: false, first, s.Wait?.TotalSeconds);
        }
        return links;
    }
}
