using System.Globalization;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

// Agents: roster, skills, shift rotation, breaks, states and the commands that change them.
public sealed partial class SimulationEngine
{
    /// <summary>Teams rotate weekly through this cycle: Früh three weeks, Spät three, Nacht one, so nobody is permanently on nights.</summary>
    private static readonly SimShift[] RotationCycle =
        [SimShift.Early, SimShift.Early, SimShift.Early, SimShift.Late, SimShift.Late, SimShift.Late, SimShift.Night];

    private static readonly string[] TeamNames = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"];

    private static readonly string[] FirstNames =
    [
        "Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Katrin", "Lukas",
        "Mara", "Niklas", "Olga", "Paul", "Quirin", "Rosa", "Sven", "Tanja", "Uwe", "Vera", "Wiebke", "Yusuf",
        "Zoe", "Mehmet", "Lea", "Tobias", "Sofia", "Malte",
    ];

    private static readonly string[] LastNames =
    [
        "Albers", "Brandt", "Claussen", "Dietrich", "Engel", "Fischer", "Graf", "Hansen", "Iversen", "Jansen",
        "Kaya", "Lorenz", "Meyer", "Nowak", "Otto", "Petersen", "Quast", "Richter", "Schulz", "Thiel",
        "Ulrich", "Vogel", "Wagner", "Yilmaz", "Zimmer", "Becker", "Krüger", "Lange", "Möller", "Schmidt",
    ];

    /// <summary>
    /// Breaks per 8-hour shift: offset from shift start, random stagger, duration (minutes). Wide
    /// staggers keep a team from leaving the floor together; the last hour stays break-free because
    /// the night shift ends into the morning ramp-up.
    /// </summary>
    private static readonly (int Offset, int Stagger, int Duration)[] Breaks = [(90, 120, 15), (210, 120, 30), (345, 60, 15)];

    private const double AbsenceShare = 0.06;
    private const double SaturdayShare = 0.45;
    private const double SundayShare = 0.30;
    private const double TrainingShare = 0.10;
    private static readonly TimeSpan ManualBreak = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan ManualTraining = TimeSpan.FromMinutes(60);

    private AgentRt[] FromRoster(List<SimAgent> roster)
    {
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        var agents = new AgentRt[roster.Count];
        for (var i = 0; i < roster.Count; i++)
        {
            var a = roster[i];
            if (!groups.TryGetValue(a.Team, out var group))
            {
                group = groups.Count;
                groups[a.Team] = group;
            }
            agents[i] = new AgentRt
            {
                Index = i,
                Id = a.Id,
                Name = string.IsNullOrWhiteSpace(a.Name) ? a.Id : a.Name,
                Team = a.Team,
                Group = group,
                FixedShift = a.Shift,
            };
            SetQueues(agents[i], a.Queues.Distinct(StringComparer.Ordinal).ToArray());
        }
        return agents;
    }

    private AgentRt[] GenerateRoster(int count)
    {
        var teams = Math.Min(RotationCycle.Length, count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var agents = new AgentRt[count];
        for (var i = 0; i < count; i++)
        {
            string name;
            var attempt = 0;
            do
            {
                name = $"{FirstNames[_rng.Next(FirstNames.Length)]} {LastNames[_rng.Next(LastNames.Length)]}";
                if (++attempt > 20)
                {
                    name = string.Create(CultureInfo.InvariantCulture, $"{name} {i + 1}");
                }
            }
            while (!names.Add(name));
            var group = i % teams;
            agents[i] = new AgentRt
            {
                Index = i,
                Id = string.Create(CultureInfo.InvariantCulture, $"agent-{i + 1:000}"),
                Name = name,
                Team = $"Team {TeamNames[group]}",
                Group = group,
            };
        }
        AssignSkills(agents, teams);
        return agents;
    }

    /// <summary>
    /// Gives every agent a primary queue in proportion to the queues' workload (volume × handle time,
    /// escalations included), mostly one or two more at random, and makes sure each team covers every queue,
    /// since a team works its shifts together.
    /// </summary>
    private void AssignSkills(AgentRt[] agents, int teams)
    {
        var weights = new double[_queues.Length];
        var escalatedVolume = 0.0;
        foreach (var q in _queues)
        {
            // Written contacts can wait for a quiet moment, so they need fewer dedicated people than calls.
            weights[q.Index] = q.Volume * q.MeanHandleSeconds * (q.Channel.IsAsync() ? 0.5 : 1.0);
            if (q.Index != _escalation)
            {
                escalatedVolume += q.Volume * _options.EscalationPercent / 100.0;
            }
        }
        if (_escalation >= 0)
        {
            weights[_escalation] += escalatedVolume * _queues[_escalation].MeanHandleSeconds;
        }
        if (weights.Sum() <= 0)
        {
            Array.Fill(weights, 1.0);
        }
        var total = weights.Sum();

        for (var g = 0; g < teams; g++)
        {
            var members = agents.Where(a => a.Group == g).ToList();
            // Largest-remainder apportionment of the team's members over the queues.
            var quotas = weights.Select(w => w / total * members.Count).ToArray();
            var counts = quotas.Select(q => (int)Math.Floor(q)).ToArray();
            foreach (var q in Enumerable.Range(0, quotas.Length).OrderByDescending(q => quotas[q] - counts[q]).ThenBy(q => q)
                         .Take(members.Count - counts.Sum()))
            {
                counts[q]++;
            }
            var primaries = Enumerable.Range(0, counts.Length).SelectMany(q => Enumerable.Repeat(q, counts[q])).ToList();

            var skills = new List<int>[members.Count];
            for (var m = 0; m < members.Count; m++)
            {
                skills[m] = [primaries[m]];
                var u = _rng.NextDouble();
                // Most agents are multi-skilled: it is what lets a small night team cover every queue.
                var extra = u < 0.15 ? 0 : u < 0.60 ? 1 : 2;
                for (var k = 0; k < extra; k++)
                {
                    var pick = WeightedPick(weights, skills[m]);
                    if (pick >= 0)
                    {
                        skills[m].Add(pick);
                    }
                }
            }
            // Two people per queue where the team is big enough, so one break or absence leaves nobody stranded;
            // too small a team may need more than three skills to cover every queue once.
            var needed = members.Count > _queues.Length ? 2 : 1;
            for (var q = 0; q < _queues.Length; q++)
            {
                while (skills.Count(s => s.Contains(q)) < needed)
                {
                    var candidates = Enumerable.Range(0, members.Count).Where(m => !skills[m].Contains(q)).ToList();
                    var least = candidates.Where(m => skills[m].Count < 3 || needed == 1).OrderBy(m => skills[m].Count).ThenBy(m => m).FirstOrDefault(-1);
                    if (least < 0)
                    {
                        break;
                    }
                    skills[least].Add(q);
                }
            }
            for (var m = 0; m < members.Count; m++)
            {
                SetQueues(members[m], skills[m].Select(q => _queues[q].Id).ToArray());
            }
        }
    }

    private int WeightedPick(double[] weights, List<int> exclude)
    {
        var sum = 0.0;
        for (var q = 0; q < weights.Length; q++)
        {
            sum += exclude.Contains(q) ? 0 : weights[q];
        }
        var target = _rng.NextDouble() * sum;
        if (sum <= 0)
        {
            return -1;
        }
        for (var q = 0; q < weights.Length; q++)
        {
            if (exclude.Contains(q))
            {
                continue;
            }
            target -= weights[q];
            if (target < 0)
            {
                return q;
            }
        }
        return Enumerable.Range(0, weights.Length).Last(q => !exclude.Contains(q));
    }

    private void SetQueues(AgentRt agent, string[] queues)
    {
        agent.Queues = queues;
        agent.Mask = 0;
        foreach (var q in queues)
        {
            agent.Mask |= 1UL << _queueIndex[q];
        }
    }

    private static SimShift Rotation(int group, int week) =>
        RotationCycle[((group + week) % RotationCycle.Length + RotationCycle.Length) % RotationCycle.Length];

    /// <summary>Weeks since a Monday long ago, so the rotation is the same whichever day a run starts.</summary>
    private static int WeekIndex(DateOnly date) =>
        (int)Math.Floor((date.DayNumber - new DateOnly(2001, 1, 1).DayNumber) / 7.0);

    private void OnDayStart()
    {
        var date = DateOnly.FromDateTime(_clock.Local(_now));
        PlanDay(date);
        Schedule(_clock.ToUtc(date.AddDays(1).ToDateTime(TimeOnly.MinValue)), new Scheduled(Kind.DayStart));
    }

    private void PlanDay(DateOnly date)
    {
        var week = WeekIndex(date);
        var works = DecideWorkers(date, week);
        foreach (var agent in _agents)
        {
            var shift = agent.FixedShift ?? Rotation(agent.Group, week);
            if (shift == SimShift.Always || (agent.FixedShift is null && !works[agent.Index]))
            {
                continue;
            }
            ScheduleShift(agent, date, shift);
        }
    }

    /// <summary>
    /// Who of the rotating teams works today: on weekdays everyone but a few absentees; at weekends
    /// a rotating part of each team, topped up so the team still covers all its queues. Nobody works
    /// the Sunday late shift right before a week of nights.
    /// </summary>
    private bool[] DecideWorkers(DateOnly date, int week)
    {
        var works = new bool[_agents.Length];
        var weekend = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        foreach (var members in _rotationGroups)
        {
            if (!weekend)
            {
                foreach (var a in members)
                {
                    works[a.Index] = _rng.NextDouble() >= AbsenceShare;
                }
                continue;
            }
            var group = members[0].Group;
            if (date.DayOfWeek == DayOfWeek.Sunday && Rotation(group, week) == SimShift.Late && Rotation(group, week + 1) == SimShift.Night)
            {
                continue;
            }
            var share = date.DayOfWeek == DayOfWeek.Saturday ? SaturdayShare : SundayShare;
            var take = (int)Math.Ceiling(members.Count * share);
            var first = ((week % members.Count) + members.Count) % members.Count;
            var covered = 0UL;
            for (var j = 0; j < members.Count; j++)
            {
                var a = members[(first + j) % members.Count];
                if (j < take || (a.Mask & ~covered) != 0)
                {
                    works[a.Index] = true;
                    covered |= a.Mask;
                }
            }
        }
        return works;
    }

    private void ScheduleShift(AgentRt agent, DateOnly date, SimShift shift)
    {
        var (startHour, endHour) = shift switch
        {
            SimShift.Early => (8, 16),
            SimShift.Late => (16, 24),
            _ => (0, 8),
        };
        var day = date.ToDateTime(TimeOnly.MinValue);
        var start = _clock.ToUtc(day.AddHours(startHour));
        var end = _clock.ToUtc(day.AddHours(endHour));
        // Draw before clipping to the run's start, so a shift's breaks do not depend on when the run began.
        Span<double> stagger = stackalloc double[Breaks.Length];
        for (var i = 0; i < Breaks.Length; i++)
        {
            stagger[i] = _rng.NextDouble();
        }
        // Training goes into the quiet late evening of weekdays.
        var training = shift == SimShift.Late && date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)
            && _rng.NextDouble() < TrainingShare;
        if (end <= _now)
        {
            return;
        }
        Schedule(Math.Max(start, _now), new Scheduled(Kind.ShiftStart, agent.Index, Arg: end));
        for (var i = 0; i < Breaks.Length; i++)
        {
            var (offset, spread, duration) = Breaks[i];
            var at = start + TimeSpan.FromMinutes(offset + stagger[i] * spread).Ticks;
            if (at >= _now)
            {
                Schedule(at, new Scheduled(Kind.ActivityStart, agent.Index, Arg: TimeSpan.FromMinutes(duration).Ticks, Activity: AgentState.Break));
            }
        }
        var trainingAt = start + TimeSpan.FromMinutes(410).Ticks;
        if (training && trainingAt >= _now)
        {
            Schedule(trainingAt, new Scheduled(Kind.ActivityStart, agent.Index, Arg: ManualTraining.Ticks, Activity: AgentState.Training));
        }
    }

    private void OnShiftStart(AgentRt agent, long end)
    {
        agent.OnShift = true;
        if (end != long.MaxValue)
        {
            Schedule(end, new Scheduled(Kind.ShiftEnd, agent.Index));
        }
        if (agent.State == AgentState.Offline)
        {
            Login(agent);
        }
        else if (agent.Pending == AgentState.Offline)
        {
            agent.Pending = null;
        }
    }

    private void OnShiftEnd(AgentRt agent)
    {
        agent.OnShift = false;
        switch (agent.State)
        {
            case AgentState.OnContact or AgentState.WrapUp:
                // Nobody hangs up on a customer at the end of a shift.
                agent.Pending = AgentState.Offline;
                break;
            case AgentState.Available or AgentState.Break or AgentState.Training:
                GoOffline(agent);
                break;
        }
    }

    private void OnActivityStart(AgentRt agent, AgentState activity, long durationTicks)
    {
        if (!agent.OnShift)
        {
            return;
        }
        switch (agent.State)
        {
            case AgentState.Available:
                StartActivity(agent, activity, durationTicks);
                break;
            case AgentState.OnContact or AgentState.WrapUp when agent.Pending != AgentState.Offline:
                // The break starts when the current contact is done.
                agent.Pending = activity;
                agent.PendingTicks = durationTicks;
                break;
        }
    }

    private void OnActivityEnd(AgentRt agent, int version)
    {
        if (version != agent.ActivityVersion || agent.State is not (AgentState.Break or AgentState.Training))
        {
            return;
        }
        if (agent.OnShift)
        {
            BecomeAvailable(agent);
        }
        else
        {
            GoOffline(agent);
        }
    }

    private void Login(AgentRt agent)
    {
        EmitQueues(agent);
        BecomeAvailable(agent);
    }

    /// <summary>An agent ready for work takes the best waiting contact at once, or joins the idle line at its end.</summary>
    private void BecomeAvailable(AgentRt agent)
    {
        agent.Pending = null;
        agent.ActivityVersion++;
        var contact = BestWaitingFor(agent);
        if (contact is not null)
        {
            Assign(agent, contact);
            return;
        }
        if (agent.State != AgentState.Available)
        {
            agent.State = AgentState.Available;
            EmitState(agent);
        }
        agent.IdleNode ??= _idle.AddLast(agent);
    }

    private void FinishContact(AgentRt agent)
    {
        if (!agent.OnShift || agent.Pending == AgentState.Offline)
        {
            GoOffline(agent);
        }
        else if (agent.Pending is { } activity)
        {
            StartActivity(agent, activity, agent.PendingTicks);
        }
        else
        {
            BecomeAvailable(agent);
        }
    }

    private void GoOffline(AgentRt agent)
    {
        LeaveIdle(agent);
        agent.Pending = null;
        agent.ActivityVersion++;
        agent.State = AgentState.Offline;
        EmitState(agent);
        // A reallocation lasts one login session: the next one starts with the agent's configured queues.
        if (agent.Mask != agent.HomeMask || !agent.Queues.SequenceEqual(agent.HomeQueues))
        {
            agent.Queues = agent.HomeQueues;
            agent.Mask = agent.HomeMask;
            EmitQueues(agent);
        }
    }

    private void StartActivity(AgentRt agent, AgentState activity, long durationTicks)
    {
        LeaveIdle(agent);
        agent.Pending = null;
        agent.ActivityVersion++;
        agent.State = activity;
        EmitState(agent);
        Schedule(_now + durationTicks, new Scheduled(Kind.ActivityEnd, agent.Index, agent.ActivityVersion));
    }

    private void LeaveIdle(AgentRt agent)
    {
        if (agent.IdleNode is not null)
        {
            _idle.Remove(agent.IdleNode);
            agent.IdleNode = null;
        }
    }

    /// <summary>Name and team go with an agent's first event and every login, so a reader joining late learns them too.</summary>
    private void EmitState(AgentRt agent)
    {
        var announce = !agent.Announced || agent.LastEmitted == AgentState.Offline;
        Emit(EventType.AgentState, agentId: agent.Id, state: agent.State,
            name: announce ? agent.Name : null, team: announce ? agent.Team : null);
        agent.Announced = true;
        agent.LastEmitted = agent.State;
    }

    private void EmitQueues(AgentRt agent) => Emit(EventType.AgentQueues, agentId: agent.Id, queues: agent.Queues);

    /// <summary>A move changes where the agent is routed from now on; a contact in progress is kept.</summary>
    private void ApplyQueues(AgentRt agent, string[] queues)
    {
        SetQueues(agent, queues);
        EmitQueues(agent);
        // The idle line is one list filtered by skill mask, so the new mask is all routing needs; only a
        // contact already waiting in a new queue has to be offered now, since arrivals will not come back for it.
        if (agent.IdleNode is not null && BestWaitingFor(agent) is { } contact)
        {
            Assign(agent, contact);
        }
    }

    private void ApplyState(AgentRt agent, AgentState state)
    {
        switch (state)
        {
            case AgentState.Available:
                agent.OnShift = true;
                if (agent.State == AgentState.Offline)
                {
                    Login(agent);
                }
                else if (agent.State is AgentState.Break or AgentState.Training)
                {
                    BecomeAvailable(agent);
                }
                else
                {
                    agent.Pending = null;
                }
                break;
            case AgentState.Break or AgentState.Training:
                var duration = (state == AgentState.Break ? ManualBreak : ManualTraining).Ticks;
                if (agent.State == AgentState.Offline || agent.Pending == AgentState.Offline)
                {
                    // Only a logged-in agent can take a break, and a pending log-off wins over it.
                    break;
                }
                if (agent.State is AgentState.OnContact or AgentState.WrapUp)
                {
                    agent.Pending = state;
                    agent.PendingTicks = duration;
                }
                else
                {
                    StartActivity(agent, state, duration);
                }
                break;
            case AgentState.Offline:
                agent.OnShift = false;
                if (agent.State is AgentState.OnContact or AgentState.WrapUp)
                {
                    agent.Pending = AgentState.Offline;
                }
                else if (agent.State != AgentState.Offline)
                {
                    GoOffline(agent);
                }
                break;
        }
    }

    private sealed class AgentRt
    {
        public required int Index { get; init; }
        public required string Id { get; init; }
        public required string Name { get; init; }
        public required string Team { get; init; }
        /// <summary>The rotation group: a team works its shifts together.</summary>
        public required int Group { get; init; }
        public SimShift? FixedShift { get; init; }
        public IReadOnlyList<string> Queues { get; set; } = [];
        public ulong Mask { get; set; }
        /// <summary>The configured queues, which apply again after a reallocated agent logs off.</summary>
        public IReadOnlyList<string> HomeQueues { get; set; } = [];
        public ulong HomeMask { get; set; }
        public AgentState State { get; set; } = AgentState.Offline;
        public AgentState LastEmitted { get; set; } = AgentState.Offline;
        public bool Announced { get; set; }
        public bool OnShift { get; set; }
        /// <summary>What the agent does once the current contact is done (break, training or offline).</summary>
        public AgentState? Pending { get; set; }
        public long PendingTicks { get; set; }
        public int ActivityVersion { get; set; }
        public Contact? Current { get; set; }
        public long WrapTicks { get; set; }
        public LinkedListNode<AgentRt>? IdleNode { get; set; }
    }
}
