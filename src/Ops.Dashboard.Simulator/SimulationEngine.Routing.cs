using System.Numerics;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

// Customers and routing: arrivals, waiting, abandonment, assignment, escalation, CSAT.
public sealed partial class SimulationEngine
{
    private void ScheduleNextArrival(QueueRt queue)
    {
        var local = _clock.Local(_now);
        var boundary = _now + (TimeSpan.TicksPerHour - local.Ticks % TimeSpan.TicksPerHour);
        var perHour = TrafficProfile.HourlyRate(queue.Volume, local.DayOfWeek, local.Hour)
            * DayFactor(DateOnly.FromDateTime(local)) * _surge;
        if (perHour > 0)
        {
            // The rate is constant within a local hour: draw the gap, and redraw at the hour's end if it reaches past it.
            var gapTicks = _rng.Exponential(perHour / 3600.0) * TicksPerSecond;
            if (gapTicks < boundary - _now)
            {
                Schedule(_now + (long)gapTicks, new Scheduled(Kind.Arrival, queue.Index, queue.ArrivalVersion, Arg: 1));
                return;
            }
        }
        Schedule(boundary, new Scheduled(Kind.Arrival, queue.Index, queue.ArrivalVersion, Arg: 0));
    }

    /// <summary>
    /// A day's volume varies beyond Poisson noise (weather, campaigns, outages). Derived from the seed
    /// and the date alone, so it does not depend on the order events are processed in.
    /// </summary>
    private double DayFactor(DateOnly date)
    {
        if (_options.DailyNoisePercent <= 0)
        {
            return 1;
        }
        if (date != _noiseDate)
        {
            var sigma = _options.DailyNoisePercent / 100.0;
            var dayRng = new Random(unchecked(_options.Seed * 1_000_003 + date.DayNumber));
            _noiseFactor = Math.Exp(sigma * dayRng.Normal() - sigma * sigma / 2);
            _noiseDate = date;
        }
        return _noiseFactor;
    }

    private void Arrive(QueueRt queue)
    {
        var contact = new Contact { Id = NewContactId(), Channel = queue.Channel, Priority = DrawPriority() };
        Emit(EventType.ContactCreated, contactId: contact.Id, queue: queue.Id, channel: contact.Channel, priority: contact.Priority);
        Enqueue(contact, queue.Index);
    }

    /// <summary>Mostly medium, some high, few critical or low.</summary>
    private Priority DrawPriority()
    {
        var u = _rng.NextDouble();
        return u < 0.03 ? Priority.Critical : u < 0.15 ? Priority.High : u < 0.93 ? Priority.Medium : Priority.Low;
    }

    /// <summary>Puts a contact into a queue: straight to the longest-idle agent serving it, else it waits.</summary>
    private void Enqueue(Contact contact, int queueIndex)
    {
        var queue = _queues[queueIndex];
        contact.Queue = queueIndex;
        contact.Enqueued = _now;
        // Routing order within a priority is the deadline: age measured against the channel's target.
        contact.Due = _now + queue.TargetTicks;
        contact.Seq = ++_waitSeq;
        contact.Version++;

        var bit = 1UL << queueIndex;
        for (var node = _idle.First; node is not null; node = node.Next)
        {
            if ((node.Value.Mask & bit) != 0)
            {
                Assign(node.Value, contact);
                return;
            }
        }

        queue.Waiting.Add(contact);
        contact.Waiting = true;
        if (TrafficProfile.IsLive(contact.Channel))
        {
            var patienceTicks = _rng.LogNormal(_patience) * TicksPerSecond;
            Schedule(_now + (long)patienceTicks, new Scheduled(Kind.Abandon, Version: contact.Version, Contact: contact));
        }
    }

    private void OnAbandon(Contact contact, int version)
    {
        if (!contact.Waiting || contact.Version != version)
        {
            return;
        }
        _queues[contact.Queue].Waiting.Remove(contact);
        contact.Waiting = false;
        Emit(EventType.ContactAbandoned, contactId: contact.Id);
    }

    /// <summary>The contact an agent should take next: highest priority, then the earliest deadline, over the agent's queues.</summary>
    private Contact? BestWaitingFor(AgentRt agent)
    {
        Contact? best = null;
        var mask = agent.Mask;
        while (mask != 0)
        {
            var index = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            var waiting = _queues[index].Waiting;
            if (waiting.Count > 0 && (best is null || WaitOrder.Instance.Compare(waiting.Min, best) < 0))
            {
                best = waiting.Min;
            }
        }
        return best;
    }

    private void Assign(AgentRt agent, Contact contact)
    {
        if (contact.Waiting)
        {
            _queues[contact.Queue].Waiting.Remove(contact);
            contact.Waiting = false;
        }
        contact.Version++;
        contact.LastWaitTicks = _now - contact.Enqueued;
        if (agent.IdleNode is not null)
        {
            _idle.Remove(agent.IdleNode);
            agent.IdleNode = null;
        }

        Emit(EventType.ContactAnswered, contactId: contact.Id, agentId: agent.Id);
        agent.State = AgentState.OnContact;
        EmitState(agent);

        // Whole milliseconds, like every event time; at least a second.
        var handleMs = Math.Max(1000L, (long)Math.Round(_rng.LogNormal(_queues[contact.Queue].Handle) * 1000));
        var wrapMs = (long)Math.Round(handleMs * _wrapShare);
        agent.Current = contact;
        agent.WrapTicks = wrapMs * TicksPerMs;
        Schedule(_now + (handleMs - wrapMs) * TicksPerMs, new Scheduled(Kind.TalkEnd, agent.Index));
    }

    private void OnTalkEnd(AgentRt agent)
    {
        var contact = agent.Current!;
        agent.Current = null;
        var escalate = _escalation >= 0 && contact.Queue != _escalation && _rng.NextDouble() * 100 < _options.EscalationPercent;
        if (escalate)
        {
            Emit(EventType.ContactTransferred, contactId: contact.Id, queue: _queues[_escalation].Id, reason: "escalation");
        }
        else
        {
            Emit(EventType.ContactResolved, contactId: contact.Id, agentId: agent.Id);
            MaybeScheduleCsat(contact);
        }

        if (agent.WrapTicks > 0)
        {
            agent.State = AgentState.WrapUp;
            EmitState(agent);
            Schedule(_now + agent.WrapTicks, new Scheduled(Kind.WrapEnd, agent.Index));
        }
        if (escalate)
        {
            // Queued after the agent has moved to wrap-up, so the events read in the order they happen.
            Enqueue(contact, _escalation);
        }
        if (agent.WrapTicks <= 0)
        {
            FinishContact(agent);
        }
    }

    private void MaybeScheduleCsat(Contact contact)
    {
        if (!(_rng.NextDouble() * 100 < _options.CsatPercent))
        {
            return;
        }
        // The reference has no CSAT figures: a typical skew towards 4–5, one point less for some who waited far past target.
        var u = _rng.NextDouble();
        var score = u < 0.07 ? 1 : u < 0.13 ? 2 : u < 0.25 ? 3 : u < 0.55 ? 4 : 5;
        if (contact.LastWaitTicks > 3 * _queues[contact.Queue].TargetTicks && _rng.NextDouble() < 0.5)
        {
            score = Math.Max(1, score - 1);
        }
        // Surveys come back a little after the contact ends.
        var delayTicks = (long)((30 + _rng.NextDouble() * 870) * TicksPerSecond);
        Schedule(_now + delayTicks, new Scheduled(Kind.Csat, Arg: score, Contact: contact));
    }

    private sealed class QueueRt
    {
        public required string Id { get; init; }
        public required int Index { get; init; }
        public required Channel Channel { get; init; }
        public required double Volume { get; init; }
        public required LogNormalShape Handle { get; init; }
        public required double MeanHandleSeconds { get; init; }
        public required long TargetTicks { get; init; }
        public SortedSet<Contact> Waiting { get; } = new(WaitOrder.Instance);
        public int ArrivalVersion { get; set; }
    }

    private sealed class Contact
    {
        public required string Id { get; init; }
        public required Channel Channel { get; init; }
        public required Priority Priority { get; init; }
        public int Queue { get; set; }
        public long Enqueued { get; set; }
        public long Due { get; set; }
        public long Seq { get; set; }
        public long LastWaitTicks { get; set; }
        /// <summary>Bumped whenever the contact leaves or re-enters a queue; stale abandon timers compare it.</summary>
        public int Version { get; set; }
        public bool Waiting { get; set; }
    }

    /// <summary>Priority first (critical before low), then the earliest deadline, then arrival order.</summary>
    private sealed class WaitOrder : IComparer<Contact>
    {
        public static readonly WaitOrder Instance = new();

        public int Compare(Contact? x, Contact? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }
            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }
            var byPriority = y.Priority.CompareTo(x.Priority);
            if (byPriority != 0)
            {
                return byPriority;
            }
            var byDue = x.Due.CompareTo(y.Due);
            return byDue != 0 ? byDue : x.Seq.CompareTo(y.Seq);
        }
    }
}
