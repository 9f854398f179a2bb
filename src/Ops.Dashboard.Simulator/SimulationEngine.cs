using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>
/// The simulated contact centre: a seeded discrete-event model of customers, agents, shifts and
/// routing that plays the ACD/ticketing system. It has no clock of its own: <see cref="AdvanceTo"/>
/// moves simulated time, so the same options and start give the same event stream however the
/// calls are sliced. Commands from outside (reallocations, state changes, injected contacts) are
/// queued and applied at the start of the next step, or, when stamped with a time the simulation has
/// not reached yet, at that time. Thread-safe: the command methods only validate against immutable
/// lookups and enqueue; all model state is touched under the engine's lock in <see cref="AdvanceTo"/>.
/// </summary>
public sealed partial class SimulationEngine
{
    private const long TicksPerMs = TimeSpan.TicksPerMillisecond;
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;

    private readonly object _gate = new();
    private readonly SimulatorOptions _options;
    private readonly Random _rng;
    private readonly SimClock _clock;
    private readonly QueueRt[] _queues;
    private readonly Dictionary<string, int> _queueIndex = new(StringComparer.Ordinal);
    private readonly AgentRt[] _agents;
    private readonly Dictionary<string, AgentRt> _agentsById = new(StringComparer.Ordinal);
    private readonly List<AgentRt>[] _rotationGroups;
    private readonly PriorityQueue<Scheduled, (long At, long Seq)> _agenda = new();
    private readonly LinkedList<AgentRt> _idle = new();
    private readonly ConcurrentQueue<Command> _commands = new();
    /// <summary>Commands stamped later than the clock when they were dequeued, keyed by their agenda entry.</summary>
    private readonly Dictionary<long, Command> _timed = [];
    private readonly string _idPrefix;
    private readonly int _escalation;
    private readonly LogNormalShape _patience;
    private readonly double _wrapShare;
    private long _now;
    private long _agendaSeq;
    private long _waitSeq;
    private long _eventCounter;
    private long _contactCounter;
    private long _timedCounter;
    private double _surge;
    private DateOnly _noiseDate = DateOnly.MinValue;
    private double _noiseFactor = 1;
    private List<OpsEvent> _out = [];

    public SimulationEngine(SimulatorOptions options, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid simulator options: " + string.Join(" ", errors), nameof(options));
        }
        _options = options;
        _rng = new Random(options.Seed);
        _clock = new SimClock(TimeZoneInfo.FindSystemTimeZoneById(options.TimeZoneId));
        _now = Floor(start.UtcTicks);
        _surge = options.SurgeFactor;
        _wrapShare = options.WrapUpPercent / 100.0;
        _patience = LogNormalShape.FromMeanMedian(options.PatienceMeanSeconds, options.PatienceMedianSeconds);
        // The run key keeps ids of runs with other start times apart; a rerun from the same start repeats them (idempotent replay).
        _idPrefix = string.Create(CultureInfo.InvariantCulture, $"sim-{options.Seed}-{new DateTime(_now, DateTimeKind.Utc):yyyyMMddHHmmss}-");
        Start = _clock.Site(_now);

        var configured = options.EffectiveQueues;
        _queues = new QueueRt[configured.Count];
        for (var i = 0; i < configured.Count; i++)
        {
            var q = configured[i];
            var (mean, median) = q.HandleSeconds();
            _queues[i] = new QueueRt
            {
                Id = q.Id,
                Index = i,
                Channel = q.Channel,
                Volume = q.Volume(),
                Handle = LogNormalShape.FromMeanMedian(mean, median),
                MeanHandleSeconds = mean,
                TargetTicks = (long)(q.Target() * TicksPerSecond),
            };
            _queueIndex[q.Id] = i;
        }
        Queues = configured.ToArray();
        _escalation = _queueIndex.TryGetValue(options.EscalationQueue, out var esc) ? esc : -1;

        _agents = options.Roster.Count > 0 ? FromRoster(options.Roster) : GenerateRoster(options.Agents);
        foreach (var a in _agents)
        {
            _agentsById[a.Id] = a;
            a.HomeQueues = a.Queues;
            a.HomeMask = a.Mask;
        }
        _rotationGroups = _agents.Where(a => a.FixedShift is null).GroupBy(a => a.Group).OrderBy(g => g.Key)
            .Select(g => g.ToList()).ToArray();
        Roster = _agents.Select(a => new SimAgent { Id = a.Id, Name = a.Name, Team = a.Team, Queues = [.. a.Queues], Shift = a.FixedShift }).ToArray();

        Schedule(_now, new Scheduled(Kind.DayStart));
        foreach (var a in _agents.Where(a => a.FixedShift == SimShift.Always))
        {
            Schedule(_now, new Scheduled(Kind.ShiftStart, a.Index, Arg: long.MaxValue));
        }
        foreach (var q in _queues)
        {
            ScheduleNextArrival(q);
        }
    }

    /// <summary>Where the simulation started, with the site's offset.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The simulated clock: the end of the last step.</summary>
    public DateTimeOffset Now => TimeZoneInfo.ConvertTime(new DateTimeOffset(Interlocked.Read(ref _now), TimeSpan.Zero), _clock.Zone);

    public TimeZoneInfo TimeZone => _clock.Zone;

    /// <summary>The queues the engine generates traffic for.</summary>
    public IReadOnlyList<SimQueue> Queues { get; }

    /// <summary>The agents with their initial queues (generated or configured).</summary>
    public IReadOnlyList<SimAgent> Roster { get; }

    /// <summary>
    /// Runs the model up to <paramref name="until"/> and returns the events generated on the way, in
    /// time order. Queued commands are applied first, at the previous step's end. A time before
    /// <see cref="Now"/> only applies the commands: simulated time never goes back.
    /// </summary>
    public IReadOnlyList<OpsEvent> AdvanceTo(DateTimeOffset until)
    {
        lock (_gate)
        {
            var output = new List<OpsEvent>();
            _out = output;
            var target = Math.Max(Floor(until.UtcTicks), _now);
            while (_commands.TryDequeue(out var command))
            {
                if (command.At > _now)
                {
                    // Not yet due (e.g. sent while the history is still being generated): wait in the agenda for its time.
                    _timed[++_timedCounter] = command;
                    Schedule(command.At, new Scheduled(Kind.Command, Arg: _timedCounter));
                }
                else
                {
                    Apply(command);
                }
            }
            while (_agenda.TryPeek(out var next, out var key) && key.At <= target)
            {
                _agenda.Dequeue();
                _now = key.At;
                Handle(next);
            }
            Interlocked.Exchange(ref _now, target);
            return output;
        }
    }

    /// <summary>
    /// Reallocates an agent (the console's "move agent"): from the command's time on it serves
    /// <paramref name="queues"/> (agent.queues is emitted then); an idle agent takes a waiting contact of
    /// them at once, a busy one keeps its contact. The move lasts through breaks until the agent logs off,
    /// then its configured queues apply again. <paramref name="at"/>: not before this time (null = the next
    /// step). Returns false, changing nothing, for an unknown agent or queue.
    /// </summary>
    public bool SetAgentQueues(string agentId, IReadOnlyList<string> queues, DateTimeOffset? at = null)
    {
        // An unknown queue in agent.queues would be rejected by ingestion and jam the sink.
        if (!TryFindAgent(agentId, out var agent) || queues is null || queues.Any(q => q is null || !_queueIndex.ContainsKey(q)))
        {
            return false;
        }
        _commands.Enqueue(new Command(CommandKind.Queues, agent, Queues: queues.Distinct(StringComparer.Ordinal).ToArray(), At: TicksOf(at)));
        return true;
    }

    /// <summary>
    /// Sets an agent's state from outside: available logs in or ends a break or training at once (the
    /// agent is routable from that moment), or cancels a pending break or log-off of a busy agent; break
    /// (15 min) and training (60 min) start now, or after the current contact; offline logs out (after the
    /// current contact) until the agent's next shift. A break for a logged-off agent, or during a pending
    /// log-off, is ignored when applied. <paramref name="at"/> as for <see cref="SetAgentQueues"/>.
    /// Returns false, changing nothing, for an unknown agent or a contact state (those are routing's to set).
    /// </summary>
    public bool SetAgentState(string agentId, AgentState state, DateTimeOffset? at = null)
    {
        if (!TryFindAgent(agentId, out var agent) || state is AgentState.OnContact or AgentState.WrapUp || !Enum.IsDefined(state))
        {
            return false;
        }
        _commands.Enqueue(new Command(CommandKind.State, agent, State: state, At: TicksOf(at)));
        return true;
    }

    /// <summary>Changes the arrival-rate multiplier (demo surge) from the next step on.</summary>
    /// <summary>The arrival multiplier in force (1 = the normal profile); a new one applies from the next step.</summary>
    public double SurgeFactor => Volatile.Read(ref _surge);

    public void SetSurgeFactor(double factor)
    {
        if (!(factor >= 0) || double.IsInfinity(factor))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The surge factor must be a finite, non-negative number.");
        }
        _commands.Enqueue(new Command(CommandKind.Surge, Surge: factor));
    }

    /// <summary>Injects one customer contact at the next step (demos, acceptance scenarios); returns its contact id.</summary>
    public string EnqueueContact(string queue, Channel? channel = null, Priority priority = Priority.Medium)
    {
        if (queue is null || !_queueIndex.TryGetValue(queue, out var index))
        {
            throw new ArgumentException($"Unknown queue '{queue}'.", nameof(queue));
        }
        var id = NewContactId();
        _commands.Enqueue(new Command(CommandKind.Contact, ContactId: id, Queue: index, Channel: channel ?? _queues[index].Channel, Priority: priority));
        return id;
    }

    /// <summary>
    /// Where a history of <paramref name="weeks"/> weeks ending at <paramref name="now"/> starts: local
    /// midnight, so the day's shifts begin cleanly and a rerun on the same day repeats the same ids.
    /// </summary>
    public static DateTimeOffset HistoryStart(DateTimeOffset now, int weeks, string timeZoneId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weeks);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        var localDay = TimeZoneInfo.ConvertTime(now, zone).Date.AddDays(-7 * weeks);
        var utc = SimClock.ToUtc(zone, localDay);
        return TimeZoneInfo.ConvertTime(new DateTimeOffset(utc, TimeSpan.Zero), zone);
    }

    // _agentsById is never written after construction, so reading it from any thread is safe.
    private bool TryFindAgent(string? agentId, [NotNullWhen(true)] out AgentRt? agent)
    {
        agent = null;
        return agentId is not null && _agentsById.TryGetValue(agentId, out agent);
    }

    private static long TicksOf(DateTimeOffset? at) => at is { } t ? Floor(t.UtcTicks) : 0;

    private string NewContactId() =>
        string.Create(CultureInfo.InvariantCulture, $"{_idPrefix}c{Interlocked.Increment(ref _contactCounter)}");

    private static long Floor(long ticks) => ticks - ticks % TicksPerMs;

    private void Schedule(long at, Scheduled item) => _agenda.Enqueue(item, (Math.Max(Floor(at), _now), ++_agendaSeq));

    private void Handle(in Scheduled ev)
    {
        switch (ev.Kind)
        {
            case Kind.DayStart:
                OnDayStart();
                break;
            case Kind.ShiftStart:
                OnShiftStart(_agents[ev.Index], ev.Arg);
                break;
            case Kind.ShiftEnd:
                OnShiftEnd(_agents[ev.Index]);
                break;
            case Kind.ActivityStart:
                OnActivityStart(_agents[ev.Index], ev.Activity, ev.Arg);
                break;
            case Kind.ActivityEnd:
                OnActivityEnd(_agents[ev.Index], ev.Version);
                break;
            case Kind.Arrival:
                var queue = _queues[ev.Index];
                if (ev.Version == queue.ArrivalVersion)
                {
                    if (ev.Arg == 1)
                    {
                        Arrive(queue);
                    }
                    ScheduleNextArrival(queue);
                }
                break;
            case Kind.Abandon:
                OnAbandon(ev.Contact!, ev.Version);
                break;
            case Kind.TalkEnd:
                OnTalkEnd(_agents[ev.Index]);
                break;
            case Kind.WrapEnd:
                FinishContact(_agents[ev.Index]);
                break;
            case Kind.Csat:
                Emit(EventType.ContactCsat, contactId: ev.Contact!.Id, score: (int)ev.Arg);
                break;
            case Kind.Command:
                if (_timed.Remove(ev.Arg, out var command))
                {
                    Apply(command);
                }
                break;
        }
    }

    private void Apply(Command command)
    {
        switch (command.Kind)
        {
            case CommandKind.Queues:
                ApplyQueues(command.Agent!, command.Queues!);
                break;
            case CommandKind.State:
                ApplyState(command.Agent!, command.State);
                break;
            case CommandKind.Surge:
                _surge = command.Surge;
                foreach (var q in _queues)
                {
                    // Poisson arrivals are memoryless, so redrawing from now is exact.
                    q.ArrivalVersion++;
                    ScheduleNextArrival(q);
                }
                break;
            case CommandKind.Contact:
                var contact = new Contact { Id = command.ContactId!, Channel = command.Channel, Priority = command.Priority };
                Emit(EventType.ContactCreated, contactId: contact.Id, queue: _queues[command.Queue].Id, channel: contact.Channel, priority: contact.Priority);
                Enqueue(contact, command.Queue);
                break;
        }
    }

    private void Emit(
        EventType type,
        string? contactId = null,
        string? agentId = null,
        string? queue = null,
        Channel? channel = null,
        Priority? priority = null,
        string? reason = null,
        int? score = null,
        AgentState? state = null,
        string? name = null,
        string? team = null,
        IReadOnlyList<string>? queues = null)
    {
        _out.Add(new OpsEvent
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"{_idPrefix}{++_eventCounter}"),
            Type = type,
            At = _clock.Site(_now),
            ContactId = contactId,
            AgentId = agentId,
            Queue = queue,
            Channel = channel,
            Priority = priority,
            Reason = reason,
            Score = score,
            State = state,
            Name = name,
            Team = team,
            Queues = queues,
        });
    }

    private enum Kind : byte
    {
        DayStart,
        ShiftStart,
        ShiftEnd,
        ActivityStart,
        ActivityEnd,
        Arrival,
        Abandon,
        TalkEnd,
        WrapEnd,
        Csat,
        Command,
    }

    /// <summary>An agenda entry; <see cref="Version"/> lets a later change cancel it without searching the heap.</summary>
    private readonly record struct Scheduled(
        Kind Kind,
        int Index = 0,
        int Version = 0,
        long Arg = 0,
        Contact? Contact = null,
        AgentState Activity = AgentState.Break);

    private enum CommandKind
    {
        Queues,
        State,
        Surge,
        Contact,
    }

    private sealed record Command(
        CommandKind Kind,
        AgentRt? Agent = null,
        string[]? Queues = null,
        AgentState State = AgentState.Available,
        double Surge = 1,
        string? ContactId = null,
        int Queue = 0,
        Channel Channel = Channel.Phone,
        Priority Priority = Priority.Medium,
        long At = 0);
}
