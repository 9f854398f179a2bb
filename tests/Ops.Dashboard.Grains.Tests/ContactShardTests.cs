using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using static Ops.Dashboard.Grains.Tests.Ev;
using static Ops.Dashboard.Testing.TestEvents;

namespace Ops.Dashboard.Grains.Tests;

[Collection(OpsClusterCollection.Name)]
public class ContactShardTests(OpsClusterFixture fx)
{
    // Read in the test's thread: no round runs meanwhile, and the fake clock never makes the sweep drop anything.
    private bool Holds(string contactId) =>
        fx.Cluster.TryGetGrainContext(ContactShards.For(fx.Grains, contactId).GetGrainId(), out var context)
        && ((ContactShardGrain)context.GrainInstance!).Holds(contactId);

    [Fact]
    public async Task Settled_contact_is_dropped_and_its_view_is_rebuilt_from_the_log()
    {
        await fx.IngestAsync(
            Created("shard-done", "shards", Day("12:00:00")),
            Answered("shard-done", "shard-ag", Day("12:00:10")),
            Resolved("shard-done", Day("12:05:00"), "shard-ag"),
            Created("shard-open", "shards", Day("12:01:00")));

        Assert.False(Holds("shard-done"));
        Assert.True(Holds("shard-open"));

        var done = await ContactShards.For(fx.Grains, "shard-done").GetAsync("shard-done");
        Assert.Equal((ContactStatus.Resolved, 3, "shard-ag"), (done!.Status, done.EventCount, done.Segments[0].AgentId));
        var open = await ContactShards.For(fx.Grains, "shard-open").GetAsync("shard-open");
        Assert.Equal((ContactStatus.Waiting, 1), (open!.Status, open.EventCount));

        // An id the log does not know is not kept.
        Assert.Null(await ContactShards.For(fx.Grains, "shard-none").GetAsync("shard-none"));
        Assert.False(Holds("shard-none"));
    }

    [Fact]
    public void Sweep_picks_the_contacts_unused_for_the_idle_time()
    {
        var now = OpsClusterFixture.Now;
        ContactWorker Worker(string id, TimeSpan unused) => new(id, fx.Log, fx.Options) { LastUsed = now - unused };
        var contacts = new[]
        {
            Worker("fresh", TimeSpan.Zero),
            Worker("almost", ContactShardGrain.IdleTime - TimeSpan.FromSeconds(1)),
            Worker("idle", ContactShardGrain.IdleTime),
            Worker("long-idle", TimeSpan.FromHours(1)),
        }.ToDictionary(w => w.Id);

        Assert.Equal(["idle", "long-idle"], ContactShardGrain.Idle(contacts, now).Order());
    }

    [Fact]
    public void Shard_of_a_contact_is_stable_and_in_range()
    {
        // Fixed values (FNV-1a modulo 32): the same in every process, unlike string.GetHashCode.
        Assert.Equal((20, 24), (ContactShards.Of("c-1"), ContactShards.Of("contact-42")));
        var shards = Enumerable.Range(0, 10_000).Select(i => ContactShards.Of($"c-{i}")).ToList();
        Assert.All(shards, s => Assert.InRange(s, 0, ContactShards.Count - 1));
        Assert.Equal(ContactShards.Count, shards.Distinct().Count());
    }
}
