using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Grains;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>
/// Reallocation, agent state control and the what-if projection. A command becomes an event of the
/// dashboard's own in the event log (so the live state changes at once, durably, through the same
/// path as every source), an audit entry, and a control command for the routing system.
/// </summary>
public sealed class ConsoleCommandService(
    ReadModel read,
    IGrainFactory grains,
    IngestionService ingestion,
    EventDispatcher dispatcher,
    ControlPublisher control,
    AuditLog audit,
    OpsOptions options,
    TimeProvider time) : IConsoleCommands
{
    public const int MaxAgentsPerCommand = 500;
    /// <summary>How far back the arrival rate and AHT of a what-if are measured.</summary>
    public static readonly TimeSpan LoadWindow = TimeSpan.FromMinutes(60);
    private static readonly TimeSpan ApplyWait = TimeSpan.FromSeconds(10);
    private static readonly AgentState[] Serving = [AgentState.Available, AgentState.OnContact, AgentState.WrapUp];

    public async Task<IReadOnlyList<AgentChange>> ReallocateAsync(ReallocationRequest request, Actor actor, CancellationToken ct = default)
    {
        var plan = await PlanAsync(request);
        var now = time.GetUtcNow();
        var changes = plan.Where(p => !p.Before.SequenceEqual(p.After)).ToList();
        if (changes.Count == 0) return [.. plan.Select(p => new AgentChange(p.Agent.Id, p.Before, p.After))];

        var commands = changes.Select(c => ControlCommand.SetQueues(NewId(), c.Agent.Id, c.After, actor.Name, now)).ToList();
        await ApplyAsync(commands.Select(c => new OpsEvent { Id = c.Id, Type = EventType.AgentQueues, At = now, AgentId = c.AgentId, Queues = [.. c.Queues!] }).ToList(), ct);
        foreach (var c in changes)
        {
            await audit.AppendAsync(now, actor.Name, AuditActions.AgentQueues, AgentLabel(c.Agent.Id, c.Agent.Name),
                $"{Queues(c.Before)} → {Queues(c.After)} ({request.Mode.ToString().ToLowerInvariant()})", actor.Address, ct: ct);
        }
        await control.PublishAsync(commands, ct);
        return [.. plan.Select(p => new AgentChange(p.Agent.Id, p.Before, p.After))];
    }

    public async Task SetStateAsync(string agentId, AgentState state, Actor actor, CancellationToken ct = default)
    {
        // One agent's grain, not the whole floor's list.
        var agent = await grains.GetGrain<IAgentGrain>(agentId).GetAsync()
            ?? throw new CommandRejectedException($"agentId: no agent '{agentId}'", notFound: true);
        var now = time.GetUtcNow();
        var command = ControlCommand.SetState(NewId(), agentId, state, actor.Name, now);
        await ApplyAsync([new OpsEvent { Id = command.Id, Type = EventType.AgentState, At = now, AgentId = agentId, State = state }], ct);
        await audit.AppendAsync(now, actor.Name, AuditActions.AgentState, AgentLabel(agent.Id, agent.Name), $"{agent.State.Name()} → {state.Name()}", actor.Address, ct: ct);
        await control.PublishAsync([command], ct);
    }

    public async Task<IReadOnlyList<QueueProjectionDto>> ProjectAsync(ReallocationRequest request, CancellationToken ct = default)
    {
        var plan = await PlanAsync(request);
        var agents = await read.AgentsAsync();
        var after = plan.ToDictionary(p => p.Agent.Id, p => p.After);
        var affected = plan.SelectMany(p => p.Before.Except(p.After).Concat(p.After.Except(p.Before))).Distinct(StringComparer.Ordinal)
            .Where(q => options.FindQueue(q) is not null).Order(StringComparer.Ordinal).ToList();

        var result = new List<QueueProjectionDto>();
        foreach (var queue in affected)
        {
            var q = options.FindQueue(queue)!;
            var load = await LoadAsync(queue, q);
            var projection = WhatIf.Project(load, AgentsServing(agents, queue, null), AgentsServing(agents, queue, after));
            result.Add(new QueueProjectionDto(queue, q.Name, load.ArrivalsPerHour, load.AhtSeconds, q.SlThresholdSeconds, q.SlTargetPercent,
                load.MeanPatienceSeconds, projection.Model, Dto(projection.Without), Dto(projection.With)));
        }
        return result;
    }

    /// <summary>
    /// Agents serving a queue now, an agent serving k queues counting 1/k (its time is shared);
    /// <paramref name="after"/> replaces the queues of the agents it names.
    /// </summary>
    public static double AgentsServing(IEnumerable<AgentDto> agents, string queue, IReadOnlyDictionary<string, IReadOnlyList<string>>? after)
    {
        var total = 0.0;
        foreach (var a in agents)
        {
            if (!Serving.Any(s => s.Name() == a.State)) continue;
            var queues = after?.GetValueOrDefault(a.Id) ?? a.Queues;
            if (queues.Contains(queue)) total += 1.0 / queues.Count;
        }
        return total;
    }

    /// <summary>The queue's arrival rate, AHT and customers' patience over the last hour (AHT falls back to today, then 300 s).</summary>
    private async Task<QueueLoad> LoadAsync(string queue, QueueOptions q)
    {
        var now = time.GetUtcNow();
        var rows = await grains.GetGrain<IQueueGrain>(queue).GetIntervalsAsync(now - LoadWindow, now);
        var from = rows.Count == 0 ? now - LoadWindow : DateTimeOffset.FromUnixTimeMilliseconds(rows.Min(r => r.StartMs));
        var sum = rows.Aggregate(IntervalCounters.Zero, (acc, r) => acc + r.Counters);
        var hours = Math.Max((now - (from < now - LoadWindow ? now - LoadWindow : from)).TotalHours, 0.25);
        var today = (await grains.GetGrain<IQueueGrain>(queue).GetSnapshotAsync()).Today;
        var aht = Kpi.AhtSeconds(sum) ?? Kpi.AhtSeconds(today) ?? 300;
        var patience = WhatIf.MeanPatienceSeconds((sum.AnswerWaitMs + sum.AbandonWaitMs) / 1000.0, sum.Abandoned);
        return new QueueLoad(sum.Offered / hours, aht, q.SlThresholdSeconds, q.SlTargetPercent, patience);
    }

    /// <summary>Validates a request and works out each agent's queues after it.</summary>
    private async Task<List<(AgentDto Agent, IReadOnlyList<string> Before, IReadOnlyList<string> After)>> PlanAsync(ReallocationRequest request)
    {
        if (request.AgentIds.Count == 0) throw new CommandRejectedException("agentIds: select at least one agent");
        if (request.AgentIds.Count > MaxAgentsPerCommand) throw new CommandRejectedException($"agentIds: at most {MaxAgentsPerCommand} agents per command");
        if (request.Queues.Count == 0) throw new CommandRejectedException("queues: name at least one queue");
        for (var i = 0; i < request.Queues.Count; i++)
            if (options.FindQueue(request.Queues[i]) is null) throw new CommandRejectedException($"queues[{i}]: unknown queue '{request.Queues[i]}'");
        var agents = (await read.AgentsAsync()).ToDictionary(a => a.Id, StringComparer.Ordinal);
        var plan = new List<(AgentDto, IReadOnlyList<string>, IReadOnlyList<string>)>();
        foreach (var id in request.AgentIds.Distinct(StringComparer.Ordinal))
        {
            if (!agents.TryGetValue(id, out var agent)) throw new CommandRejectedException($"agentIds: no agent '{id}'", notFound: true);
            IReadOnlyList<string> next = request.Mode switch
            {
                ReallocationMode.Replace => [.. request.Queues.Distinct(StringComparer.Ordinal)],
                ReallocationMode.Add => [.. agent.Queues.Concat(request.Queues).Distinct(StringComparer.Ordinal)],
                _ => [.. agent.Queues.Except(request.Queues, StringComparer.Ordinal)],
            };
            if (next.Count == 0) throw new CommandRejectedException($"queues: agent '{AgentLabel(agent.Id, agent.Name)}' would serve no queue; move it instead");
            plan.Add((agent, agent.Queues, next));
        }
        return plan;
    }

    /// <summary>Stores the events like any source's and waits until the grains show them.</summary>
    private async Task ApplyAsync(IReadOnlyList<OpsEvent> events, CancellationToken ct)
    {
        var stored = await ingestion.IngestAsync(events, ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ApplyWait);
        try
        {
            await dispatcher.WaitForAsync(stored.LastSeq, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Stored durably already; the screens catch up when the dispatcher does.
        }
    }

    private static StaffingFiguresDto Dto(StaffingFigures f) =>
        new(f.Agents, f.ServiceLevelPercent, f.AsaSeconds, f.OccupancyPercent, f.AbandonPercent, f.Stable);

    private static string NewId() => "console-" + Guid.NewGuid().ToString("N");

    private static string AgentLabel(string id, string? name) => name is { Length: > 0 } ? $"{id} ({name})" : id;

    private static string Queues(IReadOnlyList<string> queues) => queues.Count == 0 ? "(none)" : string.Join(", ", queues);
}
