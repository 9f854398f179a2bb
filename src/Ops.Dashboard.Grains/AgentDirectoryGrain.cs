using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Grains;

[GenerateSerializer, Alias("ops.agent-directory-state")]
public sealed class AgentDirectoryState
{
    [Id(0)] public Dictionary<string, AgentSummary> Agents { get; set; } = [];
}

/// <summary>Every agent's latest summary, so that the floor is one call instead of thousands.</summary>
[GrainType("agent-directory")]
public sealed class AgentDirectoryGrain(
    [PersistentState("agents", OpsGrainStorage.Name)] IPersistentState<AgentDirectoryState> store) : Grain, IAgentDirectoryGrain
{
    private PersistentCheckpoint<AgentDirectoryState>? _checkpoint;
    private PersistentCheckpoint<AgentDirectoryState> Persisted => _checkpoint ??= new(GrainContext, store, "agents", s => new() { Agents = new(s.Agents) });
    // Every read of a queue asks for these; worked out once per change of the floor, not per read.
    private IReadOnlyDictionary<string, AgentCounts>? _counts;

    public Task UpdateAsync(IReadOnlyList<AgentSummary> summaries)
    {
        foreach (var s in summaries) Persisted.Live.Agents[s.Id] = s;
        if (summaries.Count > 0)
        {
            Persisted.MarkDirty();
            _counts = null;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AgentSummary>> ListAsync() =>
        Task.FromResult<IReadOnlyList<AgentSummary>>([.. Persisted.Live.Agents.Values.OrderBy(a => a.Id, StringComparer.Ordinal)]);

    public Task<IReadOnlyDictionary<string, AgentCounts>> CountsByQueueAsync() => Task.FromResult(_counts ??= CountByQueue());

    // One pass without LINQ: this runs after every round that a read follows, over every agent's queues.
    private Dictionary<string, AgentCounts> CountByQueue()
    {
        var states = new Dictionary<string, List<AgentState>>(StringComparer.Ordinal);
        foreach (var agent in Persisted.Live.Agents.Values)
        {
            foreach (var queue in agent.Queues)
            {
                if (!states.TryGetValue(queue, out var list)) states[queue] = list = [];
                list.Add(agent.State);
            }
        }
        var counts = new Dictionary<string, AgentCounts>(states.Count, StringComparer.Ordinal);
        foreach (var (queue, list) in states) counts[queue] = AgentCounts.Of(list);
        return counts;
    }

    public Task CheckpointAsync() => Persisted.WriteAsync();

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await CheckpointAsync();
}
