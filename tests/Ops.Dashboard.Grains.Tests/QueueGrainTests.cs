using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using static Ops.Dashboard.Grains.Tests.Ev;
using static Ops.Dashboard.Testing.TestEvents;

namespace Ops.Dashboard.Grains.Tests;

[Collection(OpsClusterCollection.Name)]
public class QueueGrainTests(OpsClusterFixture fx)
{
    /// <summary>
    /// Five phone contacts (T = 20 s, S = 5 s) in delivery rounds as they happen:
    ///   c1 created 09:00:00, answered 09:00:10 by A (wait 10 s, within), resolved 09:04:00;
    ///      A wrap_up 09:04:00..09:05:00 -> handle 09:00:10..09:05:00 = 290 s
    ///   c2 created 09:01:00, answered 09:01:30 by B (wait 30 s, not within), resolved 09:03:30;
    ///      B available 09:03:30 (no wrap-up) -> handle 120 s
    ///   c3 created 09:02:00, abandoned 09:02:03 (3 s: short)
    ///   c4 created 09:02:00, abandoned 09:02:40 (40 s)
    ///   c5 created 09:16:00, still waiting
    /// </summary>
    private static List<OpsEvent[]> Rounds(string p, string queue) =>
    [
        [State($"{p}A", AgentState.Available, Day("08:55:00")), State($"{p}B", AgentState.Available, Day("08:55:00")),
         Created($"{p}c1", queue, Day("09:00:00")), Created($"{p}c2", queue, Day("09:01:00"))],
        [Answered($"{p}c1", $"{p}A", Day("09:00:10")), State($"{p}A", AgentState.OnContact, Day("09:00:10")),
         Created($"{p}c3", queue, Day("09:02:00")), Created($"{p}c4", queue, Day("09:02:00"))],
        [Answered($"{p}c2", $"{p}B", Day("09:01:30")), State($"{p}B", AgentState.OnContact, Day("09:01:30")),
         Abandoned($"{p}c3", Day("09:02:03"))],
        [Abandoned($"{p}c4", Day("09:02:40")), Resolved($"{p}c2", Day("09:03:30"), $"{p}B"), State($"{p}B", AgentState.Available, Day("09:03:30"))],
        [Resolved($"{p}c1", Day("09:04:00"), $"{p}A"), State($"{p}A", AgentState.WrapUp, Day("09:04:00"))],
        [State($"{p}A", AgentState.Available, Day("09:05:00")), Created($"{p}c5", queue, Day("09:16:00"))],
    ];

    // Offered 5; answered 2 (1 within); abandoned 2 (1 short); handled 2;
    // answer wait 10 + 30 = 40 s; handle 290 + 120 = 410 s; abandon wait 3 + 40 = 43 s.
    private static readonly IntervalCounters ExpectedToday = new()
    {
        Offered = 5,
        Answered = 2,
        AnsweredWithinThreshold = 1,
        Abandoned = 2,
        ShortAbandoned = 1,
        Handled = 2,
        AnswerWaitMs = 40_000,
        HandleMs = 410_000,
        AbandonWaitMs = 43_000,
    };

    private IQueueGrain Queue(string id) => fx.Grains.GetGrain<IQueueGrain>(id);

    [Fact]
    public async Task Queue_figures_after_a_sequence_of_contacts()
    {
        var rounds = Rounds("fig-", "figures");
        await fx.IngestAsync(rounds[0]);
        await fx.IngestAsync(rounds[1]);

        var mid = await Queue("figures").GetSnapshotAsync();
        Assert.Equal(3, mid.Waiting); // c2, c3, c4 (c1 answered)
        Assert.Equal(T(Day("09:01:00")), mid.OldestWaitingSince);

        foreach (var round in rounds.Skip(2)) await fx.IngestAsync(round);

        var snap = await Queue("figures").GetSnapshotAsync();
        Assert.Equal(ExpectedToday, snap.Today);
        Assert.Equal(1, snap.Waiting);
        Assert.Equal(T(Day("09:16:00")), snap.OldestWaitingSince);
        Assert.Equal("fig-c5", Assert.Single(snap.Next).ContactId);

        // SL = 1 / (2 + 2 - 1) = 33.333333 %; abandon rate = 1 / 3; ASA = 40 / 2 = 20 s; AHT = 410 / 2 = 205 s
        Assert.Equal(33.333333, Kpi.ServiceLevelPercent(snap.Today));
        Assert.Equal(33.333333, Kpi.AbandonRatePercent(snap.Today));
        Assert.Equal(20.0, Kpi.AsaSeconds(snap.Today));
        Assert.Equal(205.0, Kpi.AhtSeconds(snap.Today));

        // by interval: everything but c5's offer is in 09:00-09:15 (08:00Z); c5 is offered in 09:15-09:30
        var rows = await Queue("figures").GetIntervalsAsync(T(Day("00:00:00")), T(Day("23:59:59")));
        Assert.Collection(rows,
            r =>
            {
                Assert.Equal(Ms(Day("09:00:00")), r.StartMs);
                Assert.Equal(ExpectedToday with { Offered = 4 }, r.Counters);
            },
            r =>
            {
                Assert.Equal(Ms(Day("09:15:00")), r.StartMs);
                Assert.Equal(new IntervalCounters { Offered = 1 }, r.Counters);
            });
    }

    [Fact]
    public async Task Reverse_delivery_order_gives_the_same_figures()
    {
        // the same contacts, every event in its own round, latest first
        var events = Rounds("rev-", "reverse").SelectMany(r => r).OrderByDescending(e => e.At).ToList();
        foreach (var e in events) await fx.IngestAsync(e);

        var snap = await Queue("reverse").GetSnapshotAsync();
        Assert.Equal(ExpectedToday, snap.Today);
        Assert.Equal(1, snap.Waiting);
        Assert.Equal("rev-c5", Assert.Single(snap.Next).ContactId);
    }

    [Fact]
    public async Task Agent_state_changes_delivered_between_a_late_created_and_the_answer_still_count()
    {
        // Delivery order: answer, then the agent's states, then resolve, then (late) the creation.
        // created 09:00:00, answered 09:00:10 (within), agent wrap_up 09:04:00..09:05:00, resolved 09:04:00
        // -> handle 09:00:10..09:05:00 = 290 s, as in any other order.
        await fx.IngestAsync(Answered("ooo-1", "ooo-ag", Day("09:00:10")));
        await fx.IngestAsync(
            State("ooo-ag", AgentState.OnContact, Day("09:00:10")),
            State("ooo-ag", AgentState.WrapUp, Day("09:04:00")),
            State("ooo-ag", AgentState.Available, Day("09:05:00")));
        await fx.IngestAsync(Resolved("ooo-1", Day("09:04:00"), "ooo-ag"));
        await fx.IngestAsync(Created("ooo-1", "ooo", Day("09:00:00")));

        var today = (await Queue("ooo").GetSnapshotAsync()).Today;
        Assert.Equal(new IntervalCounters
        {
            Offered = 1, Answered = 1, AnsweredWithinThreshold = 1, AnswerWaitMs = 10_000, Handled = 1, HandleMs = 290_000,
        }, today);
    }

    [Fact]
    public async Task Waiting_list_is_ordered_by_priority_then_age()
    {
        await fx.IngestAsync(
            Created("wl-low", "waitlist", Day("09:00:00"), Priority.Low, Channel.Chat),
            Created("wl-med", "waitlist", Day("09:01:00"), Priority.Medium, Channel.Chat),
            Created("wl-high-late", "waitlist", Day("09:05:00"), Priority.High, Channel.Chat));
        await fx.IngestAsync(
            Created("wl-high-early", "waitlist", Day("09:02:00"), Priority.High, Channel.Chat),
            Created("wl-crit", "waitlist", Day("09:10:00"), Priority.Critical, Channel.Chat),
            Created("wl-med-early", "waitlist", Day("08:59:00"), Priority.Medium, Channel.Chat));

        var snap = await Queue("waitlist").GetSnapshotAsync();
        Assert.Equal(6, snap.Waiting);
        Assert.Equal(T(Day("08:59:00")), snap.OldestWaitingSince);
        Assert.Equal(
            new[] { "wl-crit", "wl-high-early", "wl-high-late", "wl-med-early", "wl-med", "wl-low" },
            snap.Next.Select(w => w.ContactId));
        Assert.Equal(snap.Next, await Queue("waitlist").GetWaitingAsync());
        var crit = snap.Next[0];
        Assert.Equal((Priority.Critical, Channel.Chat, T(Day("09:10:00"))), (crit.Priority, crit.Channel, crit.Since));

        // the oldest leaves (abandons) and the head of the line is answered
        await fx.IngestAsync(Abandoned("wl-med-early", Day("09:20:00")), Answered("wl-crit", "wl-agent", Day("09:20:00")));
        snap = await Queue("waitlist").GetSnapshotAsync();
        Assert.Equal(4, snap.Waiting);
        Assert.Equal(T(Day("09:00:00")), snap.OldestWaitingSince);
        Assert.Equal(new[] { "wl-high-early", "wl-high-late", "wl-med", "wl-low" }, snap.Next.Select(w => w.ContactId));
    }

    [Fact]
    public async Task Waiting_list_beyond_the_snapshots_twenty_is_complete_and_equal_waits_are_served_by_id()
    {
        // 25 contacts: 24 medium ones entering a second apart (wl2-00 oldest) and one low one that is oldest of all;
        // wl2-b and wl2-a are high and enter at the same instant (tie broken by id).
        var events = Enumerable.Range(0, 24)
            .Select(i => Created($"wl2-{i:00}", "waitlist-big", Day($"11:00:{i:00}"), Priority.Medium, Channel.Chat))
            .Append(Created("wl2-low", "waitlist-big", Day("10:00:00"), Priority.Low, Channel.Chat))
            .Append(Created("wl2-b", "waitlist-big", Day("11:30:00"), Priority.High, Channel.Chat))
            .Append(Created("wl2-a", "waitlist-big", Day("11:30:00"), Priority.High, Channel.Chat))
            .ToArray();
        await fx.IngestAsync(events);

        var all = (await Queue("waitlist-big").GetWaitingAsync()).ToList();
        Assert.Equal(
            new[] { "wl2-a", "wl2-b" }.Concat(Enumerable.Range(0, 24).Select(i => $"wl2-{i:00}")).Append("wl2-low"),
            all.Select(w => w.ContactId));
        var snap = await Queue("waitlist-big").GetSnapshotAsync();
        Assert.Equal(20, snap.Next.Count);
        Assert.Equal(27, snap.Waiting);
    }

    [Fact]
    public async Task Transfer_moves_the_contact_between_both_queues_waiting_lists()
    {
        await fx.IngestAsync(
            Created("tx-1", "first-level", Day("09:00:00"), Priority.High),
            Created("tx-2", "first-level", Day("09:01:00")));
        Assert.Equal(new[] { "tx-1", "tx-2" }, (await Queue("first-level").GetSnapshotAsync()).Next.Select(w => w.ContactId));

        await fx.IngestAsync(Transferred("tx-1", "tech", Day("09:02:00"), "escalation"));

        var source = await Queue("first-level").GetSnapshotAsync();
        var target = await Queue("tech").GetSnapshotAsync();
        Assert.Equal(new[] { "tx-2" }, source.Next.Select(w => w.ContactId));
        var moved = Assert.Single(target.Next, w => w.ContactId == "tx-1");
        // waiting in tech since the transfer, keeping its priority
        Assert.Equal((T(Day("09:02:00")), Priority.High), (moved.Since, moved.Priority));
        // offered 2 and transferred out 1 in first-level; offered 1 in tech
        Assert.Equal(new IntervalCounters { Offered = 2, TransferredOut = 1 }, source.Today);
        Assert.Equal(new IntervalCounters { Offered = 1 }, target.Today);

        var view = await ContactShards.For(fx.Grains, "tx-1").GetAsync("tx-1");
        Assert.NotNull(view);
        Assert.Equal((ContactStatus.Waiting, "tech"), (view.Status, view.Queue));
        Assert.Equal(new[] { ("first-level", SegmentOutcome.TransferredUnanswered), ("tech", SegmentOutcome.Waiting) },
            view.Segments.Select(s => (s.Queue, s.Outcome)));

        // answered in tech 09:05:00: wait 180 s > T 60 s
        await fx.IngestAsync(Answered("tx-1", "tx-agent", Day("09:05:00")));
        target = await Queue("tech").GetSnapshotAsync();
        Assert.DoesNotContain(target.Next, w => w.ContactId == "tx-1");
        Assert.Equal(new IntervalCounters { Offered = 1, Answered = 1, AnswerWaitMs = 180_000 }, target.Today);
        Assert.Equal(ContactStatus.InHandling, (await ContactShards.For(fx.Grains, "tx-1").GetAsync("tx-1"))!.Status);
    }

    [Fact]
    public async Task Escalation_answered_by_an_idle_tech_agent_at_the_transfer_instant_is_in_handling_not_waiting()
    {
        // DESIGN acceptance test 2, as the simulator emits it: the tech agent picks the contact up at
        // the same instant as the transfer (Enqueue -> Assign in SimulationEngine.Routing.cs).
        await fx.IngestAsync(
            Created("esc-1", "escalation", Day("10:00:00")),
            Answered("esc-1", "esc-ag1", Day("10:00:05")),
            State("esc-ag1", AgentState.OnContact, Day("10:00:05")));
        await fx.IngestAsync(
            Transferred("esc-1", "escalation-tech", Day("10:04:00"), "escalation"),
            State("esc-ag1", AgentState.WrapUp, Day("10:04:00")),
            Answered("esc-1", "esc-ag2", Day("10:04:00")),
            State("esc-ag2", AgentState.OnContact, Day("10:04:00")));

        var view = await ContactShards.For(fx.Grains, "esc-1").GetAsync("esc-1");
        Assert.Equal((ContactStatus.InHandling, "escalation-tech"), (view!.Status, view.Queue));
        Assert.Equal("esc-ag2", view.Segments[^1].AgentId);
        var tech = await Queue("escalation-tech").GetSnapshotAsync();
        Assert.Equal(0, tech.Waiting);
        Assert.Equal(1, tech.Today.Answered);
        Assert.Equal("esc-1", (await fx.Grains.GetGrain<IAgentGrain>("esc-ag2").GetAsync())!.CurrentContactId);
    }
}
