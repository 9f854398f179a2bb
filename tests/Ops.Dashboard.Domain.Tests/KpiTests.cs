using Ops.Dashboard.Testing;
namespace Ops.Dashboard.Domain.Tests;

public class KpiTests
{
    // One hand-made interval used by several formulas:
    // answered 8 (6 within T), abandoned 3 (1 of them short), handled 4,
    // total answer wait 96 s, total handle time 1000 s, total abandon wait 75 s, CSAT 3 surveys summing 13.
    private static readonly IntervalCounters Sample = new()
    {
        Offered = 12,
        Answered = 8,
        AnsweredWithinThreshold = 6,
        Abandoned = 3,
        ShortAbandoned = 1,
        Handled = 4,
        AnswerWaitMs = 96_000,
        HandleMs = 1_000_000,
        AbandonWaitMs = 75_000,
        CsatCount = 3,
        CsatScoreSum = 13,
    };

    [Fact]
    public void Service_level_is_answered_within_T_over_answered_plus_abandoned_minus_short_abandoned()
    {
        // 6 / (8 + 3 - 1) = 6 / 10 = 60 %
        Assert.Equal(60.0, Kpi.ServiceLevelPercent(Sample));
    }

    [Fact]
    public void Service_level_leaves_short_abandons_out_of_the_denominator()
    {
        // 3 within of 4 answered, 5 abandoned of which 4 short: 3 / (4 + 5 - 4) = 3 / 5 = 60 %
        var c = new IntervalCounters { Answered = 4, AnsweredWithinThreshold = 3, Abandoned = 5, ShortAbandoned = 4 };
        Assert.Equal(60.0, Kpi.ServiceLevelPercent(c));
        // if short abandons were counted: 3 / 9 = 33.3 %, which the formula must not give
        Assert.NotEqual(Math.Round(300.0 / 9, 6), Kpi.ServiceLevelPercent(c));
    }

    [Fact]
    public void Service_level_of_a_non_terminating_fraction_is_rounded_to_six_decimals()
    {
        // 2 / (3 + 0 - 0) = 66.6666666... % -> 66.666667
        var c = new IntervalCounters { Answered = 3, AnsweredWithinThreshold = 2 };
        Assert.Equal(66.666667, Kpi.ServiceLevelPercent(c));
    }

    [Fact]
    public void Abandon_rate_is_long_abandons_over_answered_plus_long_abandons()
    {
        // (3 - 1) / (8 + 3 - 1) = 2 / 10 = 20 %
        Assert.Equal(20.0, Kpi.AbandonRatePercent(Sample));
    }

    [Fact]
    public void Asa_is_total_answer_wait_over_answered_in_seconds()
    {
        // 96 000 ms / 8 = 12 000 ms = 12 s
        Assert.Equal(12.0, Kpi.AsaSeconds(Sample));
    }

    [Fact]
    public void Aht_is_total_handle_time_over_handled_in_seconds()
    {
        // 1 000 000 ms / 4 = 250 000 ms = 250 s
        Assert.Equal(250.0, Kpi.AhtSeconds(Sample));
    }

    [Fact]
    public void Aht_divides_by_handled_not_by_answered()
    {
        // 1 000 000 ms / 4 handled = 250 s; dividing by the 8 answered would give 125 s
        Assert.NotEqual(125.0, Kpi.AhtSeconds(Sample));
        Assert.Equal(250.0, Kpi.AhtSeconds(Sample with { Answered = 100 }));
    }

    [Fact]
    public void Average_csat_and_patience()
    {
        // CSAT 13 / 3 = 4.333333; patience 75 000 ms / 3 abandoned = 25 s
        Assert.Equal(4.333333, Kpi.AverageCsat(Sample));
        Assert.Equal(25.0, Kpi.AveragePatienceSeconds(Sample));
    }

    [Fact]
    public void Occupancy_is_busy_over_available_plus_busy()
    {
        // (30 + 10) min / (20 + 30 + 10) min = 40 / 60 = 66.666667 %
        Assert.Equal(66.666667, Kpi.OccupancyPercent(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20)));
    }

    [Fact]
    public void Every_figure_is_null_for_an_empty_interval()
    {
        var empty = IntervalCounters.Zero;
        Assert.Null(Kpi.ServiceLevelPercent(empty));
        Assert.Null(Kpi.AbandonRatePercent(empty));
        Assert.Null(Kpi.AsaSeconds(empty));
        Assert.Null(Kpi.AhtSeconds(empty));
        Assert.Null(Kpi.AverageCsat(empty));
        Assert.Null(Kpi.AveragePatienceSeconds(empty));
        Assert.Null(Kpi.OccupancyPercent(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero));
    }

    [Fact]
    public void Service_level_and_abandon_rate_are_null_when_only_short_abandons_happened()
    {
        // answered 0 + abandoned 2 - short 2 = 0: "no calls that count" is not 0 % and not 100 %
        var c = new IntervalCounters { Offered = 2, Abandoned = 2, ShortAbandoned = 2, AbandonWaitMs = 4_000 };
        Assert.Null(Kpi.ServiceLevelPercent(c));
        Assert.Null(Kpi.AbandonRatePercent(c));
        Assert.Null(Kpi.AsaSeconds(c));
    }

    [Fact]
    public void Aht_is_null_when_answered_but_nothing_handled_yet()
    {
        // 1 answered in this interval, its handling ends in a later one: handled 0
        var c = new IntervalCounters { Offered = 1, Answered = 1, AnsweredWithinThreshold = 1, AnswerWaitMs = 5_000 };
        Assert.Null(Kpi.AhtSeconds(c));
        Assert.Equal(5.0, Kpi.AsaSeconds(c));
        Assert.Equal(100.0, Kpi.ServiceLevelPercent(c));
        Assert.Equal(0.0, Kpi.AbandonRatePercent(c));
    }

    // "Within T" means wait <= T, tested through the lifecycle that classifies the wait (phone: T = 20 s).

    [Fact]
    public void A_wait_of_exactly_T_is_within_threshold()
    {
        // created 09:00:00.000, answered 09:00:20.000: wait 20 000 ms <= 20 000 ms
        var c = Ev.Contribution("kpi-t", [
            TestEvents.Created("kpi-t", "phone", "2026-11-23T09:00:00.000+01:00"),
            TestEvents.Answered("kpi-t", "a1", "2026-11-23T09:00:20.000+01:00"),
        ]);
        var interval = c[Ev.Key("phone", "2026-11-23T09:00:00+01:00")];
        Assert.Equal(1, interval.Answered);
        Assert.Equal(1, interval.AnsweredWithinThreshold);
        Assert.Equal(20_000, interval.AnswerWaitMs);
        Assert.Equal(100.0, Kpi.ServiceLevelPercent(interval));
    }

    [Fact]
    public void A_wait_of_T_plus_one_millisecond_is_not_within_threshold()
    {
        // created 09:00:00.000, answered 09:00:20.001: wait 20 001 ms > 20 000 ms
        var c = Ev.Contribution("kpi-t1", [
            TestEvents.Created("kpi-t1", "phone", "2026-11-23T09:00:00.000+01:00"),
            TestEvents.Answered("kpi-t1", "a1", "2026-11-23T09:00:20.001+01:00"),
        ]);
        var interval = c[Ev.Key("phone", "2026-11-23T09:00:00+01:00")];
        Assert.Equal(1, interval.Answered);
        Assert.Equal(0, interval.AnsweredWithinThreshold);
        Assert.Equal(20_001, interval.AnswerWaitMs);
        Assert.Equal(0.0, Kpi.ServiceLevelPercent(interval));
    }

    // A short abandon is an abandon after a wait < S (phone: S = 5 s).

    [Fact]
    public void An_abandon_after_exactly_S_is_not_short()
    {
        // created 10:00:00.000, abandoned 10:00:05.000: wait 5 000 ms, not < 5 000 ms
        var c = Ev.Contribution("kpi-s", [
            TestEvents.Created("kpi-s", "phone", "2026-11-23T10:00:00.000+01:00"),
            TestEvents.Abandoned("kpi-s", "2026-11-23T10:00:05.000+01:00"),
        ]);
        var interval = c[Ev.Key("phone", "2026-11-23T10:00:00+01:00")];
        Assert.Equal(1, interval.Abandoned);
        Assert.Equal(0, interval.ShortAbandoned);
        // SL = 0 / (0 + 1 - 0) = 0 %; abandon rate = 1 / 1 = 100 %
        Assert.Equal(0.0, Kpi.ServiceLevelPercent(interval));
        Assert.Equal(100.0, Kpi.AbandonRatePercent(interval));
    }

    [Fact]
    public void An_abandon_one_millisecond_before_S_is_short()
    {
        // created 10:00:00.000, abandoned 10:00:04.999: wait 4 999 ms < 5 000 ms
        var c = Ev.Contribution("kpi-s1", [
            TestEvents.Created("kpi-s1", "phone", "2026-11-23T10:00:00.000+01:00"),
            TestEvents.Abandoned("kpi-s1", "2026-11-23T10:00:04.999+01:00"),
        ]);
        var interval = c[Ev.Key("phone", "2026-11-23T10:00:00+01:00")];
        Assert.Equal(1, interval.Abandoned);
        Assert.Equal(1, interval.ShortAbandoned);
        Assert.Equal(4_999, interval.AbandonWaitMs);
        // 0 / (0 + 1 - 1): nothing that counts
        Assert.Null(Kpi.ServiceLevelPercent(interval));
        Assert.Null(Kpi.AbandonRatePercent(interval));
    }

    [Fact]
    public void Kpis_of_summed_contacts_match_the_hand_computed_interval()
    {
        // Four phone contacts in the 09:00 interval (T = 20 s, S = 5 s):
        //   k1 waits 10 s, answered (within); handled 09:00:10 -> 09:04:10 = 240 s (resolved, no wrap-up reported)
        //   k2 waits 30 s, answered (not within); handled 09:01:30 -> 09:03:30 = 120 s
        //   k3 abandons after 3 s (short)
        //   k4 abandons after 40 s
        // SL = 1 / (2 + 2 - 1) = 33.333333 %, abandon rate = 1 / 3 = 33.333333 %,
        // ASA = (10 + 30) / 2 = 20 s, AHT = (240 + 120) / 2 = 180 s
        var events = new[]
        {
            TestEvents.Created("k1", "phone", "2026-11-23T09:00:00+01:00"), TestEvents.Answered("k1", "a1", "2026-11-23T09:00:10+01:00"), TestEvents.Resolved("k1", "2026-11-23T09:04:10+01:00"),
            TestEvents.Created("k2", "phone", "2026-11-23T09:01:00+01:00"), TestEvents.Answered("k2", "a2", "2026-11-23T09:01:30+01:00"), TestEvents.Resolved("k2", "2026-11-23T09:03:30+01:00"),
            TestEvents.Created("k3", "phone", "2026-11-23T09:02:00+01:00"), TestEvents.Abandoned("k3", "2026-11-23T09:02:03+01:00"),
            TestEvents.Created("k4", "phone", "2026-11-23T09:02:00+01:00"), TestEvents.Abandoned("k4", "2026-11-23T09:02:40+01:00"),
        };
        var sum = new[] { "k1", "k2", "k3", "k4" }
            .SelectMany(id => Ev.Contribution(id, events.Where(e => e.ContactId == id)))
            .Aggregate(IntervalCounters.Zero, (s, kv) => s + kv.Value);

        Assert.Equal(new IntervalCounters
        {
            Offered = 4,
            Answered = 2,
            AnsweredWithinThreshold = 1,
            Abandoned = 2,
            ShortAbandoned = 1,
            Handled = 2,
            AnswerWaitMs = 40_000,
            HandleMs = 360_000,
            AbandonWaitMs = 43_000,
        }, sum);
        Assert.Equal(33.333333, Kpi.ServiceLevelPercent(sum));
        Assert.Equal(33.333333, Kpi.AbandonRatePercent(sum));
        Assert.Equal(20.0, Kpi.AsaSeconds(sum));
        Assert.Equal(180.0, Kpi.AhtSeconds(sum));
    }
}
