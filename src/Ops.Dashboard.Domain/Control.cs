namespace Ops.Dashboard.Domain;

/// <summary>
/// A supervisor's command for the routing system (the ACD, or the simulator in demo mode): serve
/// these queues, or change to this state. The dashboard records it as an event of its own and
/// publishes it on the hub, to outbound webhooks and to in-process listeners.
/// </summary>
public sealed record ControlCommand(
    string Id,
    string Type,
    string AgentId,
    IReadOnlyList<string>? Queues,
    AgentState? State,
    string RequestedBy,
    DateTimeOffset At)
{
    public static ControlCommand SetQueues(string id, string agentId, IReadOnlyList<string> queues, string requestedBy, DateTimeOffset at) =>
        new(id, ControlTypes.AgentQueues, agentId, queues, null, requestedBy, at);

    public static ControlCommand SetState(string id, string agentId, AgentState state, string requestedBy, DateTimeOffset at) =>
        new(id, ControlTypes.AgentState, agentId, null, state, requestedBy, at);
}

/// <summary>The wire names of control commands (the same as the events they become).</summary>
public static class ControlTypes
{
    public const string AgentQueues = "agent.queues";
    public const string AgentState = "agent.state";
}

/// <summary>Something in this process that applies control commands (the built-in simulator).</summary>
public interface IControlListener
{
    Task ApplyAsync(ControlCommand command, CancellationToken ct);
}
