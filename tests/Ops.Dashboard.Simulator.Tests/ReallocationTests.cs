using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>Supervisor reallocation: control commands from the dashboard applied to the running simulation.</summary>
public sealed class ReallocationTests
{
    private static readonly DateTimeOffset T0 = Sim.At(0, 10);
    private static int _commandIds;

    private static SimulatorControl ControlOf(SimulationEngine engine) => new(engine, NullLogger<SimulatorControl>.Instance);

    private static ControlCommand Move(string agentId, DateTimeOffset at, params string[] queues) =>
        ControlCommand.SetQueues($"cmd-{Interlocked.Increment(ref _commandIds)}", agentId, queues, "shift.manager", at);

    private static ControlCommand State(string agentId, AgentState state, DateTimeOffset at) =>
        ControlCommand.SetState($"cmd-{Interlocked.Increment(ref _commandIds)}", agentId, state, "shift.manager", at);

    [Fact]
    public async Task A_queue_under_pressure_recovers_after_agents_are_moved_to_it()
    {
        // "hot" gets ~132 calls an hour at 10–11 (6.4 Erlang of work) for 3 agents; "calm" gets ~9 for 10 agents.
        // Patient callers, so the backlog shows as waiting contacts rather than vanishing into abandons.
        var options = new SimulatorOptions
        {
            Seed = 7,
            DailyNoisePercent = 0,
            EscalationPercent = 0,
            CsatPercent = 0,
            PatienceMeanSeconds = 1500,
            PatienceMedianSeconds = 1200,
            Queues =
            [
                new SimQueue { Id = "hot", Channel = Channel.Phone, DailyVolume = 1500, TargetSeconds = 20 },
                new SimQueue { Id = "calm", Channel = Channel.Phone, DailyVolume = 100, TargetSeconds = 20 },
            ],
            Roster =
            [
                .. Enumerable.Range(1, 3).Select(i => Agent($"h{i}", "hot")),
                .. Enumerable.Range(1, 10).Select(i => Agent($"c{i}", "calm")),
            ],
        };
        var engine = new SimulationEngine(options, T0);
        var control = ControlOf(engine);
        var moveAt = T0.AddMinutes(30);
        var before = Sim.Run(engine, moveAt, TimeSpan.FromSeconds(15));

        var movers = Enumerable.Range(1, 8).Select(i => $"c{i}").ToList();
        foreach (var id in movers)
        {
            await control.ApplyAsync(Move(id, engine.Now, "hot", "calm"), CancellationToken.None);
        }
        // The backlog is worked off first; the last quarter hour shows the new steady state.
        var end = moveAt.AddMinutes(45);
        var after = Sim.Run(engine, end, TimeSpan.FromSeconds(15));
        var all = before.Concat(after).ToList();

        var waitingBefore = Waiting(before, "hot");
        var waitingAfter = Waiting(all, "hot");
        var slBefore = ServiceLevel(before, "hot", moveAt.AddMinutes(-15), moveAt, 20);
        var slAfter = ServiceLevel(all, "hot", end.AddMinutes(-15), end, 20);
        var figures = $"waiting {waitingBefore} → {waitingAfter}, SL {slBefore:P0} → {slAfter:P0}";
        Assert.True(waitingBefore >= 15, figures);
        Assert.True(waitingAfter <= 3, figures);
        Assert.True(slBefore < 0.5, figures);
        Assert.True(slAfter > 0.8, figures);

        // The moves are announced when they happen, and the moved agents do take hot calls.
        var moves = after.OfKind(EventType.AgentQueues).ToList();
        Assert.Equal(movers, moves.Select(e => e.AgentId!));
        Assert.All(moves, e => Assert.Equal(moveAt, e.At));
        var hot = all.Where(e => e.Type == EventType.ContactCreated && e.Queue == "hot").Select(e => e.ContactId).ToHashSet();
        Assert.All(movers, id => Assert.Contains(after, e => e.Type == EventType.ContactAnswered && e.AgentId == id && hot.Contains(e.ContactId)));
        Assert.Empty(StreamCheck.Of(all).Violations);
    }

    [Fact]
    public async Task An_idle_agent_moved_to_a_queue_with_waiting_contacts_answers_one_in_the_same_step()
    {
        var options = Sim.HandMade(agents: 1, extraQueues: "other");
        options.PatienceMeanSeconds = options.PatienceMedianSeconds = 3600;
        options.Roster.Add(new SimAgent { Id = "b1", Name = "Other One", Team = "T", Queues = ["other"], Shift = SimShift.Always });
        var engine = new SimulationEngine(options, T0);
        var events = new List<OpsEvent>(engine.AdvanceTo(T0));
        engine.EnqueueContact("q");
        var waiting = engine.EnqueueContact("q");
        events.AddRange(engine.AdvanceTo(T0.AddSeconds(10)));
        Assert.DoesNotContain(events, e => e.Type == EventType.ContactAnswered && e.ContactId == waiting);

        await ControlOf(engine).ApplyAsync(Move("b1", engine.Now, "other", "q"), CancellationToken.None);
        var step = engine.AdvanceTo(T0.AddSeconds(11));

        var move = Assert.Single(step.OfKind(EventType.AgentQueues));
        Assert.Equal(("b1", T0.AddSeconds(10)), (move.AgentId, move.At));
        Assert.Equal(new[] { "other", "q" }, move.Queues!);
        var answer = step.AnswerOf(waiting);
        Assert.Equal(("b1", T0.AddSeconds(10)), (answer.AgentId, answer.At));
        Assert.Empty(StreamCheck.Of(events.Concat(step)).Violations);
    }

    [Fact]
    public async Task A_busy_agent_keeps_its_contact_and_serves_the_new_queue_when_it_is_done()
    {
        var options = Sim.HandMade(agents: 1, extraQueues: "other");
        options.PatienceMeanSeconds = options.PatienceMedianSeconds = 3600;
        var engine = new SimulationEngine(options, T0);
        var events = new List<OpsEvent>(engine.AdvanceTo(T0));
        var current = engine.EnqueueContact("q");
        events.AddRange(engine.AdvanceTo(T0.AddSeconds(10)));
        var other = engine.EnqueueContact("other");
        await ControlOf(engine).ApplyAsync(Move("a1", engine.Now, "other"), CancellationToken.None);
        events.AddRange(engine.AdvanceTo(T0.AddMinutes(5)));

        // Handle 60 s: the call in progress is finished (resolved by a1), then the waiting "other" call is taken.
        Assert.Contains(events, e => e.Type == EventType.ContactResolved && e.ContactId == current && e.AgentId == "a1");
        var answer = events.AnswerOf(other);
        Assert.Equal(("a1", T0.AddSeconds(60)), (answer.AgentId, answer.At));
        Assert.Empty(StreamCheck.Of(events).Violations);
    }

    [Fact]
    public async Task A_moved_agent_keeps_its_new_queues_through_its_breaks_until_it_logs_off_at_the_end_of_its_shift()
    {
        // One early-shift agent (08–16, three breaks) serving "home"; "target" has patient traffic that only a mover can serve.
        var options = new SimulatorOptions
        {
            Seed = 5,
            DailyNoisePercent = 0,
            EscalationPercent = 0,
            CsatPercent = 0,
            PatienceMeanSeconds = 36_000,
            PatienceMedianSeconds = 36_000,
            Queues =
            [
                new SimQueue { Id = "home", Channel = Channel.Phone, DailyVolume = 0 },
                new SimQueue { Id = "target", Channel = Channel.Phone, DailyVolume = 150, MeanHandleSeconds = 60, MedianHandleSeconds = 60 },
            ],
            Roster = [new SimAgent { Id = "e1", Name = "Early One", Team = "T", Queues = ["home"], Shift = SimShift.Early }],
        };
        var engine = new SimulationEngine(options, Sim.At(0, 8));
        var events = new List<OpsEvent>(engine.AdvanceTo(Sim.At(0, 8, 5)));
        await ControlOf(engine).ApplyAsync(Move("e1", engine.Now, "target"), CancellationToken.None);
        events.AddRange(Sim.Run(engine, Sim.At(1, 9), TimeSpan.FromMinutes(1)));

        var mine = events.Where(e => e.AgentId == "e1").ToList();
        var queues = mine.OfKind(EventType.AgentQueues).Select(e => (e.At, string.Join(",", e.Queues!))).ToList();
        var logoff = mine.First(e => e.State == AgentState.Offline).At;
        // Login with the configured queues, the move, back to configured at log-off, and the next day's login.
        Assert.Equal(new[] { (Sim.At(0, 8), "home"), (Sim.At(0, 8, 5), "target"), (logoff, "home"), (Sim.At(1, 8), "home") }, queues);
        Assert.InRange(logoff, Sim.At(0, 16), Sim.At(0, 16, 10));

        var breaks = mine.Where(e => e.Type == EventType.AgentState && e.State == AgentState.Break).ToList();
        Assert.True(breaks.Count >= 2, $"{breaks.Count} breaks");
        var lastBreakEnd = mine.First(e => e.Type == EventType.AgentState && e.At > breaks[^1].At && e.State != AgentState.Break).At;
        Assert.Contains(mine, e => e.Type == EventType.ContactAnswered && e.At >= lastBreakEnd && e.At < logoff);
        // Back on its configured queue the next morning, nothing of "target" reaches it.
        Assert.DoesNotContain(mine, e => e.Type == EventType.ContactAnswered && e.At >= logoff);
        Assert.Empty(StreamCheck.Of(events).Violations);
    }

    [Fact]
    public async Task Ending_a_break_makes_the_agent_available_and_routable_at_once()
    {
        var options = Sim.HandMade(agents: 1);
        options.PatienceMeanSeconds = options.PatienceMedianSeconds = 3600;
        var engine = new SimulationEngine(options, T0);
        var control = ControlOf(engine);
        var events = new List<OpsEvent>(engine.AdvanceTo(T0));
        await control.ApplyAsync(State("a1", AgentState.Break, engine.Now), CancellationToken.None);
        events.AddRange(engine.AdvanceTo(T0.AddMinutes(2)));
        var during = engine.EnqueueContact("q");
        events.AddRange(engine.AdvanceTo(T0.AddMinutes(3)));
        Assert.DoesNotContain(events, e => e.Type == EventType.ContactAnswered);

        await control.ApplyAsync(State("a1", AgentState.Available, engine.Now), CancellationToken.None);
        var end = engine.AdvanceTo(T0.AddMinutes(3).AddSeconds(1));
        // The caller who waited through the break is answered the moment it ends.
        Assert.Equal(T0.AddMinutes(3), end.AnswerOf(during).At);
        Assert.Contains(end, e => e.Type == EventType.AgentState && e.AgentId == "a1" && e.State == AgentState.OnContact && e.At == T0.AddMinutes(3));

        // With nobody waiting, the agent is announced available and takes the next call at once.
        events.AddRange(end);
        events.AddRange(engine.AdvanceTo(T0.AddMinutes(5)));
        await control.ApplyAsync(State("a1", AgentState.Break, engine.Now), CancellationToken.None);
        events.AddRange(engine.AdvanceTo(T0.AddMinutes(6)));
        await control.ApplyAsync(State("a1", AgentState.Available, engine.Now), CancellationToken.None);
        var next = engine.EnqueueContact("q");
        var back = engine.AdvanceTo(T0.AddMinutes(6));
        Assert.Contains(back, e => e.Type == EventType.AgentState && e.AgentId == "a1" && e.State == AgentState.Available && e.At == T0.AddMinutes(6));
        Assert.Equal(("a1", T0.AddMinutes(6)), (back.AnswerOf(next).AgentId, back.AnswerOf(next).At));

        // The breaks' own ends (15 minutes after they began) no longer fire: after that call (done at +7) a1 just waits.
        events.AddRange(back);
        events.AddRange(engine.AdvanceTo(T0.AddMinutes(30)));
        Assert.Equal(2, events.Count(e => e.AgentId == "a1" && e.State == AgentState.Break));
        Assert.DoesNotContain(events, e => e.Type == EventType.AgentState && e.AgentId == "a1" && e.At > T0.AddMinutes(7));
        Assert.Empty(StreamCheck.Of(events).Violations);
    }

    [Fact]
    public async Task A_break_or_log_off_requested_during_a_contact_starts_when_the_contact_is_done()
    {
        var engine = new SimulationEngine(Sim.HandMade(agents: 2), T0);
        var control = ControlOf(engine);
        var events = new List<OpsEvent>(engine.AdvanceTo(T0));
        engine.EnqueueContact("q");
        engine.EnqueueContact("q");
        events.AddRange(engine.AdvanceTo(T0.AddSeconds(10)));
        await control.ApplyAsync(State("a1", AgentState.Break, engine.Now), CancellationToken.None);
        await control.ApplyAsync(State("a2", AgentState.Offline, engine.Now), CancellationToken.None);
        events.AddRange(engine.AdvanceTo(T0.AddSeconds(30)));
        Assert.DoesNotContain(events, e => e.State is AgentState.Break or AgentState.Offline && e.At > T0);

        // Handle 60 s including wrap-up: both change state when their calls are done, not before.
        events.AddRange(engine.AdvanceTo(T0.AddMinutes(5)));
        Assert.Equal(T0.AddSeconds(60), events.Single(e => e.AgentId == "a1" && e.State == AgentState.Break).At);
        Assert.Equal(T0.AddSeconds(60), events.Single(e => e.AgentId == "a2" && e.State == AgentState.Offline).At);

        // A logged-off agent cannot be sent on a break.
        await control.ApplyAsync(State("a2", AgentState.Break, engine.Now), CancellationToken.None);
        Assert.DoesNotContain(engine.AdvanceTo(T0.AddMinutes(6)), e => e.AgentId == "a2");
        Assert.Empty(StreamCheck.Of(events).Violations);
    }

    [Fact]
    public async Task A_command_for_an_unknown_agent_or_queue_changes_nothing_and_does_not_throw()
    {
        var options = Sim.HandMade(agents: 2, volume: 2000);
        var engine = new SimulationEngine(options, T0);
        var reference = new SimulationEngine(options, T0);
        var control = ControlOf(engine);
        var first = engine.AdvanceTo(T0.AddMinutes(10));
        Assert.Equal(ContractJson.Serialize(reference.AdvanceTo(T0.AddMinutes(10))), ContractJson.Serialize(first));

        var now = engine.Now;
        var bad = new[]
        {
            Move("nobody", now, "q"),
            Move("a1", now, "q", "no-such-queue"),
            State("nobody", AgentState.Break, now),
            State("a1", AgentState.OnContact, now),
            new ControlCommand("cmd-x", ControlTypes.AgentQueues, "a1", null, null, "shift.manager", now),
            new ControlCommand("cmd-y", "agent.teleport", "a1", ["q"], AgentState.Break, "shift.manager", now),
        };
        foreach (var command in bad)
        {
            Assert.False(control.TryApply(command));
            await control.ApplyAsync(command, CancellationToken.None);
        }

        Assert.Equal(ContractJson.Serialize(reference.AdvanceTo(T0.AddMinutes(30))), ContractJson.Serialize(engine.AdvanceTo(T0.AddMinutes(30))));
    }

    [Fact]
    public async Task A_command_stamped_ahead_of_the_simulated_clock_waits_for_its_time()
    {
        // As when the dashboard sends a move while the simulator is still generating history.
        var engine = new SimulationEngine(Sim.HandMade(agents: 1, extraQueues: "other"), T0);
        engine.AdvanceTo(T0);
        await ControlOf(engine).ApplyAsync(Move("a1", T0.AddMinutes(30), "other"), CancellationToken.None);

        Assert.DoesNotContain(engine.AdvanceTo(T0.AddMinutes(20)), e => e.Type == EventType.AgentQueues);
        var move = Assert.Single(engine.AdvanceTo(T0.AddMinutes(40)).OfKind(EventType.AgentQueues));
        Assert.Equal(T0.AddMinutes(30), move.At);
    }

    [Fact]
    public async Task Commands_from_another_thread_while_the_engine_runs_keep_the_stream_consistent()
    {
        var options = Sim.HandMade(agents: 6, volume: 4000, extraQueues: "other");
        options.Queues[1].DailyVolume = 2000;
        var engine = new SimulationEngine(options, T0);
        var control = ControlOf(engine);
        var end = T0.AddHours(2);
        // The engine starts once the first command is in, so the two threads surely overlap.
        var commanding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = Task.Run(async () =>
        {
            await commanding.Task;
            return Sim.Run(engine, end, TimeSpan.FromSeconds(5));
        });

        string[][] choices = [["q"], ["other"], ["q", "other"]];
        AgentState[] states = [AgentState.Available, AgentState.Break, AgentState.Available, AgentState.Offline];
        var accepted = await Task.Run(() =>
        {
            var count = 0;
            for (var i = 0; !runner.IsCompleted; i++)
            {
                var agent = $"a{i % 6 + 1}";
                var now = engine.Now;
                var command = i % 3 == 0 ? State(agent, states[i / 3 % states.Length], now) : Move(agent, now, choices[i % choices.Length]);
                count += control.TryApply(command) ? 1 : 0;
                commanding.TrySetResult();
                if (i % 4 == 3)
                {
                    // A few commands per engine step, spread over the whole run.
                    SpinWait.SpinUntil(() => engine.Now > now || runner.IsCompleted);
                }
            }
            return count;
        });
        var events = await runner;
        events.AddRange(engine.AdvanceTo(end.AddMinutes(1)));

        // How many commands land in which step depends on the two threads' timing; what must hold
        // whatever the timing is that commands were taken and the stream stays consistent.
        Assert.True(accepted > 0);
        Assert.Empty(StreamCheck.Of(events).Violations);
    }

    [Fact]
    public void The_simulator_is_registered_as_a_control_listener_only_when_enabled()
    {
        static IConfiguration Config(bool enabled) => new ConfigurationBuilder()
            .AddInMemoryCollection([new("Simulator:Enabled", enabled ? "true" : "false"), new("Simulator:HistoryWeeks", "0")])
            .Build();

        using var on = new ServiceCollection().AddLogging().AddOpsSimulator(Config(true)).BuildServiceProvider();
        Assert.IsType<SimulatorControl>(Assert.Single(on.GetServices<IControlListener>()));
        using var off = new ServiceCollection().AddLogging().AddOpsSimulator(Config(false)).BuildServiceProvider();
        Assert.Empty(off.GetServices<IControlListener>());
    }

    private static SimAgent Agent(string id, string queue) =>
        new() { Id = id, Name = id.ToUpperInvariant(), Team = "T", Queues = [queue], Shift = SimShift.Always };

    /// <summary>Contacts of the queue created and not yet answered or abandoned at the end of the events.</summary>
    private static int Waiting(IEnumerable<OpsEvent> events, string queue) =>
        StreamCheck.Of(events).Contacts.Values.Count(c => c.Queue == queue && c.Status == "waiting");

    /// <summary>
    /// The dashboard's service level over [from, to): answered within the threshold / (answered + abandoned
    /// − short abandoned), counting each contact in the interval in which it left the queue.
    /// </summary>
    private static double ServiceLevel(IEnumerable<OpsEvent> events, string queue, DateTimeOffset from, DateTimeOffset to, double thresholdSeconds)
    {
        var entered = new Dictionary<string, DateTimeOffset>();
        int answered = 0, within = 0, abandoned = 0, shortAbandoned = 0;
        foreach (var e in events)
        {
            if (e.Type == EventType.ContactCreated && e.Queue == queue)
            {
                entered[e.ContactId!] = e.At;
                continue;
            }
            if (e.Type is not (EventType.ContactAnswered or EventType.ContactAbandoned) || !entered.Remove(e.ContactId!, out var since) || e.At < from || e.At >= to)
            {
                continue;
            }
            var wait = (e.At - since).TotalSeconds;
            if (e.Type == EventType.ContactAnswered)
            {
                answered++;
                within += wait <= thresholdSeconds ? 1 : 0;
            }
            else
            {
                abandoned++;
                shortAbandoned += wait < 5 ? 1 : 0;
            }
        }
        var denominator = answered + abandoned - shortAbandoned;
        Assert.True(denominator > 10, $"only {denominator} contacts left '{queue}' in the interval");
        return within / (double)denominator;
    }
}
