using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

public sealed class RoutingTests
{
    private static readonly DateTimeOffset T0 = Sim.At(0, 10);

    [Fact]
    public void A_new_contact_goes_to_the_longest_idle_agent_serving_its_queue()
    {
        // Handle 60 s (48 s talk + 12 s wrap-up), no randomness in the handle time.
        var engine = new SimulationEngine(Sim.HandMade(agents: 3), T0);
        var events = new List<OpsEvent>(engine.AdvanceTo(T0));
        var c1 = engine.EnqueueContact("q");
        events.AddRange(engine.AdvanceTo(T0.AddSeconds(10)));
        var c2 = engine.EnqueueContact("q");
        events.AddRange(engine.AdvanceTo(T0.AddSeconds(100)));
        // a1 has been idle since T0+60, a2 since T0+70, a3 since T0: a3 is the longest idle, then a1.
        var c3 = engine.EnqueueContact("q");
        events.AddRange(engine.AdvanceTo(T0.AddSeconds(110)));
        var c4 = engine.EnqueueContact("q");
        events.AddRange(engine.AdvanceTo(T0.AddSeconds(200)));

        Assert.Equal("a1", events.AnswerOf(c1).AgentId);
        Assert.Equal("a2", events.AnswerOf(c2).AgentId);
        Assert.Equal("a3", events.AnswerOf(c3).AgentId);
        Assert.Equal("a1", events.AnswerOf(c4).AgentId);
        Assert.Equal(T0.AddSeconds(110), events.AnswerOf(c4).At);
        Assert.Empty(StreamCheck.Of(events).Violations);
    }

    [Fact]
    public void A_waiting_phone_call_is_routed_to_the_next_agent_that_becomes_free()
    {
        var options = Sim.HandMade(agents: 2);
        // Patient customers, so the waiting one is still there when an agent frees up.
        options.PatienceMeanSeconds = options.PatienceMedianSeconds = 3600;
        var engine = new SimulationEngine(options, T0);
        engine.AdvanceTo(T0);
        var busy1 = engine.EnqueueContact("q");
        var busy2 = engine.EnqueueContact("q");
        var events = new List<OpsEvent>(engine.AdvanceTo(T0.AddSeconds(5)));
        var waiting = engine.EnqueueContact("q");
        events.AddRange(engine.AdvanceTo(T0.AddSeconds(20)));
        Assert.DoesNotContain(events, e => e.Type == EventType.ContactAnswered && e.ContactId == waiting);

        events.AddRange(engine.AdvanceTo(T0.AddSeconds(120)));
        var answer = events.AnswerOf(waiting);
        // Both agents free up at T0+60 (after wrap-up); a1 was first in line.
        Assert.Equal(T0.AddSeconds(60), answer.At);
        Assert.Equal(events.AnswerOf(busy1).AgentId, answer.AgentId);
        Assert.NotEqual(events.AnswerOf(busy2).AgentId, answer.AgentId);
    }

    [Fact]
    public void Waiting_tickets_are_answered_in_priority_order_then_by_age()
    {
        var engine = new SimulationEngine(Sim.HandMade(agents: 1, handleSeconds: 60, channel: Channel.Ticket), T0);
        engine.AdvanceTo(T0);
        engine.EnqueueContact("q");
        engine.AdvanceTo(T0.AddSeconds(1));
        var mediumOld = engine.EnqueueContact("q");
        engine.AdvanceTo(T0.AddSeconds(2));
        var low = engine.EnqueueContact("q", priority: Priority.Low);
        engine.AdvanceTo(T0.AddSeconds(3));
        var mediumNew = engine.EnqueueContact("q");
        engine.AdvanceTo(T0.AddSeconds(4));
        var high = engine.EnqueueContact("q", priority: Priority.High);
        engine.AdvanceTo(T0.AddSeconds(5));
        var critical = engine.EnqueueContact("q", priority: Priority.Critical);
        var events = engine.AdvanceTo(T0.AddMinutes(10));

        var answered = events.OfKind(EventType.ContactAnswered).Select(e => e.ContactId!).ToList();
        Assert.Equal(new[] { critical, high, mediumOld, mediumNew, low }, answered);
        Assert.DoesNotContain(events, e => e.Type == EventType.ContactAbandoned);
    }

    [Fact]
    public void Within_a_priority_a_live_call_goes_before_an_email_that_is_still_within_its_target()
    {
        var options = Sim.HandMade(agents: 1, handleSeconds: 60, channel: Channel.Email, extraQueues: "phone");
        options.Roster[0].Queues = ["q", "phone"];
        options.PatienceMeanSeconds = options.PatienceMedianSeconds = 3600;
        var engine = new SimulationEngine(options, T0);
        engine.AdvanceTo(T0);
        engine.EnqueueContact("q");
        engine.AdvanceTo(T0.AddSeconds(1));
        var email = engine.EnqueueContact("q");
        engine.AdvanceTo(T0.AddSeconds(20));
        var call = engine.EnqueueContact("phone");
        var events = engine.AdvanceTo(T0.AddMinutes(5));

        Assert.Equal(T0.AddSeconds(60), events.AnswerOf(call).At);
        Assert.True(events.AnswerOf(email).At > events.AnswerOf(call).At);
    }

    [Fact]
    public void Customers_abandon_when_agents_are_scarce_and_not_when_they_are_plentiful()
    {
        SimulatorOptions Centre(int agents) => new()
        {
            Seed = 21,
            Agents = agents,
            DailyNoisePercent = 0,
            Queues = [new SimQueue { Id = "billing", Channel = Channel.Phone, DailyVolume = 1500 }],
        };
        var scarce = StreamCheck.Of(new SimulationEngine(Centre(7), Sim.At(0, 9)).AdvanceTo(Sim.At(0, 12)));
        var plenty = StreamCheck.Of(new SimulationEngine(Centre(120), Sim.At(0, 9)).AdvanceTo(Sim.At(0, 12)));

        Assert.Empty(scarce.Violations);
        Assert.Empty(plenty.Violations);
        var scarceRate = scarce.Contacts.Values.Count(c => c.Abandoned) / (double)scarce.Contacts.Count;
        Assert.True(scarceRate > 0.3, $"abandon rate with 3 agents on shift {scarceRate:P0}");
        Assert.Equal(0, plenty.Contacts.Values.Count(c => c.Abandoned));
    }

    [Fact]
    public void Async_contacts_wait_without_abandoning()
    {
        var engine = new SimulationEngine(Sim.HandMade(agents: 0, volume: 2000, channel: Channel.Social), T0);
        var events = engine.AdvanceTo(T0.AddHours(2));
        Assert.True(events.OfKind(EventType.ContactCreated).Count() > 100);
        Assert.DoesNotContain(events, e => e.Type == EventType.ContactAbandoned);
    }

    [Fact]
    public void Escalations_are_transferred_to_the_tech_queue_and_answered_there()
    {
        var options = Sim.HandMade(agents: 1, extraQueues: "tech");
        options.EscalationPercent = 100;
        options.Roster.Add(new SimAgent { Id = "t1", Name = "Tech One", Team = "T", Queues = ["tech"], Shift = SimShift.Always });
        var engine = new SimulationEngine(options, T0);
        var events = new List<OpsEvent>(engine.AdvanceTo(T0));
        var contact = engine.EnqueueContact("q");
        events.AddRange(engine.AdvanceTo(T0.AddMinutes(5)));

        var mine = events.Where(e => e.ContactId == contact).Select(e => (e.Type, e.AgentId, e.Queue, e.Reason)).ToList();
        var expected = new (EventType, string?, string?, string?)[]
        {
            (EventType.ContactCreated, null, "q", null),
            (EventType.ContactAnswered, "a1", null, null),
            (EventType.ContactTransferred, null, "tech", "escalation"),
            (EventType.ContactAnswered, "t1", null, null),
            (EventType.ContactResolved, "t1", null, null),
        };
        Assert.Equal(expected, mine);
        Assert.Empty(StreamCheck.Of(events).Violations);
    }

    [Fact]
    public void SetAgentQueues_moves_agents_and_the_queue_under_pressure_gets_more_answers()
    {
        var options = new SimulatorOptions
        {
            Seed = 4,
            DailyNoisePercent = 0,
            EscalationPercent = 0,
            Queues =
            [
                new SimQueue { Id = "hot", Channel = Channel.Phone, DailyVolume = 1500 },
                new SimQueue { Id = "calm", Channel = Channel.Phone, DailyVolume = 100 },
            ],
            Roster = [.. Enumerable.Range(1, 7).Select(i => new SimAgent
            {
                Id = $"a{i}", Name = $"Agent {i}", Team = "T", Queues = [i == 1 ? "hot" : "calm"], Shift = SimShift.Always,
            })],
        };
        var engine = new SimulationEngine(options, Sim.At(0, 10));
        var before = engine.AdvanceTo(Sim.At(0, 11));
        foreach (var id in new[] { "a2", "a3", "a4", "a5", "a6" })
        {
            engine.SetAgentQueues(id, ["hot", "calm"]);
        }
        var after = engine.AdvanceTo(Sim.At(0, 12));

        var moves = after.OfKind(EventType.AgentQueues).ToList();
        Assert.Equal(5, moves.Count);
        Assert.All(moves, e => Assert.Equal(Sim.At(0, 11), e.At));
        Assert.All(moves, e => Assert.Equal(new[] { "hot", "calm" }, e.Queues!));

        var all = before.Concat(after).ToList();
        var hot = all.Where(e => e.Type == EventType.ContactCreated && e.Queue == "hot").Select(e => e.ContactId).ToHashSet();
        int AnsweredHot(IEnumerable<OpsEvent> events) => events.Count(e => e.Type == EventType.ContactAnswered && hot.Contains(e.ContactId));
        var answeredBefore = AnsweredHot(before);
        var answeredAfter = AnsweredHot(after);
        Assert.True(answeredAfter > 2 * answeredBefore, $"hot answered {answeredBefore} before, {answeredAfter} after");
        Assert.Contains(after, e => e.Type == EventType.ContactAnswered && e.AgentId == "a2");
        Assert.Empty(StreamCheck.Of(all).Violations);
    }

    [Fact]
    public void SetAgentState_sends_agents_on_break_and_offline_and_they_take_no_contacts_meanwhile()
    {
        var engine = new SimulationEngine(Sim.HandMade(agents: 3, volume: 3000), T0);
        engine.AdvanceTo(T0.AddMinutes(5));
        engine.SetAgentState("a1", AgentState.Offline);
        engine.SetAgentState("a2", AgentState.Break);
        var events = engine.AdvanceTo(T0.AddMinutes(14));

        Assert.Contains(events, e => e.Type == EventType.AgentState && e.AgentId == "a1" && e.State == AgentState.Offline);
        Assert.Contains(events, e => e.Type == EventType.AgentState && e.AgentId == "a2" && e.State == AgentState.Break);
        var a1Off = events.First(e => e.AgentId == "a1" && e.State == AgentState.Offline).At;
        var a2Break = events.First(e => e.AgentId == "a2" && e.State == AgentState.Break).At;
        Assert.DoesNotContain(events, e => e.Type == EventType.ContactAnswered && e.AgentId == "a1" && e.At >= a1Off);
        Assert.DoesNotContain(events, e => e.Type == EventType.ContactAnswered && e.AgentId == "a2" && e.At >= a2Break);
        Assert.Contains(events, e => e.Type == EventType.ContactAnswered && e.AgentId == "a3");

        engine.SetAgentState("a1", AgentState.Available);
        var later = engine.AdvanceTo(T0.AddMinutes(30));
        Assert.Contains(later, e => e.Type == EventType.AgentState && e.AgentId == "a1" && e.Name == "Agent 1");
        Assert.Contains(later, e => e.Type == EventType.ContactAnswered && e.AgentId == "a1");
        // The break set from outside lasts 15 minutes; then a2 works again.
        Assert.Contains(later, e => e.Type == EventType.ContactAnswered && e.AgentId == "a2");
        Assert.False(engine.SetAgentState("a1", AgentState.OnContact));
        Assert.False(engine.SetAgentState("nobody", AgentState.Break));
        Assert.False(engine.SetAgentQueues("a1", ["no-such-queue"]));
    }

    [Fact]
    public void A_surge_raises_the_arrival_rate()
    {
        var options = Sim.HandMade(agents: 0, volume: 1000, channel: Channel.Ticket);
        var engine = new SimulationEngine(options, Sim.At(0, 10));
        var normal = engine.AdvanceTo(Sim.At(0, 11)).OfKind(EventType.ContactCreated).Count();
        engine.SetSurgeFactor(3);
        var surge = engine.AdvanceTo(Sim.At(0, 12)).OfKind(EventType.ContactCreated).Count();
        // 88 expected at 10–11, 3 × 73 at 11–12.
        Assert.True(surge > 2 * normal, $"normal {normal}, surge {surge}");
    }
}
