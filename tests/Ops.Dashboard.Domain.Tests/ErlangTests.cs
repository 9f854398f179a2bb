namespace Ops.Dashboard.Domain.Tests;

public class ErlangCTests
{
    // The textbook example: 100 contacts per 30 minutes, AHT 180 s → A = 100 · 180 / 1800 = 10 Erlangs, T = 20 s.
    private const double A = 10, Aht = 180, T = 20;

    [Fact]
    public void Published_example_with_14_agents_gives_service_level_0_8883_and_probability_of_waiting_0_1741()
    {
        Assert.Equal(0.1741, ErlangC.ProbabilityOfWaiting(14, A), 4);
        // exactly 0.888350…, which the published tables truncate to 0.8883
        Assert.Equal(0.8883, ErlangC.ServiceLevel(14, A, Aht, T), 0.0001);
        // ASA = C · AHT / (N − A) = 0.174132 · 180 / 4
        Assert.Equal(7.836, ErlangC.AverageSpeedOfAnswer(14, A, Aht), 3);
    }

    [Fact]
    public void Published_example_needs_14_agents_for_80_percent_because_13_give_only_79_6_percent()
    {
        Assert.Equal(0.7956, ErlangC.ServiceLevel(13, A, Aht, T), 4);
        Assert.Equal(14, ErlangC.RequiredAgents(A, Aht, T, 0.80));
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(3, 2.5)]
    [InlineData(8, 5.0)]
    [InlineData(20, 17.3)]
    [InlineData(30, 12.0)]
    public void Probability_of_waiting_matches_the_factorial_form_of_the_Erlang_C_formula(int n, double a)
    {
        // C = (Aⁿ/n! · n/(n−A)) / (Σ_{k<n} Aᵏ/k! + Aⁿ/n! · n/(n−A)), fine in doubles for small n
        double sum = 0, term = 1;
        for (var k = 0; k < n; k++)
        {
            sum += term;
            term *= a / (k + 1);
        }
        var top = term * n / (n - a);
        Assert.Equal(top / (sum + top), ErlangC.ProbabilityOfWaiting(n, a), 12);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.75)]
    [InlineData(0.95)]
    public void One_agent_reduces_to_MM1_where_the_probability_of_waiting_is_the_utilisation(double rho)
    {
        Assert.Equal(rho, ErlangC.ProbabilityOfWaiting(1, rho), 12);
        Assert.Equal(1 - rho * Math.Exp(-(1 - rho) * T / Aht), ErlangC.ServiceLevel(1, rho, Aht, T), 12);
        // M/M/1 mean wait: ρ / (μ − λ) = ρ · AHT / (1 − ρ)
        Assert.Equal(rho * Aht / (1 - rho), ErlangC.AverageSpeedOfAnswer(1, rho, Aht), 9);
    }

    [Fact]
    public void More_agents_mean_less_waiting_higher_service_level_and_faster_answers()
    {
        for (var n = 11; n < 40; n++)
        {
            Assert.True(ErlangC.ProbabilityOfWaiting(n + 1, A) < ErlangC.ProbabilityOfWaiting(n, A));
            Assert.True(ErlangC.ServiceLevel(n + 1, A, Aht, T) > ErlangC.ServiceLevel(n, A, Aht, T) || ErlangC.ServiceLevel(n, A, Aht, T) == 1);
            Assert.True(ErlangC.AverageSpeedOfAnswer(n + 1, A, Aht) < ErlangC.AverageSpeedOfAnswer(n, A, Aht));
        }
    }

    [Theory]
    [InlineData(10, 10.0)]
    [InlineData(9, 10.0)]
    [InlineData(0, 3.0)]
    public void Too_few_agents_are_unstable_everyone_waits_for_ever(int n, double a)
    {
        Assert.Equal(1, ErlangC.ProbabilityOfWaiting(n, a));
        Assert.Equal(0, ErlangC.ServiceLevel(n, a, Aht, T));
        Assert.Equal(double.PositiveInfinity, ErlangC.AverageSpeedOfAnswer(n, a, Aht));
        Assert.Equal(1, ErlangC.Occupancy(n, a));
    }

    [Fact]
    public void Occupancy_is_traffic_over_agents()
    {
        Assert.Equal(10.0 / 14, ErlangC.Occupancy(14, A), 12);
        Assert.Equal(0, ErlangC.Occupancy(5, 0));
    }

    [Fact]
    public void Large_teams_stay_finite_without_factorial_overflow()
    {
        foreach (var (n, a) in new[] { (2000, 1500.0), (1501, 1500.0), (1550, 1500.0), (2000, 1999.5) })
        {
            var c = ErlangC.ProbabilityOfWaiting(n, a);
            var sl = ErlangC.ServiceLevel(n, a, Aht, T);
            var asa = ErlangC.AverageSpeedOfAnswer(n, a, Aht);
            Assert.InRange(c, 0, 1);
            Assert.InRange(sl, 0, 1);
            Assert.True(double.IsFinite(asa) && asa >= 0);
        }
        // 500 spare agents on 1500 Erlangs: nobody waits
        Assert.True(ErlangC.ProbabilityOfWaiting(2000, 1500) < 1e-12);
        // one spare agent: almost everyone waits
        Assert.True(ErlangC.ProbabilityOfWaiting(1501, 1500) > 0.95);
    }

    [Fact]
    public void Large_traffic_needs_a_little_more_than_its_Erlangs()
    {
        var n = ErlangC.RequiredAgents(1500, Aht, T, 0.8);
        Assert.InRange(n, 1501, 1600);
        Assert.True(ErlangC.ServiceLevel(n, 1500, Aht, T) >= 0.8);
        Assert.True(ErlangC.ServiceLevel(n - 1, 1500, Aht, T) < 0.8);
    }

    [Fact]
    public void Required_agents_respect_the_occupancy_cap()
    {
        // 10 Erlangs at most 70 % busy: 10 / 0.7 = 14.3 → 15, although 14 already reach 80 % in 20 s
        Assert.Equal(15, ErlangC.RequiredAgents(A, Aht, T, 0.80, maxOccupancy: 0.7));
        // a cap met exactly counts as met: 7 Erlangs at 70 % → 10 agents
        Assert.Equal(10, ErlangC.RequiredAgents(7, Aht, 3600, 0.0, maxOccupancy: 0.7));
    }

    [Fact]
    public void Zero_traffic_needs_no_agents_and_nobody_waits()
    {
        Assert.Equal(0, ErlangC.RequiredAgents(0, Aht, T, 0.8));
        Assert.Equal(0, ErlangC.ProbabilityOfWaiting(3, 0));
        Assert.Equal(1, ErlangC.ServiceLevel(3, 0, Aht, T));
        Assert.Equal(0, ErlangC.AverageSpeedOfAnswer(3, 0, Aht));
    }

    [Fact]
    public void Nonsense_input_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangC.ProbabilityOfWaiting(-1, A));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangC.ProbabilityOfWaiting(5, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangC.ServiceLevel(14, A, 0, T));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangC.ServiceLevel(14, A, Aht, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangC.RequiredAgents(A, Aht, T, 1.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangC.RequiredAgents(A, Aht, T, 0.8, maxOccupancy: 0));
    }
}

public class ErlangATests
{
    private const double Aht = 180, T = 20;
    private const double Lambda = 10 / Aht; // 10 Erlangs

    [Fact]
    public void Very_long_patience_approaches_Erlang_C()
    {
        foreach (var n in new[] { 11, 12, 14, 18 })
        {
            // the gap shrinks in proportion to 1/patience; at 1e8 s the ASA of 11 agents is still 0.005 s off
            var a = ErlangA.Evaluate(n, Lambda, Aht, meanPatienceSeconds: 1e10, T);
            Assert.Equal(ErlangC.ServiceLevel(n, 10, Aht, T), a.ServiceLevel, 3);
            Assert.Equal(ErlangC.ProbabilityOfWaiting(n, 10), a.ProbabilityOfWaiting, 3);
            Assert.Equal(ErlangC.AverageSpeedOfAnswer(n, 10, Aht), a.AverageSpeedOfAnswer, 3);
            Assert.Equal(10.0 / n, a.Occupancy, 3);
            Assert.True(a.AbandonProbability < 1e-3);
        }
    }

    [Fact]
    public void Impatient_customers_give_a_higher_service_level_than_Erlang_C_and_some_abandon()
    {
        var a = ErlangA.Evaluate(12, Lambda, Aht, meanPatienceSeconds: 120, T);
        Assert.True(a.ServiceLevel > ErlangC.ServiceLevel(12, 10, Aht, T) + 0.02);
        Assert.True(a.AverageSpeedOfAnswer < ErlangC.AverageSpeedOfAnswer(12, 10, Aht));
        Assert.InRange(a.AbandonProbability, 0.01, 0.5);
    }

    [Theory]
    [InlineData(8, 90.0)]
    [InlineData(5, 30.0)]
    [InlineData(12, 300.0)]
    [InlineData(10, 600.0)]
    public void Answered_flow_equals_the_work_of_the_busy_agents(int n, double patience)
    {
        // λ·(1 − P(abandon)) = μ · E[busy agents] = μ · N · occupancy: abandonment is computed from the
        // arrivals' view and occupancy from the chain, so this checks one against the other.
        var a = ErlangA.Evaluate(n, Lambda, Aht, patience, T);
        Assert.Equal(Lambda * (1 - a.AbandonProbability), n * a.Occupancy / Aht, 10);
        Assert.True(double.IsFinite(a.AverageSpeedOfAnswer) && a.AverageSpeedOfAnswer > 0);
    }

    [Fact]
    public void An_understaffed_queue_stays_finite_and_sheds_at_least_the_excess_load()
    {
        // 8 agents on 10 Erlangs: at most 8 of 10 can be served, so at least 20 % abandon
        var a = ErlangA.Evaluate(8, Lambda, Aht, meanPatienceSeconds: 90, T);
        Assert.True(double.IsFinite(a.AverageSpeedOfAnswer));
        Assert.InRange(a.AbandonProbability, 0.2, 0.5);
        Assert.Equal(1 - 8.0 / 10 * a.Occupancy, a.AbandonProbability, 10);
        Assert.InRange(a.Occupancy, 0.85, 1.0);
        Assert.InRange(a.ProbabilityOfWaiting, 0.5, 1.0);
    }

    [Fact]
    public void Zero_agents_means_everyone_abandons()
    {
        var a = ErlangA.Evaluate(0, Lambda, Aht, meanPatienceSeconds: 60, T);
        Assert.Equal(1, a.ProbabilityOfWaiting);
        Assert.Equal(0, a.ServiceLevel);
        Assert.Equal(1, a.AbandonProbability, 12);
        Assert.True(double.IsNaN(a.AverageSpeedOfAnswer));
        Assert.True(double.IsNaN(a.Occupancy));
    }

    [Fact]
    public void A_zero_threshold_counts_only_the_contacts_answered_at_once()
    {
        var a = ErlangA.Evaluate(11, Lambda, Aht, meanPatienceSeconds: 120, targetSeconds: 0);
        Assert.Equal(1 - a.ProbabilityOfWaiting, a.ServiceLevel, 12);
    }

    [Fact]
    public void A_threshold_beyond_every_wait_counts_every_answered_contact()
    {
        var a = ErlangA.Evaluate(11, Lambda, Aht, meanPatienceSeconds: 120, targetSeconds: 1e6);
        Assert.Equal(1 - a.AbandonProbability, a.ServiceLevel, 9);
    }

    [Fact]
    public void More_agents_give_a_higher_service_level_and_fewer_abandons()
    {
        var previous = ErlangA.Evaluate(0, Lambda, Aht, 120, T);
        for (var n = 1; n <= 25; n++)
        {
            var next = ErlangA.Evaluate(n, Lambda, Aht, 120, T);
            Assert.True(next.ServiceLevel > previous.ServiceLevel || next.ServiceLevel > 1 - 1e-9);
            Assert.True(next.AbandonProbability < previous.AbandonProbability || next.AbandonProbability < 1e-9);
            previous = next;
        }
    }

    [Fact]
    public void Matches_a_seeded_discrete_event_simulation()
    {
        // 5 agents, 4.5 Erlangs, mean patience 60 s: a busy queue where abandonment matters.
        const int n = 5;
        const double lambda = 1 / 40.0, patience = 60;
        var model = ErlangA.Evaluate(n, lambda, Aht, patience, T);
        var sim = Simulate(n, lambda, Aht, patience, T, arrivals: 200_000, seed: 20261111);

        Assert.Equal(model.ServiceLevel, sim.ServiceLevel, 0.01);
        Assert.Equal(model.AbandonProbability, sim.Abandon, 0.01);
        Assert.Equal(model.ProbabilityOfWaiting, sim.Waited, 0.01);
        Assert.Equal(model.Occupancy, sim.Occupancy, 0.01);
        Assert.Equal(model.AverageSpeedOfAnswer, sim.Asa, model.AverageSpeedOfAnswer * 0.05);
    }

    [Fact]
    public void Large_teams_and_traffic_stay_finite()
    {
        // 1500 Erlangs with 1400, 1500 and 2000 agents
        foreach (var n in new[] { 1400, 1500, 2000 })
        {
            var a = ErlangA.Evaluate(n, 1500 / Aht, Aht, meanPatienceSeconds: 120, T);
            Assert.InRange(a.ServiceLevel, 0, 1);
            Assert.InRange(a.AbandonProbability, 0, 1);
            Assert.True(double.IsFinite(a.AverageSpeedOfAnswer));
            Assert.Equal(1500 / Aht * (1 - a.AbandonProbability), n * a.Occupancy / Aht, 8);
        }
    }

    [Fact]
    public void Required_agents_are_the_smallest_team_meeting_the_target()
    {
        var n = ErlangA.RequiredAgents(Lambda, Aht, meanPatienceSeconds: 120, T, 0.8);
        Assert.True(ErlangA.Evaluate(n, Lambda, Aht, 120, T).ServiceLevel >= 0.8);
        Assert.True(ErlangA.Evaluate(n - 1, Lambda, Aht, 120, T).ServiceLevel < 0.8);
        // impatience never needs more agents than Erlang C's 14
        Assert.InRange(n, 11, 14);
        // and with practically infinite patience it is Erlang C's answer
        Assert.Equal(14, ErlangA.RequiredAgents(Lambda, Aht, meanPatienceSeconds: 1e8, T, 0.8));
        // abandons take work away: 13 agents are 74.0 % busy, 14 are 69.8 % (Erlang C needs 15 for 70 %)
        Assert.Equal(14, ErlangA.RequiredAgents(Lambda, Aht, 120, T, 0.8, maxOccupancy: 0.7));
        Assert.Equal(0, ErlangA.RequiredAgents(0, Aht, 120, T, 0.8));
    }

    [Fact]
    public void No_arrivals_is_perfect_service()
    {
        var a = ErlangA.Evaluate(3, 0, Aht, 60, T);
        Assert.Equal(new ErlangAResult(0, 1, 0, 0, 0), a);
    }

    [Fact]
    public void Nonsense_input_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangA.Evaluate(5, Lambda, Aht, 0, T));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangA.Evaluate(5, Lambda, Aht, double.PositiveInfinity, T));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangA.Evaluate(-1, Lambda, Aht, 60, T));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangA.Evaluate(5, -1, Aht, 60, T));
    }

    private sealed record SimResult(double ServiceLevel, double Abandon, double Waited, double Asa, double Occupancy);

    // FCFS M/M/N+M by the Kiefer–Wolfowitz recursion: in arrival order, each contact takes the agent
    // that frees up first, unless its patience runs out before then (an abandoner holds no agent).
    private static SimResult Simulate(int agents, double lambda, double aht, double patience, double t, int arrivals, int seed)
    {
        var rng = new Random(seed);
        double Exp(double mean) => -mean * Math.Log(1 - rng.NextDouble());
        const int warmUp = 5_000;
        var freeAt = new double[agents];
        double clock = 0, waitOfAnswered = 0, busyTime = 0, startClock = 0;
        int answered = 0, withinT = 0, abandoned = 0, waited = 0;
        for (var i = 0; i < warmUp + arrivals; i++)
        {
            clock += Exp(1 / lambda);
            if (i == warmUp) startClock = clock;
            var ownPatience = Exp(patience);
            var service = Exp(aht);
            var first = 0;
            for (var j = 1; j < agents; j++) if (freeAt[j] < freeAt[first]) first = j;
            var start = Math.Max(clock, freeAt[first]);
            var wait = start - clock;
            var served = wait <= ownPatience;
            if (served) freeAt[first] = start + service;
            if (i < warmUp) continue;
            if (wait > 0) waited++;
            if (!served)
            {
                abandoned++;
                continue;
            }
            answered++;
            waitOfAnswered += wait;
            busyTime += service;
            if (wait <= t) withinT++;
        }
        double total = arrivals;
        return new SimResult(withinT / total, abandoned / total, waited / total, waitOfAnswered / answered,
            busyTime / ((clock - startClock) * agents));
    }
}
