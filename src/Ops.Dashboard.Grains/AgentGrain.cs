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
    /// <summary>Handled contacts and handle time per local day of the handle end: every link's, held or folded.</summary>
    [Id(12)] public List<DayTotal> Days { get; set; } = [];
    /// <summary>4 once <see cref="Days"/> counts the links (state before that held only links).</summary>
    [Id(13)] public int Version { get; set; }

    public const int CurrentVersion = 4;

    /// <summary>A copy to write, sharing only what is never changed in place.</summary>
    public AgentGrainState Copy() => new()
    {
        Name = Name, Team = Team, Queues = Queues, QueuesAt = QueuesAt, Timeline = [.. Timeline], Links = [.. Links],
        Days = [.. Days], Version = Version, LastSeq = LastSeq, NameAt = NameAt, TeamAt = TeamAt, LoggedInAt = LoggedInAt,
    };
}

/// <summary>One local day's handled contacts and their handle time in milliseconds (each contact's rounded down, as summed).</summary>
[GenerateSerializer, Immutable, Alias("ops.agent-day-total")]
public readonly record struct DayTotal([property: Id(0)] int DayNumber, [property: Id(1)] int Handled, [property: Id(2)] long HandleMs);

/// <summary>
/// What an agent keeps of a contact it answered: an <see cref="AgentLink"/> without what the agent knows
/// (itself) or never reads. Thousands of agents hold these until they fold into the day totals, so they are
/// 48-byte values in a list (under half the memory of link objects in a dictionary): UTC ticks, exact as the link's, with
/// <see cref="None"/> for a time not known yet, the customer's wait in seconds as sent (NaN: not known), and
/// the seq of the round that last changed it (0: before version 4; such links were already durable).
/// </summary>
[GenerateSerializer, Immutable, Alias("ops.agent-held-link")]
public readonly record struct HeldLink(
    [property: Id(0)] string ContactId,
    [property: Id(1)] long AnsweredAtTicks,
    [property: Id(2)] long FirstAnsweredAtTicks,
    [property: Id(3)] long HandleEndAtTicks,
    [property: Id(4)] double Wait,
    [property: Id(5)] long Seq = 0)
{
    public const long None = long.MinValue;

    public static HeldLink Of(AgentLink link, long seq = 0) => new(
        link.ContactId,
        link.AnsweredAt.UtcTicks,
        link.FirstAnsweredAt.UtcTicks,
        link.HandleEndAt?.UtcTicks ?? None,
        link.WaitSeconds ?? double.NaN,
        seq);

    public DateTimeOffset AnsweredAt => new(AnsweredAtTicks, TimeSpan.Zero);
    public DateTimeOffset FirstAnsweredAt => new(FirstAnsweredAtTicks, TimeSpan.Zero);
    public DateTimeOffset? HandleEndAt => HandleEndAtTicks == None ? null : new(HandleEndAtTicks, TimeSpan.Zero);
    public double? WaitSeconds => double.IsNaN(Wait) ? null : Wait;
}

/// <summary>
/// One agent. It holds absolute facts (its own events, deduplicated, and links from its contacts), so
/// replaying a round after a crash cannot count anything twice. Today's handled contacts and handle time
/// are day totals kept up to date with every link change. A settled link is folded into them (dropped from
/// the list) once the agent's remembered timeline no longer reaches back to its handle end, and only once
/// the recovery point has passed the round that last changed it: a replay then always says what the agent
/// was told before (<see cref="AgentLink.WasHandleEndAt"/>), and a folded link's old contribution comes out
/// exactly. So memory and work per agent stay flat however many contacts it handles in a day. The price:
/// a state change that arrives after the agent has moved on past its remembered timeline (two hours, or
/// 80 changes) no longer re-times the contacts it had finished before then; they are re-timed from the log
/// the next time one of their own events comes in.
/// </summary>
[GrainType("agent")]
public sealed class AgentGrain(
    [PersistentState("agent", OpsGrainStorage.Name)] IPersistentState<AgentGrainState> store,
    SiteClock clock) : Grain, IAgentGrain
{
    // Open links older than this are dropped, settled ones folded (a contact left open that long was lost by its source).
    private static readonly TimeSpan Horizon = TimeSpan.FromHours(36);
    private static readonly TimeSpan TimelineWindow = TimeSpan.FromHours(2);
    // A real agent changes state 20–40 times an hour, so two hours fit; a source far busier than that
    // (a load test, a flapping integration) must not make every agent hold megabytes.
    public const int MaxTimeline = 80;
    private const int TimelineSlack = 16;
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
        if (S.Version < AgentGrainState.CurrentVersion)
        {
            // Before version 4 every link was held: the day totals are their sum.
            S.Days.Clear();
            foreach (var link in S.Links) Count(link.AnsweredAtTicks, link.HandleEndAtTicks, +1);
            S.Version = AgentGrainState.CurrentVersion;
            if (S.Links.Count > 0) Persisted.MarkDirty();
        }
        return Task.CompletedTask;
    }

    public Task<AgentApplyResult> ApplyEventsAsync(long toSeq, long durableSeq, IReadOnlyList<OpsEvent> events)
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
        Prune(durableSeq);
        return Task.FromResult(new AgentApplyResult(Summary(), affected is null ? [] : [.. affected]));
    }

    public Task<AgentSummary> ApplyLinksAsync(long toSeq, IReadOnlyList<AgentLink> links)
    {
        foreach (var link in links)
        {
            var at = IndexOfLink(link.ContactId);
            if (at >= 0)
            {
                Count(S.Links[at].AnsweredAtTicks, S.Links[at].HandleEndAtTicks, -1);
                if (link.Removed) S.Links.RemoveAt(at);
                else S.Links[at] = HeldLink.Of(link, toSeq);
            }
            else if (link.WasHandleEndAt is { } wasEnd && link.WasAnsweredAt is { } wasAnswered)
            {
                // Not held but told before with a handle end: folded, so its old contribution is in the totals.
                Count(wasAnswered.UtcTicks, wasEnd.UtcTicks, -1);
            }
            if (!link.Removed)
            {
                if (at < 0) S.Links.Add(HeldLink.Of(link, toSeq));
                Count(link.AnsweredAt.UtcTicks, link.HandleEndAt?.UtcTicks ?? HeldLink.None, +1);
            }
        }
        Touch(toSeq);
        return Task.FromResult(Summary());
    }

    // An agent named in any event exists, even one only ever named by a contact.answered.
    public Task<AgentSummary?> GetAsync() =>
        Task.FromResult(S.Timeline.Count == 0 && S.QueuesAt == DateTimeOffset.MinValue && S.Links.Count == 0 && S.Days.Count == 0 ? null : Summary());

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

    private void Prune(long durableSeq)
    {
        if (S.Timeline.Count < 2) return;
        var latest = S.Timeline[^1].At;
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
        // A list that grew past the cap doubled (to 128 or 160 changes); give the room back, keeping some for a round's adds.
        if (S.Timeline.Capacity > MaxTimeline + TimelineSlack)
            S.Timeline.Capacity = Math.Max(S.Timeline.Count, MaxTimeline) + TimelineSlack;

        // Fold settled links that end before the remembered timeline (or long ago) into the day totals, where
        // they are counted already; drop open links from long ago (they count nothing). Only links the recovery
        // point has passed: a replayed round must find every link it changes either held or told as before.
        var remembered = S.Timeline[0].At.UtcTicks;
        var horizon = (latest - Horizon).UtcTicks;
        var kept = 0;
        for (var i = 0; i < S.Links.Count; i++)
        {
            var link = S.Links[i];
            var fold = link.HandleEndAtTicks == HeldLink.None
                ? link.AnsweredAtTicks < horizon
                : link.Seq <= durableSeq && (link.HandleEndAtTicks < remembered || link.AnsweredAtTicks < horizon);
            if (!fold) S.Links[kept++] = link;
        }
        S.Links.RemoveRange(kept, S.Links.Count - kept);
    }

    /// <summary>Adds (sign +1) or takes out (−1) one link's contribution to the day of its handle end; none while it has none.</summary>
    private void Count(long answeredAtTicks, long handleEndAtTicks, int sign)
    {
        if (handleEndAtTicks == HeldLink.None) return;
        var end = new DateTimeOffset(handleEndAtTicks, TimeSpan.Zero);
        var day = clock.LocalDate(end).DayNumber;
        // Only today is shown; yesterday and the day before stay for a late change around midnight.
        var oldest = clock.LocalDate(clock.Now).DayNumber - 2;
        var days = S.Days;
        for (var i = days.Count - 1; i >= 0; i--)
            if (days[i].DayNumber < oldest) days.RemoveAt(i);
        if (day < oldest) return;
        var ms = (long)TimeSpan.FromTicks(handleEndAtTicks - answeredAtTicks).TotalMilliseconds;
        var at = IndexOfDay(day);
        if (at < 0) days.Add(new DayTotal(day, sign, sign * ms));
        else days[at] = new DayTotal(day, days[at].Handled + sign, days[at].HandleMs + sign * ms);
    }

    private int IndexOfDay(int dayNumber)
    {
        for (var i = 0; i < S.Days.Count; i++)
            if (S.Days[i].DayNumber == dayNumber) return i;
        return -1;
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
        var todayAt = IndexOfDay(today.DayNumber);
        var totals = todayAt >= 0 ? S.Days[todayAt] : default;
        // The newest open link is the contact the agent is busy with (plain loop: this runs for every agent call).
        HeldLink? current = null;
        if (state is AgentState.OnContact or AgentState.WrapUp)
        {
            foreach (var l in S.Links)
                if (l.HandleEndAtTicks == HeldLink.None && (current is null || l.AnsweredAtTicks > current.Value.AnsweredAtTicks))
                    current = l;
        }
        return new AgentSummary(
            this.GetPrimaryKeyString(), S.Name, S.Team, state, since, S.Queues, current?.ContactId, today,
            totals.Handled, totals.HandleMs, current?.AnsweredAt, current?.WaitSeconds, state == AgentState.Offline ? null : S.LoggedInAt);
    }
}
