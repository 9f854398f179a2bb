using Microsoft.Extensions.Logging;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>
/// Applies the dashboard's control commands to the running simulation, as an ACD would: the engine
/// queues them and the live loop applies them in its next step (or at the command's time, if the
/// simulation has not reached it yet, e.g. while it is still generating history). Safe to call from
/// any thread; a command the simulator cannot honour is logged and ignored, never thrown.
/// </summary>
public sealed class SimulatorControl(SimulationEngine engine, ILogger<SimulatorControl> logger) : IControlListener
{
    public Task ApplyAsync(ControlCommand command, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return Task.FromCanceled(ct);
        }
        if (!TryApply(command))
        {
            logger.LogWarning("Simulator ignored control command {Id} ({Type}) for agent {AgentId}: unknown agent, queue, state or type",
                command?.Id, command?.Type, command?.AgentId);
        }
        return Task.CompletedTask;
    }

    /// <summary>Hands the command to the engine; false when it names an unknown agent, queue, state or type (nothing changes then).</summary>
    public bool TryApply(ControlCommand? command) => command switch
    {
        { Type: ControlTypes.AgentQueues, Queues: { } queues } => engine.SetAgentQueues(command.AgentId, queues, command.At),
        { Type: ControlTypes.AgentState, State: { } state } => engine.SetAgentState(command.AgentId, state, command.At),
        _ => false,
    };
}
