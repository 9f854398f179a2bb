using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>One simulated Monday morning with the default centre, shared by the checks below.</summary>
public sealed class PeakMorning
{
    public PeakMorning()
    {
        Options = new SimulatorOptions { Seed = 11, DailyNoisePercent = 0 };
        Events = new SimulationEngine(Options, Sim.Monday).AdvanceTo(Sim.At(0, 12));
        Check = StreamCheck.Of(Events);
    }

    public SimulatorOptions Options { get; }
    public IReadOnlyList<OpsEvent> Events { get; }
    public StreamCheck Check { get; }
}

public sealed class PeakHourTests(PeakMorning morning) : IClassFixture<PeakMorning>
{
    [Fact]
    public void Arrivals_in_the_peak_hour_match_the_configured_rate()
    {
        var from = Sim.At(0, 10);
        var to = Sim.At(0, 11);
        var created = morning.Events.OfKind(EventType.ContactCreated).Where(e => e.At >= from && e.At < to).ToList();
        double total = 0;
        foreach (var q in SimulatorOptions.DefaultQueues)
        {
            // 8.8 % of a busy weekday's volume arrives between 10 and 11; Poisson, so allow 4.5 standard deviations.
            var expected = q.DailyVolume!.Value * 0.088;
            var actual = created.Count(e => e.Queue == q.Id);
            Assert.InRange(actual, expected - 4.5 * Math.Sqrt(expected) - 1, expected + 4.5 * Math.Sqrt(expected) + 1);
            total += expected;
        }
        Assert.InRange(created.Count, total - 4 * Math.Sqrt(total), total + 4 * Math.Sqrt(total));

        // The night is near zero: 00–06 carries 0.7 % of the day.
        var night = morning.Events.OfKind(EventType.ContactCreated).Count(e => e.At < Sim.At(0, 6));
        Assert.InRange(night, 0, SimulatorOptions.DefaultQueues.Sum(q => q.DailyVolume!.Value) * 0.007 * 2 + 5);
    }

    [Fact]
    public void The_stream_keeps_the_rules_of_a_contact_centre()
    {
        // Lifecycle order, one contact per agent at a time, answers only from queues the agent serves.
        Assert.Empty(morning.Check.Violations);
    }

    [Fact]
    public void Every_created_contact_is_answered_abandoned_transferred_or_still_waiting()
    {
        var contacts = morning.Check.Contacts.Values.ToList();
        Assert.True(contacts.Count > 800, $"{contacts.Count} contacts");
        Assert.All(contacts, c => Assert.True(
            c.Answered is not null || c.Abandoned || c.Transfers.Count > 0 || c.Status == "waiting",
            $"{c.Id} is {c.Status}"));
        // Two hours of arrivals cannot all still be waiting at noon.
        Assert.True(contacts.Count(c => c.Status == "waiting") < contacts.Count / 10);
    }

    [Fact]
    public void Figures_are_plausible_for_a_staffed_weekday()
    {
        var live = morning.Check.Contacts.Values.Where(c => !c.Channel.IsAsync() && c.Created >= Sim.At(0, 9)).ToList();
        var abandoned = live.Count(c => c.Abandoned);
        Assert.InRange(abandoned / (double)live.Count, 0, 0.15);

        // Talk is the handle time less the 20 % wrap-up: billing 175 s mean → 140 s.
        var talks = morning.Check.Contacts.Values.Where(c => c.Queue == "billing" && c.TalkTime is not null).Select(c => c.TalkTime!.Value.TotalSeconds).ToList();
        Assert.True(talks.Count > 150);
        Assert.InRange(talks.Average(), 140 * 0.7, 140 * 1.3);

        var priorities = morning.Check.Contacts.Values.GroupBy(c => c.Priority).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(priorities[Priority.Medium] > priorities[Priority.High]);
        Assert.True(priorities[Priority.High] > priorities.GetValueOrDefault(Priority.Critical));
        Assert.True(priorities.GetValueOrDefault(Priority.Low) > 0);

        Assert.Contains(morning.Events, e => e.Type == EventType.ContactTransferred && e.Queue == "tech" && e.Reason == "escalation");
        Assert.Contains(morning.Events, e => e.Type == EventType.ContactCsat);
    }

    [Fact]
    public void Agents_work_the_shift_templates_with_breaks()
    {
        var agents = morning.Check.Agents.Values.ToList();
        var nightLogins = agents.Count(a => a.Logins.Contains(Sim.At(0, 0)));
        var earlyLogins = agents.Count(a => a.Logins.Contains(Sim.At(0, 8)));
        Assert.InRange(nightLogins, 3, 12);
        Assert.True(earlyLogins > 2 * nightLogins, $"early {earlyLogins}, night {nightLogins}");
        Assert.Contains(agents, a => a.States.Any(s => s.State == AgentState.Break));
        // Night shift ends at 08:00: its agents are offline afterwards unless still finishing a contact.
        var nightAgents = agents.Where(a => a.Logins.Contains(Sim.At(0, 0))).ToList();
        Assert.All(nightAgents, a => Assert.Equal(AgentState.Offline, a.States.Last(s => s.At <= Sim.At(0, 9)).State));
        Assert.All(agents, a => Assert.InRange(a.Queues.Count, 1, 3));
    }
}
