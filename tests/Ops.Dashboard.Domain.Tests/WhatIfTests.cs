namespace Ops.Dashboard.Domain.Tests;

public class WhatIfTests
{
    // 200 contacts per hour with AHT 180 s: A = 200 · 180 / 3600 = 10 Erlangs; 80 % in 20 s.
    private static readonly QueueLoad Phone = new(200, 180, 20, 80, MeanPatienceSeconds: null);
    private static readonly QueueLoad ImpatientPhone = Phone with { MeanPatienceSeconds = 120 };

    [Fact]
    public void Moving_from_10_to_12_agents_turns_an_unstable_queue_into_a_stable_one()
    {
        var p = WhatIf.Project(Phone, 10, 12);

        Assert.Equal("Erlang C", p.Model);
        // 10 agents on 10 Erlangs: the queue grows without bound
        Assert.Equal(new StaffingFigures(10, 0, null, 100, null, false), p.Without);
        // 12 agents: C = 0.449388, SL = 1 − C·e^{−2·20/180} = 64.02 %, ASA = C·180/2 = 40.44 s, occupancy 10/12
        Assert.True(p.With.Stable);
        Assert.Equal(12, p.With.Agents);
        Assert.Equal(64.0158, p.With.ServiceLevelPercent!.Value, 4);
        Assert.Equal(ErlangC.ServiceLevel(12, 10, 180, 20) * 100, p.With.ServiceLevelPercent!.Value, 10);
        Assert.Equal(40.445, p.With.AsaSeconds!.Value, 3);
        Assert.Equal(ErlangC.AverageSpeedOfAnswer(12, 10, 180), p.With.AsaSeconds!.Value, 10);
        Assert.Equal(10.0 / 12 * 100, p.With.OccupancyPercent!.Value, 10);
        Assert.Null(p.With.AbandonPercent);
    }

    [Fact]
    public void Adding_agents_to_a_stable_queue_raises_service_level_and_lowers_ASA_and_occupancy()
    {
        var p = WhatIf.Project(Phone, 12, 14);

        Assert.True(p.With.ServiceLevelPercent > p.Without.ServiceLevelPercent);
        Assert.True(p.With.AsaSeconds < p.Without.AsaSeconds);
        Assert.Equal(10.0 / 14 * 100, p.With.OccupancyPercent!.Value, 10);
        Assert.Equal(88.835, p.With.ServiceLevelPercent!.Value, 3);
    }

    [Fact]
    public void A_fractional_agent_count_interpolates_every_figure_between_the_whole_counts()
    {
        var low = WhatIf.Figures(Phone, 12);
        var high = WhatIf.Figures(Phone, 13);
        var mid = WhatIf.Figures(Phone, 12.5);

        Assert.Equal(12.5, mid.Agents);
        Assert.Equal((low.ServiceLevelPercent!.Value + high.ServiceLevelPercent!.Value) / 2, mid.ServiceLevelPercent!.Value, 10);
        Assert.Equal((low.AsaSeconds!.Value + high.AsaSeconds!.Value) / 2, mid.AsaSeconds!.Value, 10);
        Assert.Equal((low.OccupancyPercent!.Value + high.OccupancyPercent!.Value) / 2, mid.OccupancyPercent!.Value, 10);
        Assert.True(mid.Stable);
    }

    [Fact]
    public void A_fractional_count_weights_the_nearer_whole_count_more_under_Erlang_A()
    {
        var low = WhatIf.Figures(ImpatientPhone, 11);
        var high = WhatIf.Figures(ImpatientPhone, 12);
        var quarter = WhatIf.Figures(ImpatientPhone, 11.25);

        Assert.Equal(0.75 * low.ServiceLevelPercent!.Value + 0.25 * high.ServiceLevelPercent!.Value, quarter.ServiceLevelPercent!.Value, 10);
        Assert.Equal(0.75 * low.AbandonPercent!.Value + 0.25 * high.AbandonPercent!.Value, quarter.AbandonPercent!.Value, 10);
    }

    [Fact]
    public void A_fractional_count_next_to_an_unstable_whole_count_has_no_ASA_and_is_unstable()
    {
        // 10.5 agents on 10 Erlangs: half of SL(11), but 10 agents never clear the queue
        var mid = WhatIf.Figures(Phone, 10.5);
        Assert.Equal(WhatIf.Figures(Phone, 11).ServiceLevelPercent!.Value / 2, mid.ServiceLevelPercent!.Value, 10);
        Assert.Null(mid.AsaSeconds);
        Assert.False(mid.Stable);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(120.0)]
    public void Zero_arrivals_is_perfect_service_whatever_the_team(double? patience)
    {
        var idle = Phone with { ArrivalsPerHour = 0, AhtSeconds = 0, MeanPatienceSeconds = patience };
        Assert.Equal(new StaffingFigures(0, 100, 0, 0, 0, true), WhatIf.Figures(idle, 0));
        Assert.Equal(new StaffingFigures(3.5, 100, 0, 0, 0, true), WhatIf.Figures(idle, 3.5));
    }

    [Fact]
    public void Zero_agents_under_Erlang_C_answer_nobody()
    {
        Assert.Equal(new StaffingFigures(0, 0, null, null, null, false), WhatIf.Figures(Phone, 0));
    }

    [Fact]
    public void Zero_agents_under_Erlang_A_lose_everyone_to_abandonment()
    {
        var f = WhatIf.Figures(ImpatientPhone, 0);
        Assert.Equal(0, f.ServiceLevelPercent);
        Assert.Equal(100, f.AbandonPercent!.Value, 10);
        Assert.Null(f.AsaSeconds);
        Assert.Null(f.OccupancyPercent);
        Assert.True(f.Stable);
    }

    [Fact]
    public void A_positive_patience_switches_the_model_to_Erlang_A()
    {
        var p = WhatIf.Project(ImpatientPhone, 10, 12);
        var direct = ErlangA.Evaluate(12, 200 / 3600.0, 180, 120, 20);

        Assert.Equal("Erlang A", p.Model);
        // Erlang A keeps even 10 agents on 10 Erlangs finite: impatient callers leave
        Assert.True(p.Without.Stable);
        Assert.NotNull(p.Without.AsaSeconds);
        Assert.True(p.Without.AbandonPercent > 0);
        Assert.Equal(direct.ServiceLevel * 100, p.With.ServiceLevelPercent!.Value, 10);
        Assert.Equal(direct.AbandonProbability * 100, p.With.AbandonPercent!.Value, 10);
        Assert.Equal(direct.AverageSpeedOfAnswer, p.With.AsaSeconds!.Value, 10);
        Assert.Equal(direct.Occupancy * 100, p.With.OccupancyPercent!.Value, 10);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    public void Missing_or_non_positive_patience_stays_with_Erlang_C(double? patience)
    {
        Assert.Equal("Erlang C", WhatIf.Project(Phone with { MeanPatienceSeconds = patience }, 12, 13).Model);
    }

    [Fact]
    public void Mean_patience_is_the_total_wait_of_all_offered_over_the_abandons()
    {
        // 8 answered waited 300 s in all, 4 abandoned after 180 s in all: (300 + 180) / 4 = 120 s
        Assert.Equal(120, WhatIf.MeanPatienceSeconds(300 + 180, 4));
        Assert.Null(WhatIf.MeanPatienceSeconds(300, 0));
    }

    [Fact]
    public void Nonsense_input_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WhatIf.Figures(Phone, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => WhatIf.Figures(Phone, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => WhatIf.Figures(Phone with { ArrivalsPerHour = -3 }, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => WhatIf.Figures(Phone with { AhtSeconds = 0 }, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => WhatIf.MeanPatienceSeconds(-1, 3));
    }
}
