using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

/// <summary>How a reallocation changes each selected agent's queues.</summary>
public enum ReallocationMode
{
    /// <summary>The agents serve exactly these queues afterwards (a move).</summary>
    Replace,
    /// <summary>These queues are added to what each agent serves.</summary>
    Add,
    /// <summary>These queues are taken away (an agent keeps at least one queue).</summary>
    Remove,
}

public sealed record ReallocationRequest(IReadOnlyList<string> AgentIds, ReallocationMode Mode, IReadOnlyList<string> Queues);

/// <summary>Who did something, and from where: what the audit log records.</summary>
public sealed record Actor(string Name, string? Address);

/// <summary>One agent's queues before and after a reallocation.</summary>
public sealed record AgentChange(string AgentId, IReadOnlyList<string> QueuesBefore, IReadOnlyList<string> QueuesAfter);

/// <summary>Projected figures for the rest of the hour with a number of agents (fractional: shared agents count in part).</summary>
public sealed record StaffingFiguresDto(
    double Agents, double? ServiceLevelPercent, double? AsaSeconds, double? OccupancyPercent, double? AbandonPercent, bool Stable);

/// <summary>A queue affected by a reallocation: its load, and the projection without and with the move.</summary>
public sealed record QueueProjectionDto(
    string Queue, string Name, double ArrivalsPerHour, double AhtSeconds, int SlThresholdSeconds, double SlTargetPercent,
    double? MeanPatienceSeconds, string Model, StaffingFiguresDto Without, StaffingFiguresDto With);

/// <summary>A command the dashboard refuses, with the reason in words (unknown agent or queue, empty selection…).</summary>
public sealed class CommandRejectedException(string message, bool notFound = false) : Exception(message)
{
    public bool NotFound { get; } = notFound;
}

/// <summary>
/// What the supervisor console does: project a reallocation (what-if), apply it, set an agent's
/// state. The API endpoints and the console page both go through it, so both are audited alike.
/// </summary>
public interface IConsoleCommands
{
    Task<IReadOnlyList<QueueProjectionDto>> ProjectAsync(ReallocationRequest request, CancellationToken ct = default);

    Task<IReadOnlyList<AgentChange>> ReallocateAsync(ReallocationRequest request, Actor actor, CancellationToken ct = default);

    Task SetStateAsync(string agentId, AgentState state, Actor actor, CancellationToken ct = default);
}
