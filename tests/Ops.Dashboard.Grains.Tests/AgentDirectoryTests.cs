using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Grains.Tests;

[Collection(OpsClusterCollection.Name)]
public class AgentDirectoryTests(OpsClusterFixture fx)
{
    private static AgentSummary Agent(string id, AgentState state, params string[] queues) =>
        new(id, null, null, state, OpsClusterFixture.Now, queues, null, DateOnly.FromDateTime(OpsClusterFixture.Now.Date), 0, 0);

    [Fact]
    public async Task Counts_by_queue_follow_each_agents_state_and_queues_as_a_fresh_count_would()
    {
        var directory = fx.Grains.GetGrain<IAgentDirectoryGrain>(0);
        await directory.UpdateAsync([Agent("dir-a1", AgentState.Available, "dir-x", "dir-y"), Agent("dir-a2", AgentState.OnContact, "dir-x")]);
        var counts = await directory.CountsByQueueAsync();
        Assert.Equal(new AgentCounts(1, 1, 0, 0, 0, 0), counts["dir-x"]);
        Assert.Equal(new AgentCounts(1, 0, 0, 0, 0, 0), counts["dir-y"]);

        // Moves out of a queue, state changes, and a repeated summary count once.
        await directory.UpdateAsync([Agent("dir-a1", AgentState.Break, "dir-y"), Agent("dir-a2", AgentState.Offline, "dir-x"), Agent("dir-a2", AgentState.Offline, "dir-x")]);
        counts = await directory.CountsByQueueAsync();
        Assert.Equal(new AgentCounts(0, 0, 0, 0, 0, 1), counts["dir-x"]);
        Assert.Equal(new AgentCounts(0, 0, 0, 1, 0, 0), counts["dir-y"]);

        // A queue whose last agent leaves is not listed.
        await directory.UpdateAsync([Agent("dir-a2", AgentState.Available)]);
        counts = await directory.CountsByQueueAsync();
        Assert.False(counts.ContainsKey("dir-x"));

        // And every queue's counts equal a count of the whole floor now (other tests' agents included).
        var fresh = (await directory.ListAsync())
            .SelectMany(a => a.Queues.Select(q => (Queue: q, a.State)))
            .GroupBy(p => p.Queue)
            .ToDictionary(g => g.Key, g => AgentCounts.Of(g.Select(p => p.State)));
        Assert.Equal(fresh.OrderBy(kv => kv.Key), counts.OrderBy(kv => kv.Key));
    }
}
