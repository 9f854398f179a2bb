using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Domain.Tests;

public sealed class StaffingTests
{
    // The textbook case: 100 contacts in 30 minutes, AHT 3 minutes = 10 Erlangs, 80 % within 20 s.
    private static StaffingInput Published(int? agents = 14) => new(100, 1800, 180, 20, Agents: agents);

    [Fact]
    public void Fourteen_agents_on_the_published_case_give_the_published_figures()
    {
        var r = StaffingCalculator.Calculate(Published());

        Assert.Equal(StaffingCalculator.ErlangCModel, r.Model);
        Assert.Equal(10, r.TrafficErlangs, 9);
        Assert.Equal(14, r.Agents);
        Assert.Equal(14, r.ScheduledAgents);
        Assert.Equal(0.8883, r.ServiceLevel, 0.0001); // 0.88835: published truncated
        Assert.Equal(0.1741, r.ProbabilityOfWaiting, 4);
        Assert.Equal(7.84, r.AsaSeconds!.Value, 2);
        Assert.Equal(0.714, r.Occupancy, 3);
        Assert.Null(r.ProbabilityOfAbandoning);
        Assert.True(r.AgentsGiven);
        Assert.True(r.MeetsTarget);
    }

    [Fact]
    public void Thirteen_agents_miss_the_eighty_percent_target()
    {
        var r = StaffingCalculator.Calculate(Published(13));

        Assert.Equal(0.796, r.ServiceLevel, 3);
        Assert.False(r.MeetsTarget);
    }

    [Fact]
    public void Without_agents_the_fewest_meeting_the_target_are_computed()
    {
        var r = StaffingCalculator.Calculate(Published(null));

        Assert.Equal(14, r.Agents);
        Assert.False(r.AgentsGiven);
        Assert.True(r.MeetsTarget);
    }

    [Fact]
    public void The_occupancy_cap_can_demand_more_agents_than_the_service_level()
    {
        // 10 Erlangs at most 70 % busy need 15 agents (10/15 = 0.667), though 14 reach the SL.
        var r = StaffingCalculator.Calculate(Published(null) with { MaxOccupancyPercent = 70 });

        Assert.Equal(15, r.Agents);
        Assert.True(r.Occupancy <= 0.7);
    }

    [Fact]
    public void Thirty_percent_shrinkage_turns_fourteen_agents_into_twenty_scheduled()
    {
        var r = StaffingCalculator.Calculate(Published(null) with { ShrinkagePercent = 30 });

        Assert.Equal((14, 20), (r.Agents, r.ScheduledAgents));
        Assert.Equal(15, StaffingCalculator.Scheduled(14, 5)); // 14 / 0.95 = 14.7 rounds up
    }

    [Fact]
    public void Too_few_agents_for_the_traffic_leave_the_asa_empty_and_the_service_level_zero()
    {
        var r = StaffingCalculator.Calculate(Published(10));

        Assert.Null(r.AsaSeconds);
        Assert.Equal((0.0, 1.0, 1.0), (r.ServiceLevel, r.ProbabilityOfWaiting, r.Occupancy));
    }

    [Fact]
    public void No_contacts_need_no_agents()
    {
        var r = StaffingCalculator.Calculate(new StaffingInput(0, 1800, 180, 20, ShrinkagePercent: 30));

        Assert.Equal((0, 0, 1.0), (r.Agents, r.ScheduledAgents, r.ServiceLevel));
    }

    [Fact]
    public void A_patience_switches_to_erlang_a_with_its_abandon_rate()
    {
        var input = Published() with { PatienceSeconds = 120 };
        var r = StaffingCalculator.Calculate(input);
        var direct = ErlangA.Evaluate(14, 100.0 / 1800, 180, 120, 20);

        Assert.Equal(StaffingCalculator.ErlangAModel, r.Model);
        Assert.Equal(direct.ServiceLevel, r.ServiceLevel, 12);
        Assert.Equal(direct.AbandonProbability, r.ProbabilityOfAbandoning!.Value, 12);
        Assert.Equal(direct.AverageSpeedOfAnswer, r.AsaSeconds!.Value, 12);
        Assert.InRange(r.ProbabilityOfAbandoning!.Value, 0.001, r.ProbabilityOfWaiting);
        // Callers who give up shorten the queue for the rest: waiting is rarer than without abandons.
        Assert.True(r.ProbabilityOfWaiting < StaffingCalculator.Calculate(Published()).ProbabilityOfWaiting);
    }

    [Fact]
    public void Erlang_a_computes_the_fewest_agents_meeting_the_target()
    {
        var computed = StaffingCalculator.Calculate(Published(null) with { PatienceSeconds = 120 });
        var fewer = StaffingCalculator.Calculate(Published(computed.Agents - 1) with { PatienceSeconds = 120 });

        Assert.True(computed.MeetsTarget);
        Assert.False(fewer.MeetsTarget);
        Assert.Equal(ErlangA.RequiredAgents(100.0 / 1800, 180, 120, 20, 0.8), computed.Agents);
    }

    [Fact]
    public void Erlang_a_with_no_agents_has_everyone_abandon_and_no_asa()
    {
        var r = StaffingCalculator.Calculate(Published(0) with { PatienceSeconds = 60 });

        Assert.Null(r.AsaSeconds);
        Assert.Equal(1, r.ProbabilityOfAbandoning!.Value, 9);
        Assert.Equal(1, r.Occupancy);
    }

    [Fact]
    public void Fifteen_hundred_agents_give_finite_figures_in_range()
    {
        // 14,000 contacts in 30 minutes at 180 s = 1,400 Erlangs.
        var big = new StaffingInput(14_000, 1800, 180, 20, Agents: 1500);
        var c = StaffingCalculator.Calculate(big);
        var a = StaffingCalculator.Calculate(big with { PatienceSeconds = 120 });
        var required = StaffingCalculator.Calculate(big with { Agents = null });

        foreach (var r in new[] { c, a })
        {
            Assert.InRange(r.ServiceLevel, 0.99, 1);
            Assert.InRange(r.ProbabilityOfWaiting, 0, 0.05);
            Assert.True(double.IsFinite(r.AsaSeconds!.Value));
            Assert.InRange(r.Occupancy, 0.9, 1);
        }
        Assert.InRange(required.Agents, 1401, 1500);
        Assert.InRange(required.ServiceLevel, 0.8, 1);
        Assert.True(double.IsFinite(required.AsaSeconds!.Value));
        Assert.False(StaffingCalculator.Calculate(big with { Agents = required.Agents - 1 }).MeetsTarget);
    }

    [Theory]
    [InlineData("ahtSeconds", 100, 1800, 0, 20, "must be greater than 0")]
    [InlineData("ahtSeconds", 100, 1800, -5, 20, "must be greater than 0")]
    [InlineData("contacts", -1, 1800, 180, 20, "must be 0 or more")]
    [InlineData("intervalSeconds", 100, 0, 180, 20, "must be greater than 0")]
    [InlineData("intervalSeconds", 100, -1800, 180, 20, "must be greater than 0")]
    [InlineData("targetSeconds", 100, 1800, 180, -1, "must be 0 or more")]
    [InlineData("contacts", 1e12, 1800, 180, 20, "too many")]
    [InlineData("contacts", double.NaN, 1800, 180, 20, "finite")]
    public void A_bad_number_is_refused_naming_its_field(string field, double contacts, double interval, double aht, double target, string message)
    {
        var e = Assert.Throws<StaffingInputException>(() => StaffingCalculator.Calculate(new StaffingInput(contacts, interval, aht, target)));

        Assert.Equal(field, e.Field);
        Assert.StartsWith(field + ": ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Bad_optional_inputs_are_refused_naming_their_field()
    {
        static string FieldOf(StaffingInput input) =>
            Assert.Throws<StaffingInputException>(() => StaffingCalculator.Calculate(input)).Field;

        Assert.Equal("agents", FieldOf(Published(-1)));
        Assert.Equal("shrinkagePercent", FieldOf(Published() with { ShrinkagePercent = 100 }));
        Assert.Equal("shrinkagePercent", FieldOf(Published() with { ShrinkagePercent = -1 }));
        Assert.Equal("slTargetPercent", FieldOf(Published() with { SlTargetPercent = 100 }));
        Assert.Equal("maxOccupancyPercent", FieldOf(Published() with { MaxOccupancyPercent = 0 }));
        Assert.Equal("patienceSeconds", FieldOf(Published() with { PatienceSeconds = 0 }));
    }

    // ---- asynchronous channels ----

    [Fact]
    public void The_workload_model_needs_agents_for_the_hours_volume_at_the_occupancy()
    {
        // AHT 6 minutes at 80 % occupancy: 8 contacts per agent and hour.
        var hours = WorkloadModel.Hours([10, 40, 0], 360, 0.8);

        Assert.Equal([2, 5, 0], hours.Select(h => h.RequiredAgents));
        Assert.All(hours, h => Assert.Equal(0, h.BacklogOut));
        Assert.All(hours, h => Assert.Null(h.PlannedAgents));
    }

    [Fact]
    public void Work_the_planned_agents_cannot_handle_is_carried_to_the_next_hour()
    {
        var hours = WorkloadModel.Hours([10, 40, 0, 0], 360, 0.8, plannedAgents: [2, 3, 1, 3]);

        // Hour 1: 40 against 24 handled leaves 16; hour 2: one agent handles 8 of them; hour 3 clears the rest.
        Assert.Equal([0, 16, 8, 0], hours.Select(h => h.BacklogOut));
        Assert.Equal([0, 0, 16, 8], hours.Select(h => h.BacklogIn));
        Assert.Equal([10, 24, 8, 8], hours.Select(h => h.Handled));
        Assert.Equal([2, 5, 2, 1], hours.Select(h => h.RequiredAgents));
    }

    [Fact]
    public void What_arrives_while_the_queue_is_not_worked_is_the_next_open_hours_work()
    {
        // Closed 22:00–08:00 in small: two night hours bring 12 and 4 e-mails, the first open hour has 8 of its own.
        var hours = WorkloadModel.Hours([12, 4, 8, 8], 360, 0.8, worked: [false, false, true, true]);

        Assert.Equal([0, 0, 3, 1], hours.Select(h => h.RequiredAgents));
        Assert.Equal([0, 12, 16, 0], hours.Select(h => h.BacklogIn));
        Assert.Equal([12, 16, 0, 0], hours.Select(h => h.BacklogOut));
        Assert.Equal([0, 0, 24, 8], hours.Select(h => h.Handled));
        Assert.Equal("worked", Assert.Throws<StaffingInputException>(() => WorkloadModel.Hours([1, 2], 360, 0.8, worked: [true])).Field);
    }

    [Fact]
    public void The_workload_model_refuses_a_plan_of_the_wrong_length()
    {
        var e = Assert.Throws<StaffingInputException>(() => WorkloadModel.Hours([1, 2], 360, 0.8, [1]));

        Assert.Equal("plannedAgents", e.Field);
    }

    // ---- shifts ----

    private static List<ShiftOptions> Shifts(int frueh, int spaet, int nacht)
    {
        var shifts = ShiftOptions.DefaultTemplates();
        shifts[0].PlannedAgents = frueh;
        shifts[1].PlannedAgents = spaet;
        shifts[2].PlannedAgents = nacht;
        return shifts;
    }

    // Nights 2 (3 at 03:00), days 10 (12 at 11:00), evenings 6 (8 at 18:00).
    private static double[] Profile()
    {
        var p = new double[24];
        for (var h = 0; h < 24; h++) p[h] = h < 8 ? 2 : h < 16 ? 10 : 6;
        p[3] = 3;
        p[11] = 12;
        p[18] = 8;
        return p;
    }

    [Fact]
    public void Each_shift_is_staffed_for_the_peak_of_its_hours_after_shrinkage()
    {
        var plan = ShiftRecommendation.Recommend(Profile(), Shifts(15, 9, 4), 0.2);

        var (frueh, spaet, nacht) = (plan.Shifts[0], plan.Shifts[1], plan.Shifts[2]);
        Assert.Equal([8, 9, 10, 11, 12, 13, 14, 15], frueh.Hours);
        Assert.Equal([16, 17, 18, 19, 20, 21, 22, 23], spaet.Hours);
        Assert.Equal((12.0, 15), (frueh.PeakRequired, frueh.Headcount)); // 12 / 0.8
        Assert.Equal((8.0, 10), (spaet.PeakRequired, spaet.Headcount));
        Assert.Equal((3.0, 4), (nacht.PeakRequired, nacht.Headcount)); // 3.75 rounds up
        Assert.Equal((0, -1, 0), (frueh.Gap, spaet.Gap, nacht.Gap));
    }

    [Fact]
    public void The_night_shift_gets_a_rotation_pool_so_that_nobody_works_nights_permanently()
    {
        var plan = ShiftRecommendation.Recommend(Profile(), Shifts(15, 9, 4), 0.2);

        var nacht = plan.Shifts[2];
        Assert.True(nacht.IsNight);
        Assert.Equal((3, 7), (nacht.RotationPool, nacht.HeadcountWithRotation)); // half of 4 is 2, raised to 3
        Assert.Contains("rotate 7 agents", nacht.RotationNote);
        Assert.All(plan.Shifts.Take(2), s => Assert.Equal((false, 0, (string?)null), (s.IsNight, s.RotationPool, s.RotationNote)));

        var busyNights = ShiftRecommendation.Recommend(Enumerable.Repeat(20.0, 24).ToArray(), Shifts(20, 20, 20), 0);
        Assert.Equal(4, busyNights.Shifts[2].RotationPool); // half of 20 is 10, capped at 4

        var quietNights = ShiftRecommendation.Recommend(Enumerable.Range(0, 24).Select(h => h < 8 ? 0.0 : 5).ToArray(), Shifts(5, 5, 0), 0);
        Assert.Equal((0, 0), (quietNights.Shifts[2].Headcount, quietNights.Shifts[2].RotationPool));
        Assert.Contains("no night rotation", quietNights.Shifts[2].RotationNote);
    }

    [Fact]
    public void Hours_below_or_above_the_planned_agents_are_listed_per_shift()
    {
        var plan = ShiftRecommendation.Recommend(Profile(), Shifts(15, 9, 4), 0.2);

        Assert.Equal([18], plan.Shifts[1].UnderstaffedHours); // needs 10, 9 planned
        Assert.Equal([16, 17, 19, 20, 21, 22, 23], plan.Shifts[1].OverstaffedHours); // needs 8, 9 planned
        Assert.Empty(plan.Shifts[0].UnderstaffedHours);
        Assert.Equal([8, 9, 10, 12, 13, 14, 15], plan.Shifts[0].OverstaffedHours); // needs 13 at 10 agents, 15 planned
        Assert.Empty(plan.Shifts[2].UnderstaffedHours);
        Assert.DoesNotContain(3, plan.Shifts[2].OverstaffedHours);
        Assert.Equal((10, 9, -1), (plan.Hours[18].ScheduledNeed, plan.Hours[18].Planned, plan.Hours[18].Gap));
        Assert.Equal((3, 4, 1), (plan.Hours[0].ScheduledNeed, plan.Hours[0].Planned, plan.Hours[0].Gap));
    }

    [Fact]
    public void A_profile_without_24_hours_is_refused()
    {
        var e = Assert.Throws<StaffingInputException>(() => ShiftRecommendation.Recommend(new double[23], Shifts(1, 1, 1), 0));

        Assert.Equal("requiredAgentsByLocalHour", e.Field);
    }

    // ---- the 24/7 decision ----

    private static readonly TimeSpan Cet = TimeSpan.FromHours(1);

    // Monday 23 November 2026; 25 December 2026 is a Friday and a holiday.
    private static DateTimeOffset At(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, Cet);

    private static SiteOptions Site() => new()
    {
        Name = "Test",
        TimeZoneId = "Europe/Berlin",
        BusinessHours = new BusinessHoursOptions
        {
            Monday = "08:00-18:00", Tuesday = "08:00-18:00", Wednesday = "08:00-18:00", Thursday = "08:00-18:00", Friday = "08:00-18:00",
        },
        Holidays = [new HolidayOptions { Date = "2026-12-25", Name = "Christmas" }],
    };

    [Fact]
    public void Four_percent_at_night_means_no_24_7()
    {
        var report = TwentyFourSevenDecision.Decide(
        [
            ("billing", false, At(11, 23, 10), 900),
            ("billing", false, At(11, 23, 20), 60), // evening: outside business hours, not night
            ("billing", false, At(11, 24, 3), 40),
        ], Site());

        var v = report.Overall;
        Assert.Equal((1000L, 100L, 40L), (v.TotalContacts, v.OutsideBusinessHoursContacts, v.NightContacts));
        Assert.Equal(0.10, v.OutsideBusinessHoursShare, 9);
        Assert.Equal(0.04, v.NightShare, 9);
        Assert.Equal(0.05, v.NightThreshold);
        Assert.False(v.Critical);
        Assert.Equal((TwentyFourSevenAnswer.NotNeeded, "No 24/7: focus on core hours"), (v.Answer, v.Decision));
        Assert.Contains("4.0 %", v.Reason);
        Assert.Equal("billing", Assert.Single(report.Queues).Queue);
    }

    [Fact]
    public void Night_demand_with_a_critical_service_means_24_7()
    {
        var report = TwentyFourSevenDecision.Decide(
        [
            ("billing", false, At(11, 23, 10), 800),
            ("outage", true, At(11, 24, 2), 100),
            ("outage", true, At(11, 24, 9), 100),
        ], Site());

        var v = report.Overall;
        Assert.Equal((0.10, 0.10, true), (Math.Round(v.OutsideBusinessHoursShare, 9), Math.Round(v.NightShare, 9), v.Critical));
        Assert.Equal((TwentyFourSevenAnswer.Full, "24/7: in-house or outsourced with SLAs"), (v.Answer, v.Decision));
        Assert.Contains("critical", v.Reason);

        var billing = report.Queues.Single(q => q.Queue == "billing");
        var outage = report.Queues.Single(q => q.Queue == "outage");
        Assert.Equal((TwentyFourSevenAnswer.NotNeeded, 0.0), (billing.Answer, billing.NightShare));
        Assert.Equal((TwentyFourSevenAnswer.Full, 0.5, 200L), (outage.Answer, outage.NightShare, outage.TotalContacts));
    }

    [Fact]
    public void Night_demand_without_critical_services_means_hybrid()
    {
        var report = TwentyFourSevenDecision.Decide(
        [
            ("social", false, At(11, 23, 10), 700),
            ("social", false, At(11, 28, 12), 100), // Saturday: closed
            ("social", false, At(12, 25, 10), 100), // a Friday, but a holiday: closed
            ("social", false, At(11, 25, 1), 100),  // Wednesday night
        ], Site());

        var v = report.Overall;
        Assert.Equal(0.30, v.OutsideBusinessHoursShare, 9);
        Assert.Equal(0.10, v.NightShare, 9);
        Assert.False(v.Critical);
        Assert.Equal((TwentyFourSevenAnswer.Hybrid, "Hybrid: core hours in-house, nights outsourced"), (v.Answer, v.Decision));
        Assert.Contains("10.0 %", v.Reason);
    }

    [Fact]
    public void No_history_means_no_24_7()
    {
        var report = TwentyFourSevenDecision.Decide([], Site());

        Assert.Empty(report.Queues);
        Assert.Equal((0L, 0.0, TwentyFourSevenAnswer.NotNeeded), (report.Overall.TotalContacts, report.Overall.NightShare, report.Overall.Answer));
    }
}
