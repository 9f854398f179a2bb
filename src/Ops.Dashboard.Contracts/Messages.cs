using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Contracts;

// Messages between the dispatcher and the grains. A round of dispatch covers the event-log range
// (FromSeq, ToSeq]; grains use it to apply every round exactly once, also during recovery replay.

/// <summary>A change of one queue interval's counters caused by a round.</summary>
[GenerateSerializer, Immutable, Alias("ops.counter-delta")]
public sealed record CounterDelta([property: Id(0)] IntervalKey Key, [property: Id(1)] IntervalCounters Delta);

/// <summary>Absolute fact: whether a contact is waiting in a queue now (null = not waiting there).</summary>
[GenerateSerializer, Immutable, Alias("ops.waiting-fact")]
public sealed record WaitingFact(
    [property: Id(0)] string Queue,
    [property: Id(1)] string ContactId,
    [property: Id(2)] DateTimeOffset? WaitingSince,
    [property: Id(3)] Priority Priority,
    [property: Id(4)] Channel Channel);

/// <summary>
/// Absolute fact: an agent answered a contact (Removed when a late event undid that). AnsweredAt and
/// HandleEndAt are of the agent's latest answer; FirstAnsweredAt of its earliest, when a contact came
/// back to the same agent, so that every state change that may matter still reaches the contact.
/// WasAnsweredAt and WasHandleEndAt are what the agent was told of this contact before (null: nothing,
/// or no handle end yet): an agent that has folded the old link into its day totals takes it back out.
/// </summary>
[GenerateSerializer, Immutable, Alias("ops.agent-link")]
public sealed record AgentLink(
    [property: Id(0)] string AgentId,
    [property: Id(1)] string ContactId,
    [property: Id(2)] string Queue,
    [property: Id(3)] DateTimeOffset AnsweredAt,
    [property: Id(4)] DateTimeOffset? HandleEndAt,
    [property: Id(5)] bool Removed,
    [property: Id(6)] DateTimeOffset FirstAnsweredAt,
    [property: Id(7)] double? WaitSeconds = null,
    [property: Id(8)] DateTimeOffset? WasAnsweredAt = null,
    [property: Id(9)] DateTimeOffset? WasHandleEndAt = null);

/// <summary>
/// One round's events for the contact <paramref name="ContactId"/>. The hints spare a newly activated contact its log reads:
/// <paramref name="NoEarlierEvents"/> says the log holds none of its events at or before FromSeq, and
/// <paramref name="AgentStateBefore"/> gives, for agents named on its events, an upper bound of the time
/// of their state events at or before FromSeq (the round's own state events of those agents are in
/// <paramref name="Events"/>). An agent missing from it means nothing is known: read the log.
/// </summary>
[GenerateSerializer, Immutable, Alias("ops.contact-batch")]
public sealed record ContactBatch(
    [property: Id(5)] string ContactId,
    [property: Id(0)] long FromSeq,
    [property: Id(1)] long ToSeq,
    [property: Id(2)] IReadOnlyList<OpsEvent> Events,
    [property: Id(3)] bool NoEarlierEvents = false,
    [property: Id(4)] IReadOnlyDictionary<string, DateTimeOffset>? AgentStateBefore = null);

[GenerateSerializer, Immutable, Alias("ops.contact-update")]
public sealed record ContactUpdate(
    [property: Id(0)] IReadOnlyList<CounterDelta> Deltas,
    [property: Id(1)] IReadOnlyList<WaitingFact> Waiting,
    [property: Id(2)] IReadOnlyList<AgentLink> Links);

[GenerateSerializer, Immutable, Alias("ops.queue-batch")]
public sealed record QueueBatch(
    [property: Id(0)] long FromSeq,
    [property: Id(1)] long ToSeq,
    [property: Id(2)] IReadOnlyList<CounterDelta> Deltas,
    [property: Id(3)] IReadOnlyList<WaitingFact> Waiting);

/// <summary>What the agent board shows of one agent.</summary>
[GenerateSerializer, Immutable, Alias("ops.agent-summary")]
public sealed record AgentSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Name,
    [property: Id(2)] string? Team,
    [property: Id(3)] AgentState State,
    [property: Id(4)] DateTimeOffset StateSince,
    [property: Id(5)] IReadOnlyList<string> Queues,
    [property: Id(6)] string? CurrentContactId,
    [property: Id(7)] DateOnly Day,
    [property: Id(8)] int HandledToday,
    [property: Id(9)] long HandleMsToday,
    [property: Id(10)] DateTimeOffset? CurrentContactAnsweredAt = null,
    [property: Id(11)] double? CurrentContactWaitSeconds = null,
    [property: Id(12)] DateTimeOffset? LoggedInAt = null);

[GenerateSerializer, Immutable, Alias("ops.agent-apply-result")]
public sealed record AgentApplyResult(
    [property: Id(0)] AgentSummary Summary,
    [property: Id(1)] IReadOnlyList<string> AffectedContacts);

[GenerateSerializer, Immutable, Alias("ops.waiting-contact")]
public sealed record WaitingContact(
    [property: Id(0)] string ContactId,
    [property: Id(1)] DateTimeOffset Since,
    [property: Id(2)] Priority Priority,
    [property: Id(3)] Channel Channel);

/// <summary>A queue's live state and today's counters.</summary>
[GenerateSerializer, Immutable, Alias("ops.queue-snapshot")]
public sealed record QueueSnapshot(
    [property: Id(0)] string Queue,
    [property: Id(1)] int Waiting,
    [property: Id(2)] DateTimeOffset? OldestWaitingSince,
    [property: Id(3)] IntervalCounters Today,
    [property: Id(4)] IReadOnlyList<WaitingContact> Next);

[GenerateSerializer, Immutable, Alias("ops.interval-row")]
public sealed record IntervalRow([property: Id(0)] long StartMs, [property: Id(1)] IntervalCounters Counters);

[GenerateSerializer, Immutable, Alias("ops.contact-segment")]
public sealed record ContactSegmentView(
    [property: Id(0)] string Queue,
    [property: Id(1)] DateTimeOffset EnteredAt,
    [property: Id(2)] SegmentOutcome Outcome,
    [property: Id(3)] DateTimeOffset? AnsweredAt,
    [property: Id(4)] string? AgentId,
    [property: Id(5)] double? WaitSeconds,
    [property: Id(6)] DateTimeOffset? TransferredAt,
    [property: Id(7)] DateTimeOffset? HandleEndAt,
    [property: Id(8)] double? HandleSeconds);

[GenerateSerializer, Immutable, Alias("ops.contact-view")]
public sealed record ContactView(
    [property: Id(0)] string Id,
    [property: Id(1)] ContactStatus Status,
    [property: Id(2)] Channel? Channel,
    [property: Id(3)] Priority Priority,
    [property: Id(4)] string? Queue,
    [property: Id(5)] DateTimeOffset? CreatedAt,
    [property: Id(6)] double? FirstResponseSeconds,
    [property: Id(7)] DateTimeOffset? ResolvedAt,
    [property: Id(8)] int? Csat,
    [property: Id(9)] IReadOnlyList<ContactSegmentView> Segments,
    [property: Id(10)] int EventCount);

[GenerateSerializer, Immutable, Alias("ops.shift-presence")]
public sealed record ShiftPresence([property: Id(0)] string AgentId, [property: Id(1)] bool LoggedIn, [property: Id(2)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("ops.shift-snapshot")]
public sealed record ShiftSnapshot(
    [property: Id(0)] string Key,
    [property: Id(1)] int PlannedAgents,
    [property: Id(2)] int LoggedInNow,
    [property: Id(3)] int LoggedInDuringShift);
