namespace Ops.Dashboard.Domain.Tests;

public class AlarmEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 16, 9, 0, 0, TimeSpan.FromHours(1));

    private static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);

    private static AlarmEvaluator Evaluator(params AlarmRuleOptions[] rules) =>
        new(new AlarmOptions { Rules = [.. rules] }.Compile(AlarmRuleTests.Site()));

    /// <summary>waiting ≥ 10 raises, ≤ 5 clears, both after 60 s.</summary>
    private static AlarmRuleOptions Waiting(int forSeconds = 60, int? clearForSeconds = null, double? clear = 5) =>
        new() { Id = "waiting", Name = "Waiting", Kind = "waitingAbove", Raise = 10, Clear = clear, ForSeconds = forSeconds, ClearForSeconds = clearForSeconds };

    /// <summary>Feeds one subject's values at the given seconds after T0; returns the transitions with their second.</summary>
    private static List<(int Second, AlarmChange Change)> Feed(AlarmEvaluator evaluator, string rule, string subject, IEnumerable<(int Second, double? Value)> series) =>
        FeedTransitions(evaluator, rule, subject, series).Select(t => ((int)(t.At - T0).TotalSeconds, t.Change)).ToList();

    private static List<AlarmTransition> FeedTransitions(AlarmEvaluator evaluator, string rule, string subject, IEnumerable<(int Second, double? Value)> series) =>
        series.SelectMany(p => evaluator.Evaluate(At(p.Second), [new AlarmSignal(rule, subject, p.Value)])).ToList();

    private static IEnumerable<(int, double?)> Constant(int from, int to, double? value, int step = 10)
    {
        for (var s = from; s <= to; s += step)
        {
            yield return (s, value);
        }
    }

    private static AlarmEvaluator ActiveWaiting(int clearForSeconds = 60, double? clear = 5)
    {
        var evaluator = Evaluator(Waiting(forSeconds: 0, clearForSeconds: clearForSeconds, clear: clear));
        Assert.Single(evaluator.Evaluate(At(0), [new AlarmSignal("waiting", "billing", 12)]));
        return evaluator;
    }

    [Fact]
    public void An_alarm_is_raised_only_after_the_breach_held_for_forSeconds()
    {
        var evaluator = Evaluator(Waiting());

        Assert.Empty(Feed(evaluator, "waiting", "billing", Constant(0, 50, 12)));
        Assert.False(evaluator.IsActive("waiting", "billing"));

        var raised = Assert.Single(evaluator.Evaluate(At(60), [new AlarmSignal("waiting", "billing", 13)]));
        Assert.Equal(new AlarmTransition("waiting", "billing", AlarmChange.Raised, 13, At(60), At(0)), raised);
        Assert.True(evaluator.IsActive("waiting", "billing"));
    }

    [Fact]
    public void A_breach_shorter_than_forSeconds_raises_nothing_and_the_next_one_starts_from_zero()
    {
        var evaluator = Evaluator(Waiting());

        var transitions = Feed(evaluator, "waiting", "billing",
            [.. Constant(0, 50, 12), (60, 3), .. Constant(70, 200, 12)]);

        Assert.Equal([(130, AlarmChange.Raised)], transitions);
    }

    [Fact]
    public void A_zero_duration_raises_on_the_first_breach()
    {
        var evaluator = Evaluator(Waiting(forSeconds: 0));

        Assert.Equal([(0, AlarmChange.Raised)], Feed(evaluator, "waiting", "billing", [(0, 10)]));
    }

    [Fact]
    public void Values_between_clear_and_raise_neither_raise_nor_clear()
    {
        var normal = Evaluator(Waiting());
        Assert.Empty(Feed(normal, "waiting", "billing", Constant(0, 3600, 7)));
        Assert.False(normal.IsActive("waiting", "billing"));

        var active = ActiveWaiting();
        Assert.Empty(Feed(active, "waiting", "billing", Constant(10, 3600, 7)));
        Assert.True(active.IsActive("waiting", "billing"));
    }

    [Fact]
    public void An_alarm_clears_after_clearForSeconds_at_or_below_clear()
    {
        var evaluator = ActiveWaiting(clearForSeconds: 120);

        Assert.Empty(Feed(evaluator, "waiting", "billing", [(10, 5), .. Constant(20, 120, 4)]));
        Assert.True(evaluator.IsActive("waiting", "billing"));

        var cleared = Assert.Single(evaluator.Evaluate(At(130), [new AlarmSignal("waiting", "billing", 2)]));
        Assert.Equal(new AlarmTransition("waiting", "billing", AlarmChange.Cleared, 2, At(130), At(10)), cleared);
        Assert.False(evaluator.IsActive("waiting", "billing"));
    }

    [Fact]
    public void A_value_in_the_band_restarts_the_clear_timer()
    {
        var evaluator = ActiveWaiting();

        var transitions = Feed(evaluator, "waiting", "billing", [.. Constant(10, 50, 4), (60, 7), .. Constant(70, 200, 4)]);

        Assert.Equal([(130, AlarmChange.Cleared)], transitions);
    }

    [Fact]
    public void Without_a_clear_threshold_the_alarm_clears_once_below_raise_long_enough()
    {
        var evaluator = ActiveWaiting(clearForSeconds: 30, clear: null);

        Assert.Equal([(40, AlarmChange.Cleared)], Feed(evaluator, "waiting", "billing", Constant(10, 100, 9.5)));
    }

    [Fact]
    public void A_noisy_signal_around_raise_never_raises()
    {
        var evaluator = Evaluator(Waiting());
        var noise = Enumerable.Range(0, 360).Select(i => (i * 10, (double?)(i % 2 == 0 ? 11 : 9)));

        Assert.Empty(Feed(evaluator, "waiting", "billing", noise));
        Assert.False(evaluator.IsActive("waiting", "billing"));
    }

    [Fact]
    public void A_noisy_signal_around_raise_never_clears_an_active_alarm()
    {
        var evaluator = ActiveWaiting();
        var noise = Enumerable.Range(1, 360).Select(i => (i * 10, (double?)(i % 2 == 0 ? 11 : 9)));

        Assert.Empty(Feed(evaluator, "waiting", "billing", noise));
        Assert.True(evaluator.IsActive("waiting", "billing"));
    }

    [Fact]
    public void Longest_wait_fires_from_the_clock_alone()
    {
        var evaluator = Evaluator(new AlarmRuleOptions { Id = "longest", Name = "Longest", Kind = "longestWaitAbove", Raise = 120, Clear = 45, ForSeconds = 0 });
        var oldestWaitingSince = At(-30);

        // Nothing happens in the queue; the caller only recomputes the wait from the clock every 5 s.
        var transitions = new List<AlarmTransition>();
        for (var s = 0; s <= 200; s += 5)
        {
            transitions.AddRange(evaluator.Evaluate(At(s),
                [new AlarmSignal("longest", "tech", AlarmSignals.LongestWaitSeconds(oldestWaitingSince, At(s)))]));
        }

        var raised = Assert.Single(transitions);
        Assert.Equal((AlarmChange.Raised, At(90), 120.0), (raised.Change, raised.At, raised.Value));
    }

    [Fact]
    public void A_silent_source_raises_as_minutes_pass_and_clears_when_it_sends_again()
    {
        var evaluator = Evaluator(new AlarmRuleOptions { Id = "silent", Name = "Silent", Kind = "sourceSilent", Raise = 10, ForSeconds = 0, ClearForSeconds = 0 });
        var lastSeen = At(0);

        var transitions = new List<AlarmTransition>();
        for (var s = 0; s <= 900; s += 5)
        {
            if (s == 700)
            {
                lastSeen = At(s);
            }
            transitions.AddRange(evaluator.Evaluate(At(s), [new AlarmSignal("silent", "acd", AlarmSignals.SilentMinutes(lastSeen, At(s)))]));
        }

        Assert.Equal([(AlarmChange.Raised, At(600), "acd"), (AlarmChange.Cleared, At(700), "acd")],
            transitions.Select(t => (t.Change, t.At, t.Subject)));
    }

    [Fact]
    public void Service_level_below_uses_each_queues_target_when_raise_is_omitted()
    {
        var evaluator = Evaluator(new AlarmRuleOptions { Id = "sl", Name = "SL", Kind = "serviceLevelBelow", Queues = ["billing", "sales"], ForSeconds = 0 });

        // Billing's target is 80, sales' 70: 75 % is a breach for billing only.
        var raised = evaluator.Evaluate(At(0), [new AlarmSignal("sl", "billing", 75), new AlarmSignal("sl", "sales", 75)]);

        Assert.Equal(["billing"], raised.Select(t => t.Subject));
        Assert.Empty(evaluator.Evaluate(At(10), [new AlarmSignal("sl", "billing", 79.9)]));
        // Back at the target clears (no clear threshold configured).
        Assert.Equal([AlarmChange.Cleared], evaluator.Evaluate(At(20), [new AlarmSignal("sl", "billing", 80)]).Select(t => t.Change));
    }

    [Fact]
    public void Service_level_below_with_a_clear_threshold_stays_raised_until_it_is_reached()
    {
        var evaluator = Evaluator(new AlarmRuleOptions { Id = "sl", Name = "SL", Kind = "serviceLevelBelow", Raise = 80, Clear = 85, ForSeconds = 0 });

        var transitions = Feed(evaluator, "sl", "tech", [(0, 70), (10, 82), (20, 84.9), (30, 85)]);

        Assert.Equal([(0, AlarmChange.Raised), (30, AlarmChange.Cleared)], transitions);
    }

    [Fact]
    public void No_agent_available_raises_while_contacts_wait_without_an_available_agent()
    {
        var evaluator = Evaluator(new AlarmRuleOptions { Id = "no-agent", Name = "No agent", Kind = "noAgentAvailable", ForSeconds = 30, ClearForSeconds = 0 });
        (int, double?) Point(int s, int waiting, int available) => (s, AlarmSignals.NoAgentAvailable(waiting, available));

        var transitions = Feed(evaluator, "no-agent", "billing",
            [Point(0, 0, 0), Point(10, 2, 0), Point(20, 3, 0), Point(40, 3, 0), Point(50, 3, 1)]);

        Assert.Equal([(40, AlarmChange.Raised), (50, AlarmChange.Cleared)], transitions);
    }

    [Fact]
    public void Missing_data_does_not_advance_the_raise_timer()
    {
        var evaluator = Evaluator(Waiting());

        var transitions = FeedTransitions(evaluator, "waiting", "billing",
            [.. Constant(0, 30, 12), .. Constant(40, 200, null), .. Constant(210, 300, 12)]);

        // 30 s seen before the gap and 30 s after it; the time around the gap, without data, does not count.
        var raised = Assert.Single(transitions);
        Assert.Equal((AlarmChange.Raised, At(240), At(180)), (raised.Change, raised.At, raised.ConditionSince));
    }

    [Fact]
    public void Missing_data_neither_raises_nor_clears()
    {
        var active = ActiveWaiting();
        Assert.Empty(Feed(active, "waiting", "billing", Constant(10, 3600, null)));
        Assert.True(active.IsActive("waiting", "billing"));

        var normal = Evaluator(Waiting());
        Assert.Empty(Feed(normal, "waiting", "billing", [.. Constant(0, 3600, null), (3610, double.NaN)]));
        Assert.False(normal.IsActive("waiting", "billing"));
    }

    [Fact]
    public void Export_and_import_continue_a_pending_raise_where_it_stopped()
    {
        var before = Evaluator(Waiting());
        Feed(before, "waiting", "billing", Constant(0, 30, 12));
        var state = before.Export();
        Assert.Equal(new AlarmConditionState("waiting", "billing", false, At(0), 12, At(30)), Assert.Single(state));

        var after = Evaluator(Waiting());
        after.Import(state);

        Assert.Equal([(60, AlarmChange.Raised)], Feed(after, "waiting", "billing", Constant(40, 100, 12)));
        Feed(before, "waiting", "billing", Constant(40, 100, 12));
        Assert.Equal(before.Export(), after.Export());
    }

    [Fact]
    public void Export_and_import_keep_an_active_alarm_and_its_clear_timer()
    {
        var before = ActiveWaiting();
        Feed(before, "waiting", "billing", Constant(10, 40, 3));
        var state = before.Export();
        Assert.Equal(new AlarmConditionState("waiting", "billing", true, At(10), 3, At(40)), Assert.Single(state));

        var after = Evaluator(Waiting(forSeconds: 0, clearForSeconds: 60));
        after.Import(state);

        Assert.True(after.IsActive("waiting", "billing"));
        Assert.Equal([(70, AlarmChange.Cleared)], Feed(after, "waiting", "billing", Constant(50, 100, 3)));
    }

    [Fact]
    public void Import_drops_the_state_of_rules_and_subjects_no_longer_configured()
    {
        var evaluator = Evaluator(Waiting());
        evaluator.Import(
        [
            new AlarmConditionState("gone", "billing", true, null, 12, At(0)),
            new AlarmConditionState("waiting", "no-such-queue", true, null, 12, At(0)),
            new AlarmConditionState("waiting", "tech", true, null, 12, At(0)),
        ]);

        Assert.Equal(["tech"], evaluator.Export().Select(s => s.Subject));
    }

    [Fact]
    public void Signals_for_unknown_rules_and_unwatched_subjects_are_ignored()
    {
        var evaluator = Evaluator(Waiting(forSeconds: 0), new AlarmRuleOptions { Id = "sl", Name = "SL", Kind = "serviceLevelBelow", Queues = ["billing"], ForSeconds = 0 });

        var transitions = evaluator.Evaluate(At(0),
        [
            new AlarmSignal("nope", "billing", 100),
            new AlarmSignal("sl", "tech", 0),
            new AlarmSignal("waiting", "no-such-queue", 100),
        ]);

        Assert.Empty(transitions);
        Assert.Empty(evaluator.Export());
    }

    [Fact]
    public void Subjects_are_independent_and_an_unreported_subject_keeps_its_state()
    {
        var evaluator = Evaluator(Waiting(forSeconds: 0));
        evaluator.Evaluate(At(0), [new AlarmSignal("waiting", "billing", 12), new AlarmSignal("waiting", "tech", 2)]);

        // billing stops being reported; tech carries on below raise.
        Assert.Empty(Feed(evaluator, "waiting", "tech", Constant(10, 3600, 2)));

        Assert.True(evaluator.IsActive("waiting", "billing"));
        Assert.False(evaluator.IsActive("waiting", "tech"));
    }

    [Fact]
    public void A_signal_older_than_the_last_one_is_ignored()
    {
        var evaluator = Evaluator(Waiting());
        Feed(evaluator, "waiting", "billing", Constant(0, 50, 12));

        Assert.Empty(evaluator.Evaluate(At(5), [new AlarmSignal("waiting", "billing", 0)]));
        Assert.Equal([(60, AlarmChange.Raised)], Feed(evaluator, "waiting", "billing", [(60, 12)]));
    }

    [Fact]
    public void The_same_inputs_give_the_same_transitions()
    {
        List<AlarmTransition> Run()
        {
            var evaluator = Evaluator(Waiting(), new AlarmRuleOptions { Id = "sl", Name = "SL", Kind = "serviceLevelBelow", ForSeconds = 30 });
            var all = new List<AlarmTransition>();
            for (var s = 0; s < 1800; s += 5)
            {
                var wave = Math.Sin(s / 120.0);
                all.AddRange(evaluator.Evaluate(At(s),
                [
                    new AlarmSignal("waiting", "billing", 8 + 6 * wave),
                    new AlarmSignal("sl", "billing", 82 + 10 * wave),
                    new AlarmSignal("sl", "sales", 72 - 10 * wave),
                ]));
            }
            return all;
        }

        var first = Run();
        Assert.NotEmpty(first);
        Assert.Equal(first, Run());
    }

    [Fact]
    public void Duplicate_rule_ids_are_refused()
    {
        var rule = Assert.Single(new AlarmOptions { Rules = [Waiting()] }.Compile(AlarmRuleTests.Site()));
        Assert.Throws<ArgumentException>(() => new AlarmEvaluator([rule, rule]));
    }

    [Fact]
    public void Forecast_deviation_compares_this_hours_contacts_with_the_prorated_forecast()
    {
        // 120 forecast for the hour: 40 by :20, so 80 offered is 100 % off and 40 is on target.
        Assert.Equal(100, AlarmSignals.ForecastDeviationPercent(80, 120, At(0), At(20 * 60), minVolume: 20));
        Assert.Equal(0, AlarmSignals.ForecastDeviationPercent(40, 120, At(0), At(20 * 60), minVolume: 20));
        Assert.Equal(50, AlarmSignals.ForecastDeviationPercent(20, 120, At(0), At(20 * 60), minVolume: 20));
    }

    [Fact]
    public void Forecast_deviation_has_no_signal_before_15_minutes_below_the_minimum_volume_or_without_a_model()
    {
        Assert.Null(AlarmSignals.ForecastDeviationPercent(80, 120, At(0), At(15 * 60 - 1), minVolume: 20));
        Assert.NotNull(AlarmSignals.ForecastDeviationPercent(80, 120, At(0), At(15 * 60), minVolume: 20));
        // 12 for the hour is 6 by :30: too few for a percentage that means anything.
        Assert.Null(AlarmSignals.ForecastDeviationPercent(30, 12, At(0), At(30 * 60), minVolume: 20));
        Assert.Equal(400, AlarmSignals.ForecastDeviationPercent(30, 12, At(0), At(30 * 60), minVolume: 5));
        Assert.Null(AlarmSignals.ForecastDeviationPercent(500, null, At(0), At(30 * 60), minVolume: 0));
        Assert.Null(AlarmSignals.ForecastDeviationPercent(5, 0, At(0), At(30 * 60), minVolume: 0));
    }

    [Fact]
    public void A_forecast_deviation_raises_after_its_duration_and_clears_only_below_the_clear_threshold()
    {
        var evaluator = Evaluator(new AlarmRuleOptions
        {
            Id = "fd", Name = "Forecast", Kind = "forecastDeviation", Queues = ["billing"], Raise = 50, Clear = 30, ForSeconds = 60, MinVolume = 20,
        });
        // 80 contacts in the first minutes of the hour against 120 forecast: the gap closes as the hour goes on.
        var series = Enumerable.Range(10, 30).Select(m => (m * 60, AlarmSignals.ForecastDeviationPercent(80, 120, At(0), At(m * 60), 20)));

        var transitions = Feed(evaluator, "fd", "billing", series);

        // Nothing before :15; 167 % at :15 and 150 % at :16: raised at :16. 54 % at :26 down to 33 % at :30 stay in the
        // band (not cleared although they are under raise); 29 % from :31 holds a minute: cleared at :32.
        Assert.Equal([(16 * 60, AlarmChange.Raised), (32 * 60, AlarmChange.Cleared)], transitions);
    }

    [Fact]
    public void Signal_helpers_compute_the_rule_values()
    {
        // SL = 8 / (9 + 2 − 1); abandon rate = (2 − 1) / (9 + 2 − 1), as in DESIGN.md.
        Assert.Equal(80, AlarmSignals.ServiceLevelPercent(8, 9, 2, 1));
        Assert.Equal(10, AlarmSignals.AbandonRatePercent(9, 2, 1));
        Assert.Null(AlarmSignals.ServiceLevelPercent(0, 0, 1, 1));
        Assert.Null(AlarmSignals.AbandonRatePercent(0, 0, 0));

        Assert.Equal(30, AlarmSignals.DeviationPercent(130, 100));
        Assert.Equal(30, AlarmSignals.DeviationPercent(70, 100));
        Assert.Null(AlarmSignals.DeviationPercent(5, null));
        Assert.Null(AlarmSignals.DeviationPercent(5, 0));
        Assert.Equal(30, AlarmSignals.ForecastSoFar(120, At(0), At(15 * 60)));
        Assert.Equal(120, AlarmSignals.ForecastSoFar(120, At(0), At(2 * 3600)));
        Assert.Null(AlarmSignals.ForecastSoFar(null, At(0), At(60)));

        Assert.Equal(12.5, AlarmSignals.SilentMinutes(At(0), At(750)));
        Assert.Equal(0, AlarmSignals.SilentMinutes(At(60), At(0)));
        Assert.Equal(90, AlarmSignals.LongestWaitSeconds(At(0), At(90)));
        Assert.Equal(0, AlarmSignals.LongestWaitSeconds(null, At(90)));

        Assert.Equal(1, AlarmSignals.NoAgentAvailable(3, 0));
        Assert.Equal(0, AlarmSignals.NoAgentAvailable(0, 0));
        Assert.Equal(0, AlarmSignals.NoAgentAvailable(3, 1));

        Assert.Equal(5, AlarmSignals.AgentErrorEscalationPercent(10, 200));
        Assert.Null(AlarmSignals.AgentErrorEscalationPercent(0, 0));
    }
}
