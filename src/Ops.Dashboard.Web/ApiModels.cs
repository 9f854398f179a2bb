using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

// The read API v1 wire shapes (DESIGN.md). Kept apart from grain messages so either can change alone.

public sealed record IntervalDto(
    DateTimeOffset Start, DateTimeOffset End, long Offered, long Answered, long AnsweredWithinThreshold,
    long Abandoned, long ShortAbandoned, long TransferredOut, long Handled,
    double? ServiceLevelPercent, double? AsaSeconds, double? AhtSeconds, double? AbandonRatePercent)
{
    public static IntervalDto From(DateTimeOffset start, DateTimeOffset end, IntervalCounters c) => new(
        start, end, c.Offered, c.Answered, c.AnsweredWithinThreshold, c.Abandoned, c.ShortAbandoned,
        c.TransferredOut, c.Handled, Kpi.ServiceLevelPercent(c), Kpi.AsaSeconds(c), Kpi.AhtSeconds(c),
        Kpi.AbandonRatePercent(c));
}

public sealed record AgentCountsDto(int Available, int OnContact, int WrapUp, int Break, int Training, int Offline);

/// <param name="OldestWaitingSince">Entry time of the oldest waiting contact, so a screen can tick the longest wait itself.</param>
public sealed record QueueDto(
    string Id, string Name, string Channel, int SlThresholdSeconds, double SlTargetPercent, int ShortAbandonSeconds,
    int Waiting, double? LongestWaitSeconds, DateTimeOffset? OldestWaitingSince, AgentCountsDto Agents, IntervalDto Today);

/// <param name="CurrentContactAnsweredAt">When the agent took the current contact (UTC).</param>
/// <param name="CurrentContactWaitSeconds">How long the current contact's customer waited before the agent took it.</param>
/// <param name="Shift">The shift template the agent's current log-in belongs to; null when offline.</param>
public sealed record AgentDto(
    string Id, string? Name, string? Team, string State, DateTimeOffset StateSinceUtc, IReadOnlyList<string> Queues,
    string? CurrentContactId, int HandledToday, double HandleSecondsToday,
    DateTimeOffset? CurrentContactAnsweredAt = null, double? CurrentContactWaitSeconds = null, string? Shift = null)
{
    public static AgentDto From(AgentSummary a, DateOnly today, SiteClock clock, OpsOptions options) => new(
        a.Id, a.Name, a.Team, a.State.Name(), a.StateSince.ToUniversalTime(), a.Queues, a.CurrentContactId,
        a.Day == today ? a.HandledToday : 0, a.Day == today ? a.HandleMsToday / 1000.0 : 0,
        a.CurrentContactAnsweredAt?.ToUniversalTime(), a.CurrentContactWaitSeconds,
        a.LoggedInAt is { } login ? options.ShiftForLogin(TimeOnly.FromDateTime(clock.ToLocal(login).DateTime))?.Id : null);
}

public sealed record ContactSegmentDto(
    string Queue, DateTimeOffset EnteredAt, string Outcome, DateTimeOffset? AnsweredAt, string? AgentId,
    double? WaitSeconds, DateTimeOffset? TransferredAt, DateTimeOffset? HandleEndAt, double? HandleSeconds);

public sealed record ContactDto(
    string Id, string Status, string? Channel, string Priority, string? Queue, DateTimeOffset? CreatedAt,
    double? FirstResponseSeconds, DateTimeOffset? ResolvedAt, int? Csat, IReadOnlyList<ContactSegmentDto> Segments)
{
    public static ContactDto From(ContactView c) => new(
        c.Id, Snake(c.Status.ToString()), c.Channel?.Name(), c.Priority.Name(), c.Queue, c.CreatedAt,
        c.FirstResponseSeconds, c.ResolvedAt, c.Csat,
        [.. c.Segments.Select(s => new ContactSegmentDto(s.Queue, s.EnteredAt, Snake(s.Outcome.ToString()), s.AnsweredAt,
            s.AgentId, s.WaitSeconds, s.TransferredAt, s.HandleEndAt, s.HandleSeconds))]);

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((ch, i) => char.IsUpper(ch) && i > 0 ? "_" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));
}

public sealed record ShiftDto(string Key, string Template, string Name, DateTimeOffset Start, DateTimeOffset End,
    int PlannedAgents, int LoggedInNow, int LoggedInDuringShift);

public sealed record IngestAccepted(int Accepted, int Duplicates);

public sealed record HealthDto(string Status, long AppliedSeq, long LoggedSeq);

/// <summary>POST /api/v1/agents/{id}/queues: <c>mode</c> replace (default), add or remove.</summary>
public sealed record AgentQueuesRequest(IReadOnlyList<string>? Queues, string? Mode);

/// <summary>POST /api/v1/agents/{id}/state: the state by its wire name (available, break…).</summary>
public sealed record AgentStateRequest(string? State);

/// <summary>POST /api/v1/agents/what-if: the projection of a reallocation before doing it.</summary>
public sealed record WhatIfRequest(IReadOnlyList<string>? AgentIds, string? Mode, IReadOnlyList<string>? Queues);
