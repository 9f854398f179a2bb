using Microsoft.Extensions.DependencyInjection;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using static Ops.Dashboard.Grains.Tests.Ev;
using static Ops.Dashboard.Testing.TestEvents;

namespace Ops.Dashboard.Grains.Tests;

[Collection(OpsClusterCollection.Name)]
public class LateAndReplayTests(OpsClusterFixture fx)
{
    private IQueueGrain Queue(string id) => fx.Grains.GetGrain<IQueueGrain>(id);

    private bool IsActive(IAddressable grain) => fx.Cluster.TryGetGrainContext(grain.GetGrainId(), out _);

    [Fact]
    public async Task Late_event_for_a_settled_deactivated_contact_still_corrects_the_figures()
    {
        // created 10:00:00, answered 10:00:30 by late-ag (wait 30 s > T 20 s), resolved 10:13:00, no agent
        // events yet: settled, handle ends at resolve -> 750 s, handled in the 10:00 interval.
        await fx.IngestAsync(
            Created("late-1", "late", Day("10:00:00")),
            Answered("late-1", "late-ag", Day("10:00:30")),
            Resolved("late-1", Day("10:13:00"), "late-ag"));
        var before = await Queue("late").GetIntervalsAsync(T(Day("00:00:00")), T(Day("23:59:59")));
        var row = Assert.Single(before);
        Assert.Equal(Ms(Day("10:00:00")), row.StartMs);
        Assert.Equal(new IntervalCounters { Offered = 1, Answered = 1, AnswerWaitMs = 30_000, Handled = 1, HandleMs = 750_000 }, row.Counters);

        // Dropping the whole shard is at least as forgetful as dropping the contact.
        var shard = ContactShards.For(fx.Grains, "late-1");
        await fx.Cluster.DeactivateAsync(shard);
        Assert.False(IsActive(shard));

        // The agent's states arrive late: wrap-up 10:13:00..10:16:00 -> handle ends 10:16:00 (10:15 interval), 930 s.
        await fx.IngestAsync(
            State("late-ag", AgentState.OnContact, Day("10:00:30")),
            State("late-ag", AgentState.WrapUp, Day("10:13:00")),
            State("late-ag", AgentState.Available, Day("10:16:00")));

        var after = await Queue("late").GetIntervalsAsync(T(Day("00:00:00")), T(Day("23:59:59")));
        Assert.Collection(after,
            r => Assert.Equal((Ms(Day("10:00:00")), new IntervalCounters { Offered = 1, Answered = 1, AnswerWaitMs = 30_000 }), (r.StartMs, r.Counters)),
            r => Assert.Equal((Ms(Day("10:15:00")), new IntervalCounters { Handled = 1, HandleMs = 930_000 }), (r.StartMs, r.Counters)));
        Assert.Equal(
            new IntervalCounters { Offered = 1, Answered = 1, AnswerWaitMs = 30_000, Handled = 1, HandleMs = 930_000 },
            (await Queue("late").GetSnapshotAsync()).Today);

        // A late CSAT for the again settled, again deactivated contact: counted once, in 10:30 (its arrival).
        await fx.Cluster.DeactivateAsync(shard);
        Assert.False(IsActive(shard));
        await fx.IngestAsync(Csat("late-1", 5, Day("10:40:00")));
        var today = (await Queue("late").GetSnapshotAsync()).Today;
        Assert.Equal((1L, 5L, 1L, 930_000L), (today.CsatCount, today.CsatScoreSum, today.Handled, today.HandleMs));
        var view = await shard.GetAsync("late-1");
        Assert.Equal((5, 4, ContactStatus.Resolved), (view!.Csat, view.EventCount, view.Status));
    }

    [Fact]
    public async Task Contact_view_read_after_the_contact_settled_includes_the_agents_wrap_up()
    {
        // created 10:20:00, answered 10:20:10, resolved 10:24:00, agent wrap-up 10:24:00..10:26:00
        // -> handle 10:20:10..10:26:00 = 350 s (the queue counts exactly that)
        await fx.IngestAsync(
            Created("view-1", "view", Day("10:20:00")),
            Answered("view-1", "view-ag", Day("10:20:10")),
            State("view-ag", AgentState.OnContact, Day("10:20:10")),
            Resolved("view-1", Day("10:24:00"), "view-ag"),
            State("view-ag", AgentState.WrapUp, Day("10:24:00")),
            State("view-ag", AgentState.Available, Day("10:26:00")));
        var row = Assert.Single(await Queue("view").GetIntervalsAsync(T(Day("10:15:00")), T(Day("10:30:00"))));
        Assert.Equal((1L, 350_000L), (row.Counters.Handled, row.Counters.HandleMs));

        // A settled contact is dropped by its shard; GET /api/v1/contacts/{id} then rebuilds it from the log.
        var shard = ContactShards.For(fx.Grains, "view-1");
        await fx.Cluster.DeactivateAsync(shard);
        var view = await shard.GetAsync("view-1");
        var segment = Assert.Single(view!.Segments);
        Assert.Equal(T(Day("10:26:00")), segment.HandleEndAt);
        Assert.Equal(350.0, segment.HandleSeconds);
    }

    [Fact]
    public async Task Replayed_queue_batch_below_the_checkpointed_seq_is_not_counted_again()
    {
        var queue = Queue("replay");
        var key = IntervalKey.Of("replay", T(Day("11:00:00")));
        var one = new IntervalCounters { Offered = 1, Answered = 1, AnsweredWithinThreshold = 1, AnswerWaitMs = 5_000 };
        var round1 = new QueueBatch(100, 110, [new CounterDelta(key, one)], []);
        var round2 = new QueueBatch(110, 120, [new CounterDelta(key, one)], []);
        var older = new QueueBatch(90, 100, [new CounterDelta(key, one)], []);

        await queue.ApplyAsync(round1);
        await queue.CheckpointAsync();
        var intervals = fx.Cluster.GetSiloServiceProvider().GetRequiredService<IntervalStore>();
        Assert.Equal(110, (await intervals.ReadProgressAsync())["replay"]);

        // After a restart of the grain (state from the table), the same round and an older one are replayed.
        await fx.Cluster.DeactivateAsync(queue);
        Assert.False(IsActive(queue));
        await queue.ApplyAsync(round1);
        await queue.ApplyAsync(older);
        Assert.Equal(one, await Counters(queue, key));

        // The next round counts.
        await queue.ApplyAsync(round2);
        Assert.Equal(one + one, await Counters(queue, key));
        // and is not counted twice either, checkpointed or not
        await queue.ApplyAsync(round2);
        Assert.Equal(one + one, await Counters(queue, key));
        await queue.CheckpointAsync();
        await fx.Cluster.DeactivateAsync(queue);
        await queue.ApplyAsync(round2);
        Assert.Equal(one + one, await Counters(queue, key));
        Assert.Equal(one + one, (await queue.GetSnapshotAsync()).Today);
    }

    [Fact]
    public async Task Replayed_queue_batch_still_applies_its_waiting_facts()
    {
        // Waiting facts are absolute, so a replayed round may (re)state them without harm.
        var queue = Queue("replay");
        var fact = new WaitingFact("replay", "rp-w1", T(Day("11:05:00")), Priority.High, Channel.Phone);
        await queue.ApplyAsync(new QueueBatch(200, 210, [], [fact]));
        await queue.CheckpointAsync();
        await fx.Cluster.DeactivateAsync(queue);
        await queue.ApplyAsync(new QueueBatch(190, 200, [], [fact]));
        await queue.ApplyAsync(new QueueBatch(190, 200, [], [fact]));
        Assert.Single((await queue.GetSnapshotAsync()).Next, w => w.ContactId == "rp-w1");
        await queue.ApplyAsync(new QueueBatch(210, 220, [], [fact with { WaitingSince = null }]));
        Assert.DoesNotContain((await queue.GetSnapshotAsync()).Next, w => w.ContactId == "rp-w1");
    }

    [Fact]
    public async Task Repeated_batch_and_re_enqueued_events_are_not_counted_twice()
    {
        // d1: created 11:00:00, answered 11:00:05 (within), resolved 11:02:00 (handle 115 s); d2: abandoned after 30 s
        OpsEvent[] batch =
        [
            Created("dup-1", "dupes", Day("11:00:00")),
            Answered("dup-1", "dup-ag", Day("11:00:05")),
            Resolved("dup-1", Day("11:02:00"), "dup-ag"),
            Created("dup-2", "dupes", Day("11:01:00")),
            Abandoned("dup-2", Day("11:01:30")),
        ];
        var expected = new IntervalCounters
        {
            Offered = 2, Answered = 1, AnsweredWithinThreshold = 1, AnswerWaitMs = 5_000, Handled = 1, HandleMs = 115_000,
            Abandoned = 1, AbandonWaitMs = 30_000,
        };

        var first = await fx.IngestAsync(batch);
        Assert.Equal((5, 0), (first.Stored.Count, first.Duplicates));
        Assert.Equal(expected, (await Queue("dupes").GetSnapshotAsync()).Today);

        // the source sends the same batch again: the log drops it as duplicates
        var again = await fx.IngestAsync(batch);
        Assert.Equal((0, 5), (again.Stored.Count, again.Duplicates));

        // the already applied events are handed to the dispatcher once more (a replayed round), then new work arrives
        fx.Dispatcher.Enqueue(first.Stored);
        await fx.IngestAsync(Created("dup-3", "dupes", Day("11:05:00")));

        Assert.Equal(expected with { Offered = 3 }, (await Queue("dupes").GetSnapshotAsync()).Today);
        Assert.Equal(1, (await Queue("dupes").GetSnapshotAsync()).Waiting);
    }

    private static async Task<IntervalCounters> Counters(IQueueGrain queue, IntervalKey key)
    {
        var rows = await queue.GetIntervalsAsync(key.Start, key.Start.AddMinutes(15));
        return Assert.Single(rows).Counters;
    }
}
