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

    private static long Count(ContactUpdate update, Func<IntervalCounters, long> counter) => update.Deltas.Sum(d => counter(d.Delta));

    [Fact]
    public async Task A_round_reuses_the_last_rounds_result_only_while_no_earlier_event_has_come_in_since()
    {
        // Appended to the log only: this test drives a worker of its own, as its shard would.
        var stored = (await fx.Log.AppendAsync(
        [
            Created("cache-late", "shards", Day("09:00:00")),
            Abandoned("cache-late", Day("09:01:00")),
            Csat("cache-late", 4, Day("09:02:00")),
        ], fx.Time.GetUtcNow())).Stored;
        var worker = new ContactWorker("cache-late", fx.Log, fx.Options);

        // A round up to the abandon's seq that did not bring it to this worker.
        var first = await worker.ApplyAsync(new ContactBatch("cache-late", 0, stored[1].Seq, [stored[0]], NoEarlierEvents: true));
        Assert.Equal((1, 0), (Count(first, c => c.Offered), Count(first, c => c.Abandoned)));

        // The abandon (seq at or below FromSeq) was counted in an earlier round, by another worker: this round's
        // "before" must include it, not reuse the last round's result, or the abandon would be counted twice.
        var second = await worker.ApplyAsync(new ContactBatch("cache-late", stored[1].Seq, stored[2].Seq, [stored[1], stored[2]]));
        Assert.Equal((0, 0, 1), (Count(second, c => c.Offered), Count(second, c => c.Abandoned), Count(second, c => c.CsatCount)));
    }

    [Fact]
    public async Task Events_read_from_the_log_beyond_a_rounds_seq_are_counted_once_in_the_round_that_reaches_them()
    {
        var stored = (await fx.Log.AppendAsync(
        [
            Created("cache-ahead", "shards", Day("09:10:00")),
            Answered("cache-ahead", "cache-agent", Day("09:10:05")),
            Resolved("cache-ahead", Day("09:12:00"), "cache-agent"),
        ], fx.Time.GetUtcNow())).Stored;
        var worker = new ContactWorker("cache-ahead", fx.Log, fx.Options);

        // The first round reads the contact's whole log, the answer included, though its seq is beyond this round.
        var first = await worker.ApplyAsync(new ContactBatch("cache-ahead", 0, stored[0].Seq, [stored[0]]));
        var second = await worker.ApplyAsync(new ContactBatch("cache-ahead", stored[1].Seq, stored[2].Seq, [stored[2]]));

        Assert.Equal((1, 0), (Count(first, c => c.Offered), Count(first, c => c.Answered)));
        // The answer falls between the rounds: it belongs to the round that covered its seq, not to this one.
        Assert.Equal((0, 0, 1), (Count(second, c => c.Offered), Count(second, c => c.Answered), Count(second, c => c.Handled)));
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
