using Microsoft.AspNetCore.SignalR;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

/// <summary>A control command as the hub and webhooks carry it.</summary>
public sealed record ControlDto(string Id, string Type, string AgentId, IReadOnlyList<string>? Queues, string? State, string RequestedBy, DateTimeOffset At)
{
    public static ControlDto From(ControlCommand c) => new(c.Id, c.Type, c.AgentId, c.Queues, c.State?.Name(), c.RequestedBy, c.At);
}

/// <summary>
/// Hands supervisors' commands to the routing system: on the hub (group "control", for connected
/// routing adapters), to the configured control webhooks, and to listeners in this process (the
/// simulator in demo mode). A listener that fails is logged and never undoes the command.
/// </summary>
public sealed class ControlPublisher(
    IHubContext<WallboardHub, IWallboardClient> hub,
    IEnumerable<IControlListener> listeners,
    WebhookSender webhooks,
    OpsOptions options,
    ILogger<ControlPublisher> logger)
{
    public const string WebhookKind = "control";

    public async Task PublishAsync(IReadOnlyList<ControlCommand> commands, CancellationToken ct)
    {
        foreach (var command in commands)
        {
            var dto = ControlDto.From(command);
            await hub.Clients.Group(WallboardGroups.Control).ControlIssued(dto);
            if (options.Webhooks.Control.Count > 0) webhooks.Enqueue(WebhookKind, options.Webhooks.Control, dto);
            foreach (var listener in listeners)
            {
                try
                {
                    await listener.ApplyAsync(command, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Control listener {Listener} failed on {Type} for {Agent}", listener.GetType().Name, command.Type, command.AgentId);
                }
            }
        }
    }
}
