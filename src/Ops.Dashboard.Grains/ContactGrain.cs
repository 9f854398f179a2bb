using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using Orleans.Placement;

namespace Ops.Dashboard.Grains;

/// <summary>
/// A contact's lifecycle. Its durable state is its events in the log, so it persists nothing of
/// its own: on activation it reads them back, and it deactivates once settled to keep memory flat.
/// Each round it returns contribution(events up to ToSeq) − contribution(events up to FromSeq),
/// which is exact whatever order the events came in and however often a round is replayed.
/// </summary>
// Contacts are created by the dispatcher at thousands a second: placing them on its own silo skips the
// resource-optimised placement decision (the default), which was a large share of activation cost.
[GrainType("contact"), PreferLocalPlacement]
public sealed class ContactGrain(EventLog log, OpsOptions options) : Grain, IContactGrain
{
    private readonly Dictionary<string, OpsEvent> _events = [];
    private readonly Dictionary<string, OpsEvent> _agentEvents = [];
    // The answers (agent, time) after which the agent's state events have been read from the log.
    private readonly HashSet<(string Agent, DateTimeOffset At)> _answersLoaded = [];
    // Agents told of this contact (a link sent): from then on they forward their state changes.
    private readonly HashSet<string> _linkedAgents = [];

    private string Id => this.GetPrimaryKeyString();

    // How long after an answer an agent's state changes can still decide the contact's handle time.
    private static readonly TimeSpan HandleWindow = TimeSpan.FromHours(12);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var e in await log.ReadContactAsync(Id, cancellationToken))
            _events.TryAdd(e.Id, e);
    }

    public async Task<ContactUpdate> ApplyAsync(ContactBatch batch)
    {
        foreach (var e in batch.Events)
        {
            if (e.Type == EventType.AgentState) _agentEvents.TryAdd(e.Id, e);
            else if (e.ContactId == Id) _events.TryAdd(e.Id, e);
        }
        await LoadAgentEventsAsync(batch.ToSeq);

        var before = Derive(batch.FromSeq);
        var after = Derive(batch.ToSeq);
        var deltas = ContactLifecycle.Diff(before.Contribution(Thresholds), after.Contribution(Thresholds))
            .Select(kv => new CounterDelta(kv.Key, kv.Value))
            .ToList();

        if (after.IsSettled) DeactivateOnIdle();
        var links = Links(before, after);
        foreach (var link in links) if (!link.Removed) _linkedAgents.Add(link.AgentId);
        return new ContactUpdate(deltas, WaitingFacts(before, after), links);
    }

    public async Task<ContactView?> GetAsync()
    {
        await LoadAgentEventsAsync(long.MaxValue);
        var c = Derive(long.MaxValue);
        if (!c.Known)
        {
            DeactivateOnIdle();
            return null;
        }
        var segments = c.Segments.Select(s => new ContactSegmentView(
            s.Queue, s.EnteredAt, s.Outcome, s.AnsweredAt, s.AgentId, s.Wait?.TotalSeconds,
            s.TransferredAt, s.HandleEndAt, s.HandleTime?.TotalSeconds)).ToList();
        return new ContactView(
            c.ContactId, c.Status, c.Channel, c.Priority, c.Current?.Queue, c.CreatedAt,
            c.FirstResponse?.TotalSeconds, c.ResolvedAt, c.Csat, segments, c.History.Count);
    }

    private ContactLifecycle Derive(long uptoSeq) => ContactLifecycle.Derive(
        Id,
        _events.Values.Where(e => e.Seq <= uptoSeq),
        _agentEvents.Values.Where(e => e.Seq <= uptoSeq));

    private QueueThresholds Thresholds(string queue) => options.FindQueue(queue) is { } q
        ? new QueueThresholds(q.SlThreshold, q.ShortAbandon)
        : new QueueThresholds(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5));

    /// <summary>
    /// Handle time depends on the answering agent's wrap-up, so the contact needs that agent's
    /// state changes after the answer; they are read from the log the first time an agent appears
    /// and pushed by the dispatcher afterwards.
    /// </summary>
    private async Task LoadAgentEventsAsync(long maxSeq)
    {
        var answers = _events.Values
            .Where(e => e.AgentId is not null && e.Type is EventType.ContactAnswered or EventType.ContactResolved)
            .Select(e => (Agent: e.AgentId!, e.At))
            .Distinct()
            .ToList();
        foreach (var answer in answers)
        {
            // Until the agent has been told of this contact it forwards nothing, so read up to now again.
            if (_linkedAgents.Contains(answer.Agent) && _answersLoaded.Contains(answer)) continue;
            // Later changes (seq > maxSeq) reach this contact through the agent grain, which knows it by then.
            foreach (var e in await log.ReadAgentAsync(answer.Agent, answer.At, answer.At + HandleWindow, maxSeq))
                if (e.Type == EventType.AgentState) _agentEvents.TryAdd(e.Id, e);
            _answersLoaded.Add(answer);
        }
    }

    private List<WaitingFact> WaitingFacts(ContactLifecycle before, ContactLifecycle after)
    {
        var facts = new List<WaitingFact>();
        if (!after.Known) return facts;
        var current = after.Current!;
        var waitingIn = current.Outcome == SegmentOutcome.Waiting && after.ResolvedAt is null ? current.Queue : null;
        foreach (var queue in after.Segments.Concat(before.Segments).Select(s => s.Queue).Distinct())
        {
            facts.Add(new WaitingFact(queue, Id, queue == waitingIn ? current.EnteredAt : null,
                after.Priority, after.Channel ?? Channel.Phone));
        }
        return facts;
    }

    private List<AgentLink> Links(ContactLifecycle before, ContactLifecycle after)
    {
        var links = after.Segments
            .Where(s => s.AnsweredAt is not null && s.AgentId is not null)
            .GroupBy(s => s.AgentId!)
            .Select(g => (Last: g.Last(), First: g.Min(s => s.AnsweredAt!.Value)))
            .Select(x => new AgentLink(x.Last.AgentId!, Id, x.Last.Queue, x.Last.AnsweredAt!.Value, x.Last.HandleEndAt, Removed: false, x.First))
            .ToList();
        foreach (var gone in before.Segments.Where(s => s.AgentId is not null && links.All(l => l.AgentId != s.AgentId)))
            links.Add(new AgentLink(gone.AgentId!, Id, gone.Queue, gone.AnsweredAt!.Value, null, Removed: true, gone.AnsweredAt!.Value));
        return links.DistinctBy(l => (l.AgentId, l.Removed)).ToList();
    }
}
