using Ops.Dashboard.Contracts;

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
    private bool _dirty;

    public Task UpdateAsync(IReadOnlyList<AgentSummary> summaries)
    {
        foreach (var s in summaries) store.State.Agents[s.Id] = s;
        _dirty |= summaries.Count > 0;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AgentSummary>> ListAsync() =>
        Task.FromResult<IReadOnlyList<AgentSummary>>([.. store.State.Agents.Values.OrderBy(a => a.Id, StringComparer.Ordinal)]);

    public Task<IReadOnlyDictionary<string, AgentCounts>> CountsByQueueAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, AgentCounts>>(store.State.Agents.Values
            .SelectMany(a => a.Queues.Select(q => (Queue: q, a.State)))
            .GroupBy(x => x.Queue)
            .ToDictionary(g => g.Key, g => AgentCounts.Of(g.Select(x => x.State))));

    public async Task CheckpointAsync()
    {
        if (!_dirty) return;
        await store.WriteStateAsync();
        _dirty = false;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await CheckpointAsync();
}
