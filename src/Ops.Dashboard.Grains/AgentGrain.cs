using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Grains;

[GenerateSerializer, Alias("ops.agent-state")]
public sealed class AgentGrainState
{
    [Id(0)] public string? Name { get; set; }
    [Id(1)] public string? Team { get; set; }
    [Id(2)] public List<string> Queues { get; set; } = [];
    [Id(3)] public DateTimeOffset QueuesAt { get; set; } = DateTimeOffset.MinValue;
    /// <summary>What state before version 2 held as <see cref="Timeline"/>; converted when read.</summary>
    [Id(4)] public List<OpsEvent>? LegacyTimeline { get; set; }
    /// <summary>What state before version 3 held as <see cref="Links"/>; converted when read.</summary>
    [Id(5)] public Dictionary<string, AgentLink>? LegacyLinks { get; set; }
    [Id(6)] public long LastSeq { get; set; }
    [Id(7)] public DateTimeOffset NameAt { get; set; } = DateTimeOffset.MinValue;
    [Id(8)] public DateTimeOffset TeamAt { get; set; } = DateTimeOffset.MinValue;
    /// <summary>When the current log-in began (kept here because the timeline forgets older changes).</summary>
    [Id(9)] public DateTimeOffset? LoggedInAt { get; set; }
    /// <summary>The agent's recent state changes, in time order (see the grain's pruning).</summary>
    [Id(10)] public List<StateChange> Timeline { get; set; } = [];
    /// <summary>Contacts this agent answered recently, one each, newest last (see <see cref="HeldLink"/>).</summary>
    [Id(11)] public List<HeldLink> Links { get; set; } = [];

    /// <summary>A copy to write, sharing only what is never changed in place.</summary>
    public AgentGrainState Copy() => new()
    {
        Name = Name, Team = Team, Queues = Queues, QueuesAt = QueuesAt, Timeline = [.. Timeline], Links = [.. Links],
        LastSeq = LastSeq, NameAt = NameAt, TeamAt = TeamAt, LoggedInAt = LoggedInAt,
    };
}

/// <summary>
/// What an agent keeps of a contact it answered: an <see cref="AgentLink"/> without what the agent knows
/// (itself) or never reads. Thousands of agents hold a day and a half of these, so they are 40-byte values
/// in a list (under half the memory of link objects in a dictionary): UTC ticks, exact as the link's, with
/// <see cref="None"/> for a time not known yet, and the customer's wait in seconds as sent (NaN: not known).
/// </summary>
[GenerateSerializer, Immutable, Alias("ops.agent-held-link")]
public readonly record struct HeldLink(
    [property: Id(0)] string ContactId,
    [property: Id(1)] long AnsweredAtTicks,
    [property: Id(2)] long FirstAnsweredAtTicks,
    [property: Id(3)] long HandleEndAtTicks,
    [property: Id(4)] double Wait)
{
    public const long None = long.MinValue;

    public static HeldLink Of(AgentLink link) => new(
        link.ContactId,
        link.AnsweredAt.UtcTicks,
        link.FirstAnsweredAt.UtcTicks,
        link.HandleEndAt?.UtcTicks ?? None,
        link.WaitSeconds ?? double.NaN);

    public DateTimeOffset AnsweredAt => new(AnsweredAtTicks, TimeSpan.Zero);
    public DateTimeOffset FirstAnsweredAt => new(FirstAnsweredAtTicks, TimeSpan.Zero);
    public DateTimeOffset? HandleEndAt => HandleEndAtTicks == None ? null : new(HandleEndAtTicks, TimeSpan.Zero);
    public double? WaitSeconds => double.IsNaN(Wait) ? null : Wait;
}

/// <summary>
/// One agent. All it holds is absolute facts (its own events, deduplicated, and links from its
/// contacts), so replaying a round after a crash cannot count anything twice.
/// </summary>
[GrainType("agent")]
public sealed class AgentGrain(
    [PersistentState("agent", OpsGrainStorage.Name)] IPersistentState<AgentGrainState> store,
    SiteClock clock) : Grain, IAgentGrain
{
    // Links count today's handled contacts, so they are kept for a day and a half.
    private static readonly TimeSpan Horizon = TimeSpan.FromHours(36);
    private static readonly TimeSpan TimelineWindow = TimeSpan.FromHours(2);
    // A real agent changes state 20–40 times an hour, so two hours fit; a source far busier than that
    // (a load test, a flapping integration) must not make every agent hold megabytes.
    private const int MaxTimeline = 120;
    private PersistentCheckpoint<AgentGrainState>? _checkpoint;
    private PersistentCheckpoint<AgentGrainState> Persisted => _checkpoint ??= new(GrainContext, store, "agent", s => s.Copy());
    private AgentGrainState S => Persisted.Live;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.LegacyTimeline is { } legacy)
        {
            S.Timeline = [.. legacy.Where(e => e.State is not null).Select(StateChange.Of).Order(StateChange.TimeOrder)];
            S.LegacyTimeline = null;
        }
        if (S.LegacyLinks is { } links)
        {
            foreach (var link in links.Values) S.Links.Add(HeldLink.Of(link));
            S.Links.Sort((a, b) => a.AnsweredAtTicks.CompareTo(b.AnsweredAtTicks));
            S.LegacyLinks = null;
        }
        return Task.CompletedTask;
    }

    public Task<AgentApplyResult> ApplyEventsAsync(long toSeq, IReadOnlyList<OpsEvent> events)
    {
        HashSet<string>? affected = null;
        var added = new List<OpsEvent>(events.Count);
        // Nearly always one event per round: no sort needed.
        foreach (var e in events.Count == 1 ? (IEnumerable<OpsEvent>)events : events.Order(ContactLifecycle.TimeOrder))
        {
            switch (e.Type)
            {
                case EventType.AgentState when AddToTimeline(StateChange.Of(e)):
                    added.Add(e);
                    // The latest event (by event time) that names the agent names it best, whatever the arrival order.
                    if (e.Name is not null && e.At >= S.NameAt)
                    {
                        S.Name = e.Name;
                        S.NameAt = e.At;
                    }
                    if (e.Team is not null && e.At >= S.TeamAt)
                    {
                        S.Team = e.Team;
                        S.TeamAt = e.At;
                    }
                    break;
                case EventType.AgentQueues when e.At >= S.QueuesAt:
                    S.Queues = [.. e.Queues ?? []];
                    S.QueuesAt = e.At;
                    break;
            }
        }
        if (added.Count > 0)
        {
            // Plain loops: this runs for every link of every agent in every round.
            DateTimeOffset earliest = added[0].At, latest = added[^1].At;
            foreach (var link in S.Links)
            {
                if (link.FirstAnsweredAt >= latest) continue;
                // A change concerns a contact if it falls after the agent's first answer and no later
                // than the change that decides the handle end of its latest.
                var until = ContactLifecycle.HandleEndDecidedBy(S.Timeline, link.AnsweredAt);
                if (until is { } u && earliest > u) continue;
                foreach (var e in added)
                {
                    if (e.At > link.FirstAnsweredAt && (until is null || e.At <= until))
                    {
                        (affected ??= new(StringComparer.Ordinal)).Add(link.ContactId);
                        break;
                    }
                }
            }
        }

        if (added.Count > 0) NoteLogIn();
        Touch(toSeq);
        Prune();
        return Task.FromResult(new AgentApplyResult(Summary(), affected is null ? [] : [.. affected]));
    }

    public Task<AgentSummary> ApplyLinksAsync(long toSeq, IReadOnlyList<AgentLink> links)
    {
        foreach (var link in links)
        {
            var at = IndexOfLink(link.ContactId);
            if (link.Removed)
            {
                if (at >= 0) S.Links.RemoveAt(at);
            }
            else if (at >= 0) S.Links[at] = HeldLink.Of(link);
            else S.Links.Add(HeldLink.Of(link));
        }
        Touch(toSeq);
        return Task.FromResult(Summary());
    }

    // An agent named in any event exists, even one only ever named by a contact.answered.
    public Task<AgentSummary?> GetAsync() =>
        Task.FromResult(S.Timeline.Count == 0 && S.QueuesAt == DateTimeOffset.MinValue && S.Links.Count == 0 ? null : Summary());

    public Task CheckpointAsync() => Persisted.WriteAsync();

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await CheckpointAsync();

    /// <summary>Where the contact's link is (−1: none). From the newest: updates nearly always concern a contact answered moments ago.</summary>
    private int IndexOfLink(string contactId)
    {
        var links = S.Links;
        for (var i = links.Count - 1; i >= 0; i--)
            if (links[i].ContactId == contactId) return i;
        return -1;
    }

    /// <summary>Adds a change in its place; false when the timeline holds it already (same time and seq: a replay).</summary>
    private bool AddToTimeline(StateChange change)
    {
        var timeline = S.Timeline;
        // Nearly always the newest: append; a late one goes to its place by binary search.
        if (timeline.Count == 0 || StateChange.TimeOrder.Compare(timeline[^1], change) < 0)
        {
            timeline.Add(change);
            return true;
        }
        var at = timeline.BinarySearch(change, StateChange.TimeOrder);
        if (at >= 0) return false;
        timeline.Insert(~at, change);
        return true;
    }

    private void Touch(long toSeq)
    {
        S.LastSeq = Math.Max(S.LastSeq, toSeq);
        Persisted.MarkDirty();
    }

    private void Prune()
    {
        if (S.Timeline.Count < 2) return;
        var latest = S.Timeline[^1].At;
        var linkCutoff = latest - Horizon;
        var linkCutoffTicks = linkCutoff.UtcTicks;
        var kept = 0;
        for (var i = 0; i < S.Links.Count; i++)
            if (S.Links[i].AnsweredAtTicks >= linkCutoffTicks) S.Links[kept++] = S.Links[i];
        S.Links.RemoveRange(kept, S.Links.Count - kept);
        // State changes matter for deciding which contacts a late change concerns; keep the recent past
        // and everything since the oldest contact whose handling has not ended. Contacts keep their own
        // copy of what they need, so a very busy agent's timeline stays small.
        var cutoff = latest - TimelineWindow;
        foreach (var link in S.Links)
            if (link.HandleEndAt is null && link.FirstAnsweredAt < cutoff) cutoff = link.FirstAnsweredAt;
        var old = S.Timeline.Count - 1;
        while (old >= 0 && S.Timeline[old].At >= cutoff) old--;
        // A real agent changes state a few hundred times a day; beyond this many, keep only the newest.
        old = Math.Max(old, S.Timeline.Count - MaxTimeline);
        // Keep the last event before the cutoff: it is the state the agent was in at the cutoff.
        if (old > 0)
            S.Timeline.RemoveRange(0, old);
    }

    /// <summary>The log-in is the first change after the latest logged-off state; with none in the timeline, it stays as known.</summary>
    private void NoteLogIn()
    {
        var timeline = S.Timeline;
        if (timeline[^1].State == AgentState.Offline)
        {
            S.LoggedInAt = null;
            return;
        }
        var lastOffline = timeline.FindLastIndex(e => e.State == AgentState.Offline);
        if (lastOffline >= 0) S.LoggedInAt = timeline[lastOffline + 1].At;
        else if (S.LoggedInAt is null || timeline[0].At < S.LoggedInAt) S.LoggedInAt = timeline[0].At;
    }

    private AgentSummary Summary()
    {
        var state = AgentState.Offline;
        var since = S.QueuesAt == DateTimeOffset.MinValue ? DateTimeOffset.UnixEpoch : S.QueuesAt;
        if (S.Timeline.Count > 0)
        {
            var i = S.Timeline.Count - 1;
            state = S.Timeline[i].State;
            while (i > 0 && S.Timeline[i - 1].State == state) i--;
            since = S.Timeline[i].At;
        }
        var today = clock.LocalDate(clock.Now);
        // Compare instants with the day's bounds: a time-zone conversion per link per call is the hot path here.
        var (dayStart, dayEnd) = clock.DayBounds(today);
        // One pass without LINQ: this runs for every agent call, over every link the agent holds.
        var handled = 0;
        var handleMs = 0L;
        HeldLink? current = null;
        var onContact = state is AgentState.OnContact or AgentState.WrapUp;
        long dayStartTicks = dayStart.UtcTicks, dayEndTicks = dayEnd.UtcTicks;
        foreach (var l in S.Links)
        {
            if (l.HandleEndAtTicks is var end and not HeldLink.None)
            {
                if (end < dayStartTicks || end >= dayEndTicks) continue;
                handled++;
                handleMs += (long)TimeSpan.FromTicks(end - l.AnsweredAtTicks).TotalMilliseconds;
            }
            else if (onContact && (current is null || l.AnsweredAtTicks > current.Value.AnsweredAtTicks))
            {
                current = l;
            }
        }
        return new AgentSummary(
            this.GetPrimaryKeyString(), S.Name, S.Team, state, since, S.Queues, current?.ContactId, today,
            handled, handleMs, current?.AnsweredAt, current?.WaitSeconds, state == AgentState.Offline ? null : S.LoggedInAt);
    }
}
