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
    // Per queue, its agents by state (slots as AgentCounts orders them), kept up to date by each update:
    // a round changes a few thousand agents, and counting all of them again took 2–3 % of the ingestion's CPU.
    private Dictionary<string, int[]>? _tally;

    public Task UpdateAsync(IReadOnlyList<AgentSummary> summaries)
    {
        var agents = Persisted.Live.Agents;
        var tally = _tally ??= Tally(agents.Values);
        foreach (var s in summaries)
        {
            if (agents.TryGetValue(s.Id, out var old)) Count(tally, old, -1);
            Count(tally, s, +1);
            agents[s.Id] = s;
        }
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

    /// <summary>The counts of the queues that have agents (a queue whose last agent left drops out, as it would when counted afresh).</summary>
    private Dictionary<string, AgentCounts> CountByQueue()
    {
        var tally = _tally ??= Tally(Persisted.Live.Agents.Values);
        var counts = new Dictionary<string, AgentCounts>(tally.Count, StringComparer.Ordinal);
        foreach (var (queue, t) in tally)
            if (t[0] + t[1] + t[2] + t[3] + t[4] + t[5] > 0) counts[queue] = new AgentCounts(t[0], t[1], t[2], t[3], t[4], t[5]);
        return counts;
    }

    private static Dictionary<string, int[]> Tally(IEnumerable<AgentSummary> agents)
    {
        var tally = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var agent in agents) Count(tally, agent, +1);
        return tally;
    }

    private static void Count(Dictionary<string, int[]> tally, AgentSummary agent, int by)
    {
        var slot = agent.State switch
        {
            AgentState.Available => 0,
            AgentState.OnContact => 1,
            AgentState.WrapUp => 2,
            AgentState.Break => 3,
            AgentState.Training => 4,
            _ => 5,
        };
        foreach (var queue in agent.Queues)
        {
            if (!tally.TryGetValue(queue, out var t)) tally[queue] = t = new int[6];
            t[slot] += by;
        }
    }

    public Task CheckpointAsync() => Persisted.WriteAsync();

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await CheckpointAsync();
}
