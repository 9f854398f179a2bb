using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

/// <summary>Everything a screen receives: the first message after subscribing, and again after a reconnect.</summary>
public sealed record WallboardSnapshot(
    IReadOnlyList<QueueDto> Queues, IReadOnlyList<AgentDto> Agents, long AppliedSeq, DateTimeOffset At, IReadOnlyList<AlarmDto>? Alarms = null);

public sealed record Heartbeat(long AppliedSeq, DateTimeOffset At);

/// <summary>The client methods of <see cref="WallboardHub"/>; their names are the wire names.</summary>
public interface IWallboardClient
{
    Task Snapshot(WallboardSnapshot snapshot);

    Task QueueUpdated(QueueDto queue);

    Task AgentStatesUpdated(IReadOnlyList<AgentDto> agents);

    /// <summary>Sent at least every 2 s, so a screen can tell a quiet floor from a dead feed.</summary>
    Task Heartbeat(Heartbeat heartbeat);

    Task AlarmRaised(AlarmDto alarm);

    Task AlarmAcknowledged(AlarmDto alarm);

    /// <summary>Nobody acknowledged in time: the alarm's severity went up and the escalation targets were told.</summary>
    Task AlarmEscalated(AlarmDto alarm);

    Task AlarmCleared(AlarmDto alarm);

    /// <summary>A supervisor's command for the routing system (to <see cref="WallboardHub.SubscribeControl"/>).</summary>
    Task ControlIssued(ControlDto command);
}

/// <summary>Group names in one place.</summary>
public static class WallboardGroups
{
    public const string All = "all";
    public static string Queue(string id) => "queue:" + id;
    public static string Board(string name) => "board:" + name;
    public const string Control = "control";
}

/// <summary>
/// <c>/hubs/wallboard</c>. Clients subscribe to everything, a queue or a board and get a snapshot at
/// once; updates are pushed by <see cref="WallboardHubBridge"/> through IHubContext.
/// </summary>
[Authorize(Policy = Policies.Live)]
public sealed class WallboardHub(LiveFeed feed, BoardCatalog boards, OpsOptions options) : Hub<IWallboardClient>
{
    public const string Path = "/hubs/wallboard";

    public async Task SubscribeAll()
    {
        RequireFullView();
        await Groups.AddToGroupAsync(Context.ConnectionId, WallboardGroups.All);
        await Clients.Caller.Snapshot(Snapshot(_ => true, allAgents: true));
    }

    public async Task SubscribeQueue(string queue)
    {
        RequireFullView();
        if (options.FindQueue(queue) is null) throw new HubException($"unknown queue '{queue}'");
        await Groups.AddToGroupAsync(Context.ConnectionId, WallboardGroups.Queue(queue));
        await Clients.Caller.Snapshot(Snapshot(q => q == queue));
    }

    public async Task SubscribeBoard(string board)
    {
        if (AccessExtensions.KioskBoard(Context.User!) is { } own && !string.Equals(own, board, StringComparison.OrdinalIgnoreCase))
            throw new HubException($"this kiosk token shows the board '{own}' only");
        var load = boards.Load(board);
        if (load.Board is null) throw new HubException($"{load.File}: {string.Join("; ", load.Errors)}");
        var queues = load.Board.QueueIds();
        await Groups.AddToGroupAsync(Context.ConnectionId, WallboardGroups.Board(board));
        await Clients.Caller.Snapshot(Snapshot(queues.Contains));
    }

    /// <summary>
    /// Control commands for a routing adapter (an ACD integration holding an API key) or a supervisor's
    /// tool: what the console decided, to apply in the routing system.
    /// </summary>
    public async Task SubscribeControl()
    {
        if (!AccessExtensions.IsSource(Context.User!) && !AccessExtensions.HasRole(Context.User!, AccessExtensions.ShiftManagerAndAbove))
            throw new HubException("control commands are for API keys and ShiftManager and above");
        await Groups.AddToGroupAsync(Context.ConnectionId, WallboardGroups.Control);
    }

    /// <summary>A kiosk token shows its own board and nothing else.</summary>
    private void RequireFullView()
    {
        if (AccessExtensions.KioskBoard(Context.User!) is { } own)
            throw new HubException($"this kiosk token shows the board '{own}' only");
    }

    // "Everything" includes agents who serve no queue yet; a queue or board shows the agents serving it.
    // Alarms about a queue go with the queue; alarms about no queue (a silent source) concern everyone.
    private WallboardSnapshot Snapshot(Func<string, bool> queue, bool allAgents = false) => new(
        [.. feed.Queues.Where(q => queue(q.Id)).OrderBy(q => q.Id, StringComparer.Ordinal)],
        [.. feed.Agents.Where(a => allAgents || a.Queues.Any(queue)).OrderBy(a => a.Id, StringComparer.Ordinal)],
        feed.AppliedSeq,
        feed.LastUpdateAt ?? DateTimeOffset.UnixEpoch,
        [.. feed.Alarms.Where(a => a.Queue is null || queue(a.Queue)).Select(AlarmDto.From)]);
}

/// <summary>Pushes this node's live changes to its SignalR clients, each to the groups that show it.</summary>
public sealed class WallboardHubBridge(LiveFeed feed, BoardCatalog boards, IHubContext<WallboardHub, IWallboardClient> hub) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = feed.Subscribe(PushAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private long _lastHeartbeatTicks;

    private async Task PushAsync(LiveChange change)
    {
        var sends = new List<Task>();
        // At most one heartbeat a second, so a board whose queues are quiet still knows the feed is alive.
        if (change.ReceivedAt.UtcTicks - Interlocked.Read(ref _lastHeartbeatTicks) >= TimeSpan.TicksPerSecond)
        {
            Interlocked.Exchange(ref _lastHeartbeatTicks, change.ReceivedAt.UtcTicks);
            sends.Add(hub.Clients.All.Heartbeat(new Heartbeat(change.AppliedSeq, change.ReceivedAt)));
        }
        foreach (var q in change.Queues)
            sends.Add(hub.Clients.Groups(Groups(q.Id)).QueueUpdated(q));
        if (change.Agents.Count > 0)
        {
            // Everyone subscribed to everything hears of every agent; a queue's (and board's) subscribers
            // hear of the agents serving it now or until this change, so a moved agent leaves their lists.
            sends.Add(hub.Clients.Group(WallboardGroups.All).AgentStatesUpdated(change.Agents));
            var byQueue = change.Agents
                .SelectMany(a => a.Queues.Concat(change.PreviousAgentQueues?.GetValueOrDefault(a.Id) ?? []).Distinct().Select(q => (Queue: q, Agent: a)))
                .GroupBy(x => x.Queue, x => x.Agent);
            foreach (var g in byQueue)
                foreach (var group in Groups(g.Key).Where(x => x != WallboardGroups.All))
                    sends.Add(hub.Clients.Group(group).AgentStatesUpdated([.. g]));
        }
        foreach (var a in change.Alarms ?? [])
        {
            var clients = a.Alarm.Queue is { } queue ? hub.Clients.Groups(Groups(queue)) : hub.Clients.All;
            var dto = AlarmDto.From(a.Alarm);
            sends.Add(a.Change switch
            {
                AlarmChanges.Raised => clients.AlarmRaised(dto),
                AlarmChanges.Acknowledged => clients.AlarmAcknowledged(dto),
                AlarmChanges.Escalated => clients.AlarmEscalated(dto),
                _ => clients.AlarmCleared(dto),
            });
        }
        await Task.WhenAll(sends);
    }

    private IReadOnlyList<string> Groups(string queue) =>
        [WallboardGroups.All, WallboardGroups.Queue(queue), .. boards.BoardsShowing(queue).Select(WallboardGroups.Board)];
}
