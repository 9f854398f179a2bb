namespace Ops.Dashboard.Domain;

/// <summary>How a contact left (or has not yet left) one queue.</summary>
public enum SegmentOutcome { Waiting, Answered, Abandoned, TransferredUnanswered, ClosedUnanswered }

public enum ContactStatus { Unknown, Waiting, InHandling, Transferred, Abandoned, Resolved }

/// <summary>The thresholds a queue applies when it classifies waits.</summary>
public readonly record struct QueueThresholds(TimeSpan ServiceLevel, TimeSpan ShortAbandon);

/// <summary>A contact's stay in one queue, from entry (creation or transfer in) to leaving it.</summary>
public sealed record Segment(
    string Queue,
    DateTimeOffset EnteredAt,
    SegmentOutcome Outcome,
    DateTimeOffset? LeftAt,
    DateTimeOffset? AnsweredAt,
    string? AgentId,
    DateTimeOffset? TransferredAt,
    DateTimeOffset? HandleEndAt,
    string? TransferReason = null)
{
    /// <summary>
    /// The transfer reason that marks an escalation caused by an agent's error (the handbook's KPI:
    /// under 5 % of contacts). Sources send it as <c>"reason": "agent_error"</c> (or agent-error).
    /// </summary>
    public const string AgentErrorReason = "agent_error";

    public static bool IsAgentError(string? reason) =>
        reason is not null && string.Equals(reason.Trim().Replace('-', '_'), AgentErrorReason, StringComparison.OrdinalIgnoreCase);

    public TimeSpan? Wait => (AnsweredAt ?? (Outcome == SegmentOutcome.Waiting ? null : LeftAt)) - EnteredAt;
    public TimeSpan? HandleTime => HandleEndAt - AnsweredAt;
}

/// <summary>Key of one queue's 15-minute interval: the queue and the interval's start in Unix milliseconds (UTC grid).</summary>
[GenerateSerializer, Immutable, Alias("ops.interval-key")]
public readonly record struct IntervalKey([property: Id(0)] string Queue, [property: Id(1)] long StartMs)
{
    public const long LengthMs = 15 * 60 * 1000;

    public static long StartOf(DateTimeOffset at) => Math.DivRem(at.ToUnixTimeMilliseconds(), LengthMs, out var rem) * LengthMs - (rem < 0 ? LengthMs : 0);

    public static IntervalKey Of(string queue, DateTimeOffset at) => new(queue, StartOf(at));

    public DateTimeOffset Start => DateTimeOffset.FromUnixTimeMilliseconds(StartMs);
}

/// <summary>
/// A contact's whole lifecycle derived from the time-sorted set of its events (and the state
/// changes of the agents who answered it). It is a pure function of that set: any delivery order
/// and any number of duplicates give the same result, which is what lets a late event retract the
/// contact's old contribution to the interval statistics and add the new one.
/// </summary>
public sealed class ContactLifecycle
{
    public required string ContactId { get; init; }
    public bool Known { get; private init; }
    public Channel? Channel { get; private init; }
    public Priority Priority { get; private init; } = Priority.Medium;
    public string? Subject { get; private init; }
    public DateTimeOffset? CreatedAt { get; private init; }
    public DateTimeOffset? ResolvedAt { get; private init; }
    public string? ResolvedBy { get; private init; }
    public int? Csat { get; private init; }
    public DateTimeOffset? CsatAt { get; private init; }
    public IReadOnlyList<Segment> Segments { get; private init; } = [];
    public IReadOnlyList<OpsEvent> History { get; private init; } = [];

    public Segment? Current => Segments.Count == 0 ? null : Segments[^1];

    public ContactStatus Status => Current switch
    {
        null => ContactStatus.Unknown,
        _ when ResolvedAt is not null => ContactStatus.Resolved,
        { Outcome: SegmentOutcome.Waiting } => ContactStatus.Waiting,
        { Outcome: SegmentOutcome.Abandoned } => ContactStatus.Abandoned,
        { Outcome: SegmentOutcome.Answered } => ContactStatus.InHandling,
        _ => ContactStatus.Resolved,
    };

    /// <summary>First agent response minus creation (the response time of async channels).</summary>
    public TimeSpan? FirstResponse => Segments.FirstOrDefault(s => s.AnsweredAt is not null)?.AnsweredAt - CreatedAt;

    /// <summary>True when no later agent event can change the figures (it may still get a CSAT).</summary>
    public bool IsSettled =>
        (ResolvedAt is not null || Current?.Outcome == SegmentOutcome.Abandoned)
        && Segments.All(s => s.AnsweredAt is null || s.HandleEndAt is not null);

    // A transfer sorts before an answer at the same instant: an escalation picked up at once by an
    // idle agent of the target queue is answered there, not lost on the already answered source.
    private static int Rank(EventType t) => t switch
    {
        EventType.ContactCreated => 0,
        EventType.ContactTransferred => 1,
        EventType.ContactAnswered => 2,
        EventType.ContactAbandoned => 3,
        EventType.ContactResolved => 4,
        _ => 5,
    };

    /// <summary>Sorts by event time; ties by the natural order of a lifecycle, then by id (never by arrival).</summary>
    public static IComparer<OpsEvent> TimeOrder { get; } = Comparer<OpsEvent>.Create((a, b) =>
    {
        var c = a.At.UtcTicks.CompareTo(b.At.UtcTicks);
        if (c != 0) return c;
        c = Rank(a.Type).CompareTo(Rank(b.Type));
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    });

    /// <param name="contactEvents">The contact's own events (duplicates allowed).</param>
    /// <param name="agentEvents">agent.state events of the agents who answered it (any agents; others are ignored).</param>
    public static ContactLifecycle Derive(string contactId, IEnumerable<OpsEvent> contactEvents, IEnumerable<OpsEvent> agentEvents) =>
        FromDistinct(
            contactId,
            contactEvents.DistinctBy(e => e.Id).Where(e => e.ContactId == contactId).ToList(),
            agentEvents.DistinctBy(e => e.Id).ToList());

    /// <summary>
    /// <see cref="Derive"/> for inputs already distinct by id, as a contact's holder keeps them: no LINQ, since
    /// this runs for every open contact in every round. Sorts <paramref name="ownEvents"/> in place.
    /// </summary>
    /// <param name="ownEvents">The contact's own events, each id once.</param>
    /// <param name="agentEvents">Agent events, each id once (only agent.state events of the answering agents count).</param>
    public static ContactLifecycle FromDistinct(string contactId, List<OpsEvent> ownEvents, IReadOnlyList<OpsEvent> agentEvents)
    {
        var events = ownEvents;
        events.Sort(TimeOrder);
        OpsEvent? created = null;
        foreach (var e in events)
        {
            if (e.Type != EventType.ContactCreated) continue;
            created = e;
            break;
        }
        if (created is null)
            return new ContactLifecycle { ContactId = contactId, History = events };

        var segments = new List<MutableSegment> { new(created.Queue!, created.At) };
        DateTimeOffset? resolvedAt = null;
        string? resolvedBy = null;
        OpsEvent? csat = null;
        foreach (var e in events)
        {
            if (e.At < created.At || ReferenceEquals(e, created)) continue; // nothing happens to a contact before it exists
            var seg = segments[^1];
            switch (e.Type)
            {
                case EventType.ContactAnswered when seg.IsOpen && seg.AnsweredAt is null && resolvedAt is null:
                    seg.AnsweredAt = e.At;
                    seg.AgentId = e.AgentId;
                    break;
                case EventType.ContactAbandoned when seg.IsOpen && seg.AnsweredAt is null && resolvedAt is null:
                    seg.Outcome = SegmentOutcome.Abandoned;
                    seg.LeftAt = e.At;
                    break;
                case EventType.ContactTransferred when seg.Outcome != SegmentOutcome.Abandoned && resolvedAt is null:
                    seg.TransferredAt = e.At;
                    seg.TransferReason = e.Reason;
                    if (seg.AnsweredAt is null)
                    {
                        seg.Outcome = SegmentOutcome.TransferredUnanswered;
                        seg.LeftAt = e.At;
                    }
                    segments.Add(new MutableSegment(e.Queue!, e.At));
                    break;
                case EventType.ContactResolved when resolvedAt is null && seg.Outcome != SegmentOutcome.Abandoned:
                    resolvedAt = e.At;
                    resolvedBy = e.AgentId ?? seg.AgentId;
                    // A resolution by an agent of an unanswered contact is that agent's first response.
                    if (seg.AnsweredAt is null && e.AgentId is not null)
                    {
                        seg.AnsweredAt = e.At;
                        seg.AgentId = e.AgentId;
                    }
                    else if (seg.AnsweredAt is null)
                    {
                        seg.Outcome = SegmentOutcome.ClosedUnanswered;
                        seg.LeftAt = e.At;
                    }
                    break;
                case EventType.ContactCsat:
                    csat = e;
                    break;
            }
        }

        List<(string Agent, List<StateChange> Timeline)>? timelines = null;
        var result = new List<Segment>(segments.Count);
        foreach (var s in segments)
        {
            if (s.AnsweredAt is { } answeredAt)
            {
                s.Outcome = SegmentOutcome.Answered;
                s.LeftAt = answeredAt;
                var release = s.TransferredAt ?? resolvedAt;
                s.HandleEndAt = HandleEnd(answeredAt, release, TimelineOf(s.AgentId!, agentEvents, ref timelines));
            }
            result.Add(new Segment(s.Queue, s.EnteredAt, s.Outcome, s.LeftAt, s.AnsweredAt, s.AgentId, s.TransferredAt, s.HandleEndAt, s.TransferReason));
        }

        return new ContactLifecycle
        {
            ContactId = contactId,
            Known = true,
            Channel = created.Channel,
            Priority = created.Priority ?? Priority.Medium,
            Subject = created.Subject,
            CreatedAt = created.At,
            ResolvedAt = resolvedAt,
            ResolvedBy = resolvedBy,
            Csat = csat?.Score,
            CsatAt = csat?.At,
            Segments = result,
            History = events,
        };
    }

    /// <summary>The agent's state changes in time order (null: none known), each agent built once per derivation.</summary>
    private static List<StateChange>? TimelineOf(string agentId, IReadOnlyList<OpsEvent> agentEvents, ref List<(string Agent, List<StateChange> Timeline)>? built)
    {
        if (built is not null)
            foreach (var (agent, timeline) in built)
                if (agent == agentId) return timeline.Count == 0 ? null : timeline;
        var changes = new List<OpsEvent>();
        foreach (var e in agentEvents)
            if (e.Type == EventType.AgentState && e.AgentId == agentId) changes.Add(e);
        changes.Sort(TimeOrder);
        var result = new List<StateChange>(changes.Count);
        foreach (var e in changes) result.Add(StateChange.Of(e));
        (built ??= []).Add((agentId, result));
        return result.Count == 0 ? null : result;
    }

    /// <summary>
    /// Handling ends when the agent leaves the wrap-up that follows the answer; when the agent's
    /// first change after the answer is not wrap-up (or none is reported), it ends at the release
    /// (resolution or transfer) or at that change, whichever is first.
    /// </summary>
    private static DateTimeOffset? HandleEnd(DateTimeOffset answeredAt, DateTimeOffset? release, List<StateChange>? timeline)
    {
        var (exit, wrapExit) = timeline is null ? (null, null) : Exits(timeline, answeredAt, release);
        if (exit?.State == AgentState.WrapUp) return wrapExit?.At;
        return (release, exit?.At) switch
        {
            ({ } r, { } x) => r < x ? r : x,
            ({ } r, null) => r,
            (null, { } x) => x,
            _ => null,
        };
    }

    /// <summary>
    /// The agent's first change out of on-contact after the answer and, if that was wrap-up, the change
    /// that ended it. An on-contact after the release is the agent's next contact: what follows is not ours.
    /// </summary>
    private static (StateChange? Exit, StateChange? WrapExit) Exits(IReadOnlyList<StateChange> sortedTimeline, DateTimeOffset answeredAt, DateTimeOffset? release)
    {
        for (var i = FirstAfter(sortedTimeline, answeredAt); i < sortedTimeline.Count; i++)
        {
            var e = sortedTimeline[i];
            if (e.At <= answeredAt) continue;
            if (e.State == AgentState.OnContact)
            {
                if (release is { } r && e.At > r) return (null, null);
                continue;
            }
            if (e.State != AgentState.WrapUp) return (e, null);
            for (var j = i + 1; j < sortedTimeline.Count; j++)
                if (sortedTimeline[j].State != AgentState.WrapUp) return (e, sortedTimeline[j]);
            return (e, null);
        }
        return (null, null);
    }

    /// <summary>Index of the first event later than <paramref name="at"/> in a time-sorted timeline (binary search).</summary>
    private static int FirstAfter(IReadOnlyList<StateChange> sortedTimeline, DateTimeOffset at)
    {
        int lo = 0, hi = sortedTimeline.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sortedTimeline[mid].At <= at) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// The latest time at which an agent state change can still move the handle end of a contact
    /// answered at <paramref name="answeredAt"/> (null: any later change can). The agent grain uses
    /// it to tell which contacts a new state event concerns.
    /// </summary>
    public static DateTimeOffset? HandleEndDecidedBy(IReadOnlyList<StateChange> sortedTimeline, DateTimeOffset answeredAt)
    {
        // Without the release this can only come out later than the contact's own answer: it over-includes, never misses.
        var (exit, wrapExit) = Exits(sortedTimeline, answeredAt, release: null);
        return exit?.State == AgentState.WrapUp ? wrapExit?.At : exit?.At;
    }

    /// <summary>What this contact adds to its queues' interval statistics (see DESIGN.md, metric definitions).</summary>
    public Dictionary<IntervalKey, IntervalCounters> Contribution(Func<string, QueueThresholds> thresholds)
    {
        var result = new Dictionary<IntervalKey, IntervalCounters>();

        foreach (var s in Segments)
        {
            var t = thresholds(s.Queue);
            Add(result, s.Queue, s.EnteredAt, new IntervalCounters { Offered = 1 });
            switch (s.Outcome)
            {
                case SegmentOutcome.Answered:
                    var wait = (long)(s.AnsweredAt!.Value - s.EnteredAt).TotalMilliseconds;
                    Add(result, s.Queue, s.AnsweredAt.Value, new IntervalCounters
                    {
                        Answered = 1,
                        AnsweredWithinThreshold = wait <= t.ServiceLevel.TotalMilliseconds ? 1 : 0,
                        AnswerWaitMs = wait,
                    });
                    if (s.HandleEndAt is { } end)
                        Add(result, s.Queue, end, new IntervalCounters { Handled = 1, HandleMs = (long)(end - s.AnsweredAt.Value).TotalMilliseconds });
                    break;
                case SegmentOutcome.Abandoned:
                    var patience = (long)(s.LeftAt!.Value - s.EnteredAt).TotalMilliseconds;
                    Add(result, s.Queue, s.LeftAt.Value, new IntervalCounters
                    {
                        Abandoned = 1,
                        ShortAbandoned = patience < t.ShortAbandon.TotalMilliseconds ? 1 : 0,
                        AbandonWaitMs = patience,
                    });
                    break;
            }
            if (s.TransferredAt is { } tx)
                Add(result, s.Queue, tx, new IntervalCounters { TransferredOut = 1, AgentErrorEscalations = Segment.IsAgentError(s.TransferReason) ? 1 : 0 });
        }
        if (Csat is { } score && CsatAt is { } csatAt && Current is { } last)
            Add(result, last.Queue, csatAt, new IntervalCounters { CsatCount = 1, CsatScoreSum = score });
        return result;
    }

    private static void Add(Dictionary<IntervalKey, IntervalCounters> result, string queue, DateTimeOffset at, IntervalCounters c)
    {
        var key = IntervalKey.Of(queue, at);
        result[key] = result.TryGetValue(key, out var existing) ? existing + c : c;
    }

    /// <summary>new − old, leaving out intervals that did not change.</summary>
    public static Dictionary<IntervalKey, IntervalCounters> Diff(
        IReadOnlyDictionary<IntervalKey, IntervalCounters> before, IReadOnlyDictionary<IntervalKey, IntervalCounters> after)
    {
        var diff = new Dictionary<IntervalKey, IntervalCounters>();
        foreach (var (key, value) in after)
        {
            var d = before.TryGetValue(key, out var old) ? value - old : value;
            if (!d.IsZero) diff[key] = d;
        }
        foreach (var (key, old) in before)
            if (!after.ContainsKey(key) && !old.IsZero) diff[key] = -old;
        return diff;
    }

    private sealed class MutableSegment(string queue, DateTimeOffset enteredAt)
    {
        public string Queue { get; } = queue;
        public DateTimeOffset EnteredAt { get; } = enteredAt;
        public SegmentOutcome Outcome { get; set; } = SegmentOutcome.Waiting;
        public DateTimeOffset? LeftAt { get; set; }
        public DateTimeOffset? AnsweredAt { get; set; }
        public string? AgentId { get; set; }
        public DateTimeOffset? TransferredAt { get; set; }
        public string? TransferReason { get; set; }
        public DateTimeOffset? HandleEndAt { get; set; }
        public bool IsOpen => Outcome == SegmentOutcome.Waiting;
    }
}
