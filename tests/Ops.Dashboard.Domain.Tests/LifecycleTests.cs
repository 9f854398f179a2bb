using Ops.Dashboard.Testing;
namespace Ops.Dashboard.Domain.Tests;

// Thresholds (Ev.Thresholds): phone T = 20 s, S = 5 s; tech T = 60 s, S = 5 s.
// Times are Europe/Berlin in November (+01:00) unless said otherwise; the 15-minute grid is on UTC,
// which for whole-hour offsets is the same grid as local quarter hours.
public class LifecycleTests
{
    private static readonly SiteClock Berlin = new(TimeProvider.System, new SiteOptions { Name = "Test", TimeZoneId = "Europe/Berlin" });

    [Fact]
    public void Interval_key_starts_at_the_quarter_hour_containing_the_instant()
    {
        Assert.Equal(TestEvents.T("2026-11-23T10:15:00Z").ToUnixTimeMilliseconds(), IntervalKey.StartOf(TestEvents.T("2026-11-23T10:15:00.000Z")));
        Assert.Equal(TestEvents.T("2026-11-23T10:00:00Z").ToUnixTimeMilliseconds(), IntervalKey.StartOf(TestEvents.T("2026-11-23T10:14:59.999Z")));
        Assert.Equal(TestEvents.T("2026-11-23T10:15:00Z").ToUnixTimeMilliseconds(), IntervalKey.StartOf(TestEvents.T("2026-11-23T11:29:59.999+01:00")));
        // before 1970 the floor still goes down, not towards zero
        Assert.Equal(TestEvents.T("1969-12-31T23:45:00Z").ToUnixTimeMilliseconds(), IntervalKey.StartOf(TestEvents.T("1969-12-31T23:59:59.999Z")));
    }

    [Fact]
    public void Answered_contact_is_offered_and_answered_where_it_entered_and_left_and_handled_where_wrap_up_ended()
    {
        // created 09:10:00, answered 09:14:50 by a1 (wait 290 s > T 20 s), resolved 09:20:00,
        // a1: on_contact 09:14:50, wrap_up 09:20:00, available 09:22:30 -> handle 09:14:50..09:22:30 = 460 s
        var c = Ev.Derive("l-ans", [
            TestEvents.Created("l-ans", "phone", "2026-11-23T09:10:00+01:00"),
            TestEvents.Answered("l-ans", "a1", "2026-11-23T09:14:50+01:00"),
            TestEvents.Resolved("l-ans", "2026-11-23T09:20:00+01:00", "a1"),
            TestEvents.State("a1", AgentState.Available, "2026-11-23T09:00:00+01:00"),
            TestEvents.State("a1", AgentState.OnContact, "2026-11-23T09:14:50+01:00"),
            TestEvents.State("a1", AgentState.WrapUp, "2026-11-23T09:20:00+01:00"),
            TestEvents.State("a1", AgentState.Available, "2026-11-23T09:22:30+01:00"),
        ]);

        Ev.EqualCounters(new Dictionary<IntervalKey, IntervalCounters>
        {
            [Ev.Key("phone", "2026-11-23T09:00:00+01:00")] = new() { Offered = 1, Answered = 1, AnsweredWithinThreshold = 0, AnswerWaitMs = 290_000 },
            [Ev.Key("phone", "2026-11-23T09:15:00+01:00")] = new() { Handled = 1, HandleMs = 460_000 },
        }, c.Contribution(Ev.Thresholds));

        var s = Assert.Single(c.Segments);
        Assert.Equal(SegmentOutcome.Answered, s.Outcome);
        Assert.Equal("a1", s.AgentId);
        Assert.Equal(TimeSpan.FromSeconds(290), s.Wait);
        Assert.Equal(TestEvents.T("2026-11-23T09:22:30+01:00"), s.HandleEndAt);
        Assert.Equal(TimeSpan.FromSeconds(460), s.HandleTime);
        Assert.Equal(ContactStatus.Resolved, c.Status);
        Assert.Equal(TimeSpan.FromSeconds(290), c.FirstResponse);
        Assert.Equal("a1", c.ResolvedBy);
        Assert.True(c.IsSettled);
    }

    [Fact]
    public void Abandon_crossing_an_interval_boundary_is_offered_in_one_interval_and_abandoned_in_the_next()
    {
        // created 10:14:50, abandoned 10:15:20: wait 30 s (not short)
        var c = Ev.Derive("l-ab", [
            TestEvents.Created("l-ab", "phone", "2026-11-23T10:14:50+01:00"),
            TestEvents.Abandoned("l-ab", "2026-11-23T10:15:20+01:00"),
        ]);

        Ev.EqualCounters(new Dictionary<IntervalKey, IntervalCounters>
        {
            [Ev.Key("phone", "2026-11-23T10:00:00+01:00")] = new() { Offered = 1 },
            [Ev.Key("phone", "2026-11-23T10:15:00+01:00")] = new() { Abandoned = 1, ShortAbandoned = 0, AbandonWaitMs = 30_000 },
        }, c.Contribution(Ev.Thresholds));
        Assert.Equal(SegmentOutcome.Abandoned, c.Current!.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), c.Current.Wait);
        Assert.Equal(ContactStatus.Abandoned, c.Status);
        Assert.True(c.IsSettled);
    }

    [Fact]
    public void Short_abandon_is_counted_as_abandoned_and_short_abandoned()
    {
        // created 10:20:00, abandoned 10:20:02: wait 2 s < S 5 s
        var contribution = Ev.Contribution("l-sab", [
            TestEvents.Created("l-sab", "phone", "2026-11-23T10:20:00+01:00"),
            TestEvents.Abandoned("l-sab", "2026-11-23T10:20:02+01:00"),
        ]);
        Ev.EqualCounters(new Dictionary<IntervalKey, IntervalCounters>
        {
            [Ev.Key("phone", "2026-11-23T10:15:00+01:00")] = new() { Offered = 1, Abandoned = 1, ShortAbandoned = 1, AbandonWaitMs = 2_000 },
        }, contribution);
    }

    [Fact]
    public void Waiting_contact_is_offered_only_and_not_settled()
    {
        var c = Ev.Derive("l-wait", [TestEvents.Created("l-wait", "phone", "2026-11-23T10:29:59+01:00", Priority.High)]);
        Ev.EqualCounters(new Dictionary<IntervalKey, IntervalCounters>
        {
            [Ev.Key("phone", "2026-11-23T10:15:00+01:00")] = new() { Offered = 1 },
        }, c.Contribution(Ev.Thresholds));
        Assert.Equal(ContactStatus.Waiting, c.Status);
        Assert.Equal(Priority.High, c.Priority);
        Assert.Null(c.Current!.Wait);
        Assert.False(c.IsSettled);
    }

    [Fact]
    public void Contact_without_a_created_event_is_unknown_and_contributes_nothing()
    {
        var c = Ev.Derive("l-ghost", [TestEvents.Answered("l-ghost", "a1", "2026-11-23T10:00:00+01:00")]);
        Assert.False(c.Known);
        Assert.Equal(ContactStatus.Unknown, c.Status);
        Assert.Empty(c.Segments);
        Assert.Empty(c.Contribution(Ev.Thresholds));
        Assert.False(c.IsSettled);
    }

    [Theory]
    [InlineData("agent_error", 1)]
    [InlineData("Agent-Error", 1)]
    [InlineData("escalation", 0)]
    [InlineData(null, 0)]
    public void A_transfer_caused_by_an_agent_error_counts_as_such_in_the_source_queue(string? reason, long expected)
    {
        var c = Ev.Derive("l-err", [
            TestEvents.Created("l-err", "phone", "2026-11-23T11:00:00+01:00"),
            TestEvents.Answered("l-err", "t1", "2026-11-23T11:00:10+01:00"),
            TestEvents.Transferred("l-err", "tech", "2026-11-23T11:05:00+01:00", reason),
        ]);

        var phone = c.Contribution(Ev.Thresholds).Where(kv => kv.Key.Queue == "phone").Aggregate(IntervalCounters.Zero, (a, kv) => a + kv.Value);
        Assert.Equal((1L, expected), (phone.TransferredOut, phone.AgentErrorEscalations));
        Assert.Equal(0, c.Contribution(Ev.Thresholds).Where(kv => kv.Key.Queue == "tech").Sum(kv => kv.Value.AgentErrorEscalations));
    }

    [Fact]
    public void Transfer_before_answer_counts_transferred_out_in_source_and_offered_in_target()
    {
        // phone: created 11:00:00, transferred to tech 11:01:00 unanswered (left after 60 s)
        // tech: entered 11:01:00, answered 11:03:00 by t1 (wait 120 s > T 60 s), resolved 11:10:00 (no agent events)
        //       -> handle 11:03:00..11:10:00 = 420 s
        var c = Ev.Derive("l-tx1", [
            TestEvents.Created("l-tx1", "phone", "2026-11-23T11:00:00+01:00"),
            TestEvents.Transferred("l-tx1", "tech", "2026-11-23T11:01:00+01:00"),
            TestEvents.Answered("l-tx1", "t1", "2026-11-23T11:03:00+01:00"),
            TestEvents.Resolved("l-tx1", "2026-11-23T11:10:00+01:00"),
        ]);

        Ev.EqualCounters(new Dictionary<IntervalKey, IntervalCounters>
        {
            [Ev.Key("phone", "2026-11-23T11:00:00+01:00")] = new() { Offered = 1, TransferredOut = 1 },
            [Ev.Key("tech", "2026-11-23T11:00:00+01:00")] = new() { Offered = 1, Answered = 1, AnswerWaitMs = 120_000, Handled = 1, HandleMs = 420_000 },
        }, c.Contribution(Ev.Thresholds));

        Assert.Collection(c.Segments,
            s =>
            {
                Assert.Equal(("phone", SegmentOutcome.TransferredUnanswered), (s.Queue, s.Outcome));
                Assert.Equal(TestEvents.T("2026-11-23T11:01:00+01:00"), s.LeftAt);
                Assert.Equal(TestEvents.T("2026-11-23T11:01:00+01:00"), s.TransferredAt);
                Assert.Null(s.AnsweredAt);
                Assert.Equal(TimeSpan.FromSeconds(60), s.Wait);
            },
            s =>
            {
                Assert.Equal(("tech", SegmentOutcome.Answered, "t1"), (s.Queue, s.Outcome, s.AgentId));
                Assert.Equal(TestEvents.T("2026-11-23T11:01:00+01:00"), s.EnteredAt);
                Assert.Equal(TimeSpan.FromSeconds(120), s.Wait);
            });
        Assert.Equal(ContactStatus.Resolved, c.Status);
    }

    [Fact]
    public void Transfer_before_answer_leaves_the_contact_waiting_in_the_target()
    {
        var c = Ev.Derive("l-tx0", [
            TestEvents.Created("l-tx0", "phone", "2026-11-23T11:00:00+01:00"),
            TestEvents.Transferred("l-tx0", "tech", "2026-11-23T11:01:00+01:00"),
        ]);
        Assert.Equal(ContactStatus.Waiting, c.Status);
        Assert.Equal("tech", c.Current!.Queue);
        Assert.False(c.IsSettled);
    }

    [Fact]
    public void Transfer_after_answer_counts_answered_handled_and_transferred_out_in_source_and_offered_in_target()
    {
        // phone: created 12:00:00, answered 12:00:10 by a1 (wait 10 s, within 20 s), transferred to tech 12:04:00;
        //        a1: on_contact 12:00:10, wrap_up 12:04:00, available 12:05:00 -> handle 12:00:10..12:05:00 = 290 s
        // tech:  entered 12:04:00, answered 12:04:30 by a2 (wait 30 s, within 60 s), resolved 12:10:00;
        //        a2: on_contact 12:04:30, available 12:10:00 (no wrap-up) -> handle 12:04:30..12:10:00 = 330 s
        var c = Ev.Derive("l-tx2", TransferAfterAnswer("l-tx2"));

        Ev.EqualCounters(new Dictionary<IntervalKey, IntervalCounters>
        {
            [Ev.Key("phone", "2026-11-23T12:00:00+01:00")] = new()
            {
                Offered = 1, Answered = 1, AnsweredWithinThreshold = 1, AnswerWaitMs = 10_000, Handled = 1, HandleMs = 290_000, TransferredOut = 1,
            },
            [Ev.Key("tech", "2026-11-23T12:00:00+01:00")] = new()
            {
                Offered = 1, Answered = 1, AnsweredWithinThreshold = 1, AnswerWaitMs = 30_000, Handled = 1, HandleMs = 330_000,
            },
            // CSAT 4 at 12:20, counted in the last queue
            [Ev.Key("tech", "2026-11-23T12:15:00+01:00")] = new() { CsatCount = 1, CsatScoreSum = 4 },
        }, c.Contribution(Ev.Thresholds));

        Assert.Collection(c.Segments,
            s =>
            {
                Assert.Equal(("phone", SegmentOutcome.Answered, "a1"), (s.Queue, s.Outcome, s.AgentId));
                Assert.Equal(TestEvents.T("2026-11-23T12:04:00+01:00"), s.TransferredAt);
                Assert.Equal(TestEvents.T("2026-11-23T12:05:00+01:00"), s.HandleEndAt);
            },
            s =>
            {
                Assert.Equal(("tech", SegmentOutcome.Answered, "a2"), (s.Queue, s.Outcome, s.AgentId));
                Assert.Equal(TestEvents.T("2026-11-23T12:10:00+01:00"), s.HandleEndAt);
            });
        Assert.Equal("a2", c.ResolvedBy);
        Assert.True(c.IsSettled);
    }

    internal static OpsEvent[] TransferAfterAnswer(string id) =>
    [
        TestEvents.Created(id, "phone", "2026-11-23T12:00:00+01:00"),
        TestEvents.Answered(id, "a1", "2026-11-23T12:00:10+01:00"),
        TestEvents.Transferred(id, "tech", "2026-11-23T12:04:00+01:00"),
        TestEvents.Answered(id, "a2", "2026-11-23T12:04:30+01:00"),
        TestEvents.Resolved(id, "2026-11-23T12:10:00+01:00", "a2"),
        TestEvents.Csat(id, 4, "2026-11-23T12:20:00+01:00"),
        TestEvents.State("a1", AgentState.OnContact, "2026-11-23T12:00:10+01:00"),
        TestEvents.State("a1", AgentState.WrapUp, "2026-11-23T12:04:00+01:00"),
        TestEvents.State("a1", AgentState.Available, "2026-11-23T12:05:00+01:00"),
        TestEvents.State("a2", AgentState.OnContact, "2026-11-23T12:04:30+01:00"),
        TestEvents.State("a2", AgentState.Available, "2026-11-23T12:10:00+01:00"),
    ];

    [Fact]
    public void Handle_time_with_wrap_up_ends_when_the_agent_leaves_wrap_up()
    {
        // answered 13:00:00, resolved 13:04:00, a1 wrap_up 13:04:00..13:05:30 -> 330 s
        var c = Ev.Derive("l-h1", [
            TestEvents.Created("l-h1", "phone", "2026-11-23T12:59:50+01:00"),
            TestEvents.Answered("l-h1", "a1", "2026-11-23T13:00:00+01:00"),
            TestEvents.Resolved("l-h1", "2026-11-23T13:04:00+01:00"),
            TestEvents.State("a1", AgentState.OnContact, "2026-11-23T13:00:00+01:00"),
            TestEvents.State("a1", AgentState.WrapUp, "2026-11-23T13:04:00+01:00"),
            TestEvents.State("a1", AgentState.Available, "2026-11-23T13:05:30+01:00"),
        ]);
        Assert.Equal(TimeSpan.FromSeconds(330), c.Current!.HandleTime);
        Assert.Equal(330_000, c.Contribution(Ev.Thresholds)[Ev.Key("phone", "2026-11-23T13:00:00+01:00")].HandleMs);
    }

    [Fact]
    public void Handle_time_without_reported_wrap_up_ends_at_resolve()
    {
        // answered 13:00:00, resolved 13:04:00, no agent events -> 240 s
        var c = Ev.Derive("l-h2", [
            TestEvents.Created("l-h2", "phone", "2026-11-23T12:59:50+01:00"),
            TestEvents.Answered("l-h2", "a1", "2026-11-23T13:00:00+01:00"),
            TestEvents.Resolved("l-h2", "2026-11-23T13:04:00+01:00"),
        ]);
        Assert.Equal(TestEvents.T("2026-11-23T13:04:00+01:00"), c.Current!.HandleEndAt);
        Assert.Equal(TimeSpan.FromSeconds(240), c.Current.HandleTime);
        Assert.True(c.IsSettled);
    }

    [Fact]
    public void Handle_time_ends_at_resolve_when_the_agent_goes_straight_to_available_later()
    {
        // answered 13:00:00, resolved 13:04:00, a1 on_contact 13:00:00 -> available 13:06:00 (no wrap-up):
        // the earlier of release (13:04) and the agent's change (13:06) -> 240 s
        var c = Ev.Derive("l-h3", [
            TestEvents.Created("l-h3", "phone", "2026-11-23T12:59:50+01:00"),
            TestEvents.Answered("l-h3", "a1", "2026-11-23T13:00:00+01:00"),
            TestEvents.Resolved("l-h3", "2026-11-23T13:04:00+01:00"),
            TestEvents.State("a1", AgentState.OnContact, "2026-11-23T13:00:00+01:00"),
            TestEvents.State("a1", AgentState.Available, "2026-11-23T13:06:00+01:00"),
        ]);
        Assert.Equal(TimeSpan.FromSeconds(240), c.Current!.HandleTime);
    }

    [Fact]
    public void Handle_time_is_open_while_the_agent_is_still_in_wrap_up()
    {
        var events = new List<OpsEvent>
        {
            TestEvents.Created("l-h4", "phone", "2026-11-23T12:59:50+01:00"),
            TestEvents.Answered("l-h4", "a1", "2026-11-23T13:00:00+01:00"),
            TestEvents.Resolved("l-h4", "2026-11-23T13:04:00+01:00"),
            TestEvents.State("a1", AgentState.OnContact, "2026-11-23T13:00:00+01:00"),
            TestEvents.State("a1", AgentState.WrapUp, "2026-11-23T13:04:00+01:00"),
        };
        var c = Ev.Derive("l-h4", events);
        Assert.Null(c.Current!.HandleEndAt);
        Assert.False(c.IsSettled);
        Assert.DoesNotContain(c.Contribution(Ev.Thresholds).Values, v => v.Handled != 0);

        events.Add(TestEvents.State("a1", AgentState.Available, "2026-11-23T13:05:00+01:00"));
        c = Ev.Derive("l-h4", events);
        Assert.Equal(TimeSpan.FromSeconds(300), c.Current!.HandleTime);
        Assert.True(c.IsSettled);
    }

    [Fact]
    public void Late_wrap_up_retracts_the_old_handle_contribution_and_adds_the_new_one()
    {
        // created 13:00:00, answered 13:02:00 by a1 (wait 120 s), resolved 13:14:00.
        // before the agent's events arrive: handle ends at resolve 13:14:00 -> 13:00 interval, 720 s
        // after a1 wrap_up 13:14:00 and available 13:16:00 arrive: ends 13:16:00 -> 13:15 interval, 840 s
        var contactEvents = new[]
        {
            TestEvents.Created("l-late", "phone", "2026-11-23T13:00:00+01:00"),
            TestEvents.Answered("l-late", "a1", "2026-11-23T13:02:00+01:00"),
            TestEvents.Resolved("l-late", "2026-11-23T13:14:00+01:00"),
        };
        var lateAgentEvents = new[]
        {
            TestEvents.State("a1", AgentState.OnContact, "2026-11-23T13:02:00+01:00"),
            TestEvents.State("a1", AgentState.WrapUp, "2026-11-23T13:14:00+01:00"),
            TestEvents.State("a1", AgentState.Available, "2026-11-23T13:16:00+01:00"),
        };
        var before = Ev.Contribution("l-late", contactEvents);
        var after = Ev.Contribution("l-late", contactEvents.Concat(lateAgentEvents));

        var diff = ContactLifecycle.Diff(before, after);

        Ev.EqualCounters(new Dictionary<IntervalKey, IntervalCounters>
        {
            [Ev.Key("phone", "2026-11-23T13:00:00+01:00")] = new() { Handled = -1, HandleMs = -720_000 },
            [Ev.Key("phone", "2026-11-23T13:15:00+01:00")] = new() { Handled = 1, HandleMs = 840_000 },
        }, diff);

        // before + diff = after, interval by interval
        var applied = before.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, d) in diff)
            applied[key] = (applied.TryGetValue(key, out var v) ? v : IntervalCounters.Zero) + d;
        Ev.EqualCounters(after, applied.Where(kv => !kv.Value.IsZero).ToDictionary());
    }

    [Fact]
    public void Diff_of_a_retracted_interval_is_its_negation_and_unchanged_intervals_are_left_out()
    {
        var a = Ev.Key("phone", "2026-11-23T13:00:00+01:00");
        var b = Ev.Key("phone", "2026-11-23T13:15:00+01:00");
        var before = new Dictionary<IntervalKey, IntervalCounters> { [a] = new() { Offered = 1 }, [b] = new() { Handled = 1, HandleMs = 5 } };
        var after = new Dictionary<IntervalKey, IntervalCounters> { [a] = new() { Offered = 1 } };
        Ev.EqualCounters(new Dictionary<IntervalKey, IntervalCounters> { [b] = new() { Handled = -1, HandleMs = -5 } }, ContactLifecycle.Diff(before, after));
        Assert.Empty(ContactLifecycle.Diff(after, after));
    }

    [Fact]
    public void Contact_crossing_the_local_day_boundary_in_Berlin_is_offered_on_one_day_and_answered_on_the_next()
    {
        // created 2026-11-22 23:55 +01:00 (22:55Z), answered 2026-11-23 00:02 +01:00 (23:02Z): wait 420 s,
        // resolved 00:10 +01:00 -> handle 480 s. Both instants are on 22 November in UTC, but the local days differ.
        var c = Ev.Contribution("l-day", [
            TestEvents.Created("l-day", "phone", "2026-11-22T23:55:00+01:00"),
            TestEvents.Answered("l-day", "a1", "2026-11-23T00:02:00+01:00"),
            TestEvents.Resolved("l-day", "2026-11-23T00:10:00+01:00"),
        ]);

        Assert.Equal((TestEvents.T("2026-11-21T23:00:00Z"), TestEvents.T("2026-11-22T23:00:00Z")), Berlin.DayBounds(new DateOnly(2026, 11, 22)));
        Assert.Equal(new IntervalCounters { Offered = 1 }, Ev.Day(c, Berlin, "phone", new DateOnly(2026, 11, 22)));
        Assert.Equal(
            new IntervalCounters { Answered = 1, AnswerWaitMs = 420_000, Handled = 1, HandleMs = 480_000 },
            Ev.Day(c, Berlin, "phone", new DateOnly(2026, 11, 23)));
        Assert.Equal(IntervalCounters.Zero, Ev.Day(c, Berlin, "phone", new DateOnly(2026, 11, 24)));
    }

    [Fact]
    public void Contact_crossing_local_midnight_in_summer_time_splits_at_22_utc()
    {
        // created 2026-07-01 23:58 +02:00 (21:58Z), abandoned 2026-07-02 00:01 +02:00 (22:01Z): 180 s
        var c = Ev.Contribution("l-summer", [
            TestEvents.Created("l-summer", "phone", "2026-07-01T23:58:00+02:00"),
            TestEvents.Abandoned("l-summer", "2026-07-02T00:01:00+02:00"),
        ]);
        Assert.Equal(new IntervalCounters { Offered = 1 }, Ev.Day(c, Berlin, "phone", new DateOnly(2026, 7, 1)));
        Assert.Equal(new IntervalCounters { Abandoned = 1, AbandonWaitMs = 180_000 }, Ev.Day(c, Berlin, "phone", new DateOnly(2026, 7, 2)));
    }

    [Fact]
    public void The_same_instants_with_different_offsets_give_identical_results()
    {
        static OpsEvent[] Events(string created, string answered, string wrap, string avail, string resolved) =>
        [
            TestEvents.Created("l-tz", "phone", created),
            TestEvents.Answered("l-tz", "a1", answered),
            TestEvents.Resolved("l-tz", resolved),
            TestEvents.State("a1", AgentState.WrapUp, wrap),
            TestEvents.State("a1", AgentState.Available, avail),
        ];
        var berlin = Ev.Derive("l-tz", Events(
            "2026-11-23T09:14:55+01:00", "2026-11-23T09:15:10+01:00", "2026-11-23T09:20:00+01:00", "2026-11-23T09:31:00+01:00", "2026-11-23T09:20:00+01:00"));
        var utc = Ev.Derive("l-tz", Events(
            "2026-11-23T08:14:55Z", "2026-11-23T08:15:10Z", "2026-11-23T08:20:00Z", "2026-11-23T08:31:00Z", "2026-11-23T08:20:00Z"));
        var newYork = Ev.Derive("l-tz", Events(
            "2026-11-23T03:14:55-05:00", "2026-11-23T03:15:10-05:00", "2026-11-23T03:20:00-05:00", "2026-11-23T03:31:00-05:00", "2026-11-23T03:20:00-05:00"));

        var expected = new Dictionary<IntervalKey, IntervalCounters>
        {
            // offered 09:14:55 -> 09:00; answered 09:15:10 after 15 s -> 09:15; handled 09:31:00 (950 s) -> 09:30
            [Ev.Key("phone", "2026-11-23T08:00:00Z")] = new() { Offered = 1 },
            [Ev.Key("phone", "2026-11-23T08:15:00Z")] = new() { Answered = 1, AnsweredWithinThreshold = 1, AnswerWaitMs = 15_000 },
            [Ev.Key("phone", "2026-11-23T08:30:00Z")] = new() { Handled = 1, HandleMs = 950_000 },
        };
        Ev.EqualCounters(expected, berlin.Contribution(Ev.Thresholds));
        Ev.EqualCounters(expected, utc.Contribution(Ev.Thresholds));
        Ev.EqualCounters(expected, newYork.Contribution(Ev.Thresholds));
        Assert.Equal(berlin.Segments, utc.Segments);
        Assert.Equal(berlin.Segments, newYork.Segments);
        Assert.Equal(berlin.Status, utc.Status);
        Assert.Equal(berlin.IsSettled, utc.IsSettled);
    }

    [Fact]
    public void Every_permutation_of_a_contacts_events_gives_the_same_lifecycle()
    {
        // 7 events -> 5040 orders (agent events are handed over separately, in their permuted relative order)
        var events = new[]
        {
            TestEvents.Created("l-perm", "phone", "2026-11-23T14:00:00+01:00"),
            TestEvents.Answered("l-perm", "a1", "2026-11-23T14:00:08+01:00"),
            TestEvents.Transferred("l-perm", "tech", "2026-11-23T14:03:00+01:00"),
            TestEvents.Answered("l-perm", "a2", "2026-11-23T14:04:10+01:00"),
            TestEvents.Resolved("l-perm", "2026-11-23T14:09:00+01:00"),
            TestEvents.State("a1", AgentState.WrapUp, "2026-11-23T14:03:00+01:00"),
            TestEvents.State("a1", AgentState.Available, "2026-11-23T14:03:40+01:00"),
        };
        var reference = Ev.Derive("l-perm", events);
        var expected = reference.Contribution(Ev.Thresholds);
        // sanity: the reference is the lifecycle we mean (transfer after answer, both answered, both handled)
        Assert.Equal(2, reference.Segments.Count);
        Assert.All(reference.Segments, s => Assert.Equal(SegmentOutcome.Answered, s.Outcome));
        Assert.Equal(TimeSpan.FromSeconds(212), reference.Segments[0].HandleTime); // 14:00:08..14:03:40
        Assert.Equal(TimeSpan.FromSeconds(290), reference.Segments[1].HandleTime); // 14:04:10..14:09:00

        var count = 0;
        foreach (var order in Permutations(events))
        {
            var c = Ev.Derive("l-perm", order);
            Assert.Equal(reference.Segments, c.Segments);
            Assert.Equal(reference.Status, c.Status);
            Ev.EqualCounters(expected, c.Contribution(Ev.Thresholds));
            count++;
        }
        Assert.Equal(5040, count);
    }

    [Fact]
    public void Random_shuffles_with_duplicates_give_the_same_contribution_and_segments()
    {
        var events = TransferAfterAnswer("l-shuf");
        var reference = Ev.Derive("l-shuf", events);
        var expected = reference.Contribution(Ev.Thresholds);
        Assert.Equal(4, reference.Csat);

        var random = new Random(20261123);
        for (var round = 0; round < 200; round++)
        {
            // every event once, some of them again (equal copies with the same id), in a random order
            var delivery = events.Concat(events.Where(_ => random.Next(3) == 0).Select(e => e with { })).ToArray();
            random.Shuffle(delivery);
            var c = Ev.Derive("l-shuf", delivery);
            Assert.Equal(reference.Segments, c.Segments);
            Assert.Equal(reference.Csat, c.Csat);
            Assert.Equal(reference.ResolvedAt, c.ResolvedAt);
            Ev.EqualCounters(expected, c.Contribution(Ev.Thresholds));
        }
    }

    [Fact]
    public void Duplicates_are_harmless()
    {
        var events = TransferAfterAnswer("l-dup");
        var once = Ev.Derive("l-dup", events);
        var thrice = Ev.Derive("l-dup", events.Concat(events).Concat(Enumerable.Reverse(events)));
        Assert.Equal(once.Segments, thrice.Segments);
        Ev.EqualCounters(once.Contribution(Ev.Thresholds), thrice.Contribution(Ev.Thresholds));
        Assert.Equal(once.History.Count, thrice.History.Count);
    }

    [Fact]
    public void Csat_is_counted_in_the_interval_it_arrives_and_the_last_queue()
    {
        // transfer-after-answer contact ends in tech; CSAT 4 at 12:20 -> tech 12:15 interval
        var c = Ev.Derive("l-csat", TransferAfterAnswer("l-csat"));
        var contribution = c.Contribution(Ev.Thresholds);
        Assert.Equal(new IntervalCounters { CsatCount = 1, CsatScoreSum = 4 }, contribution[Ev.Key("tech", "2026-11-23T12:15:00+01:00")]);
        Assert.Equal(1, contribution.Values.Sum(v => v.CsatCount));
        Assert.Equal(4, c.Csat);
        Assert.Equal(4.0, Kpi.AverageCsat(contribution[Ev.Key("tech", "2026-11-23T12:15:00+01:00")]));
    }

    [Fact]
    public void Settled_when_resolved_or_abandoned_and_every_answered_segment_has_a_handle_end()
    {
        var created = TestEvents.Created("l-set", "phone", "2026-11-23T15:00:00+01:00");
        var answered = TestEvents.Answered("l-set", "a1", "2026-11-23T15:00:05+01:00");
        var resolved = TestEvents.Resolved("l-set", "2026-11-23T15:03:00+01:00");
        var wrap = TestEvents.State("a1", AgentState.WrapUp, "2026-11-23T15:03:00+01:00");
        var avail = TestEvents.State("a1", AgentState.Available, "2026-11-23T15:04:00+01:00");

        Assert.False(Ev.Derive("l-set", [created]).IsSettled);                              // waiting
        Assert.False(Ev.Derive("l-set", [created, answered]).IsSettled);                    // in handling
        Assert.True(Ev.Derive("l-set", [created, answered, resolved]).IsSettled);           // resolved, no wrap-up reported
        Assert.False(Ev.Derive("l-set", [created, answered, resolved, wrap]).IsSettled);    // agent still in wrap-up
        Assert.True(Ev.Derive("l-set", [created, answered, resolved, wrap, avail]).IsSettled);
        Assert.True(Ev.Derive("l-set", [created, TestEvents.Abandoned("l-set", "2026-11-23T15:00:30+01:00")]).IsSettled);
        Assert.False(Ev.Derive("l-set", [created, TestEvents.Transferred("l-set", "tech", "2026-11-23T15:00:30+01:00")]).IsSettled);
    }

    [Fact]
    public void Async_contact_resolved_by_an_agent_without_answer_has_that_resolution_as_first_response()
    {
        // messenger contact created 09:00, resolved by agent m1 at 09:45 with no contact.answered: first response 45 min
        var c = Ev.Derive("l-msg", [
            TestEvents.Created("l-msg", "phone", "2026-11-23T09:00:00+01:00", channel: Channel.Messenger),
            TestEvents.Resolved("l-msg", "2026-11-23T09:45:00+01:00", "m1"),
        ]);
        Assert.Equal(TimeSpan.FromMinutes(45), c.FirstResponse);
        Assert.Equal(Channel.Messenger, c.Channel);
        Assert.Equal(("m1", SegmentOutcome.Answered), (c.Current!.AgentId, c.Current.Outcome));
    }

    [Fact]
    public void Contact_closed_without_agent_and_without_answer_is_offered_only()
    {
        var c = Ev.Derive("l-closed", [
            TestEvents.Created("l-closed", "phone", "2026-11-23T09:00:00+01:00"),
            TestEvents.Resolved("l-closed", "2026-11-23T09:01:00+01:00"),
        ]);
        Assert.Equal(SegmentOutcome.ClosedUnanswered, c.Current!.Outcome);
        Ev.EqualCounters(new Dictionary<IntervalKey, IntervalCounters>
        {
            [Ev.Key("phone", "2026-11-23T09:00:00+01:00")] = new() { Offered = 1 },
        }, c.Contribution(Ev.Thresholds));
        Assert.True(c.IsSettled);
    }

    // ---- Cases that expose defects (see the report): they state the behaviour DESIGN.md asks for. ----

    [Fact]
    public void Answer_at_the_same_instant_as_an_escalation_transfer_belongs_to_the_target_queue()
    {
        // The simulator (and an ACD routing to an idle agent) emits contact.transferred and the target
        // agent's contact.answered with the same timestamp. The source was answered by a1 long before,
        // so a2's answer at 12:04:00 can only be the answer in tech (wait 0 s).
        var events = new[]
        {
            TestEvents.Created("l-tie", "phone", "2026-11-23T12:00:00+01:00"),
            TestEvents.Answered("l-tie", "a1", "2026-11-23T12:00:10+01:00"),
            TestEvents.Transferred("l-tie", "tech", "2026-11-23T12:04:00+01:00"),
            TestEvents.Answered("l-tie", "a2", "2026-11-23T12:04:00+01:00"),
        };
        var c = Ev.Derive("l-tie", events);

        Assert.Equal(ContactStatus.InHandling, c.Status);
        Assert.Equal(("tech", SegmentOutcome.Answered, "a2"), (c.Current!.Queue, c.Current.Outcome, c.Current.AgentId));
        Assert.Equal(TimeSpan.Zero, c.Current.Wait);
        Assert.Equal(
            new IntervalCounters { Offered = 1, Answered = 1, AnsweredWithinThreshold = 1, AnswerWaitMs = 0 },
            c.Contribution(Ev.Thresholds)[Ev.Key("tech", "2026-11-23T12:00:00+01:00")]);
    }

    [Fact]
    public void Wrap_up_of_the_agents_next_contact_does_not_extend_a_contact_resolved_without_wrap_up()
    {
        // Contact A: answered 10:00:00 by a1, resolved 10:05:00; a1 reports no wrap-up for it.
        // a1 takes contact B at 10:06:00 (on_contact), wraps B up 10:10:00..10:11:00.
        // DESIGN: "a contact's handle time ends when its agent leaves wrap-up (or at contact.resolved when
        // no wrap-up is reported)" -> A ends at 10:05:00 (300 s), not at the end of B's wrap-up (660 s).
        var c = Ev.Derive("l-next", [
            TestEvents.Created("l-next", "phone", "2026-11-23T09:59:50+01:00"),
            TestEvents.Answered("l-next", "a1", "2026-11-23T10:00:00+01:00"),
            TestEvents.Resolved("l-next", "2026-11-23T10:05:00+01:00", "a1"),
            TestEvents.State("a1", AgentState.OnContact, "2026-11-23T10:00:00+01:00"),
            TestEvents.State("a1", AgentState.OnContact, "2026-11-23T10:06:00+01:00"),
            TestEvents.State("a1", AgentState.WrapUp, "2026-11-23T10:10:00+01:00"),
            TestEvents.State("a1", AgentState.Available, "2026-11-23T10:11:00+01:00"),
        ]);
        Assert.Equal(TestEvents.T("2026-11-23T10:05:00+01:00"), c.Current!.HandleEndAt);
        Assert.Equal(TimeSpan.FromSeconds(300), c.Current.HandleTime);
    }

    private static IEnumerable<OpsEvent[]> Permutations(OpsEvent[] items)
    {
        // Heap's algorithm, yielding copies
        var a = (OpsEvent[])items.Clone();
        var c = new int[a.Length];
        yield return (OpsEvent[])a.Clone();
        var i = 0;
        while (i < a.Length)
        {
            if (c[i] < i)
            {
                if (i % 2 == 0) (a[0], a[i]) = (a[i], a[0]);
                else (a[c[i]], a[i]) = (a[i], a[c[i]]);
                yield return (OpsEvent[])a.Clone();
                c[i]++;
                i = 0;
            }
            else
            {
                c[i] = 0;
                i++;
            }
        }
    }
}
