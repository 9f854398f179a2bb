using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Ops.Dashboard.LoadTest;

/// <summary>A queue of the generated stream: its id and channel (contract wire names).</summary>
public sealed record StreamQueue(string Id, string Channel);

/// <summary>
/// A contact centre as an event source, written straight to contract-v1 JSON. Not thread-safe: the
/// posting loops take turns under one lock (it writes well over 100,000 events/s on one core).
/// <para>
/// Simulated time is the count of events emitted: every step of a lifecycle is scheduled a number of
/// events ahead, so lifecycles interleave the same way at any posting rate. Each event's "at" is the
/// wall clock when it is written (strictly increasing), so the figures land in "today".
/// </para>
/// The model: each agent is introduced once (agent.queues, then agent.state available with name and
/// team) and serves 1–3 queues. Whenever no scheduled step is due a contact arrives in a queue
/// (weighted: some queues are busier), is reserved for the longest-idle free agent of that queue or
/// waits; a reserved contact is answered after a short ring (agent.state on_contact, contact.answered),
/// talked through, then either resolved (contact.resolved, agent wrap_up, sometimes contact.csat later)
/// or transferred to another queue (contact.transferred, agent wrap_up; it waits or is answered there);
/// after wrap-up the agent becomes available (rarely: a break first) and takes the oldest waiting
/// contact of its queues. Waiting voice/chat contacts abandon when their patience runs out. The mean
/// handle time is set so that about 75 % of agents are busy, so most queues answer quickly while some
/// build short waits and abandons.
/// </summary>
public sealed class ContactCentreStream
{
    public const double EventsPerContact = 6.8;
    private const double TargetOccupancy = 0.85;

    // Property names and constant values, encoded once.
    private static readonly JsonEncodedText PId = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText PType = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText PAt = JsonEncodedText.Encode("at");
    private static readonly JsonEncodedText PContactId = JsonEncodedText.Encode("contactId");
    private static readonly JsonEncodedText PAgentId = JsonEncodedText.Encode("agentId");
    private static readonly JsonEncodedText PQueue = JsonEncodedText.Encode("queue");
    private static readonly JsonEncodedText PToQueue = JsonEncodedText.Encode("toQueue");
    private static readonly JsonEncodedText PQueues = JsonEncodedText.Encode("queues");
    private static readonly JsonEncodedText PChannel = JsonEncodedText.Encode("channel");
    private static readonly JsonEncodedText PPriority = JsonEncodedText.Encode("priority");
    private static readonly JsonEncodedText PSubject = JsonEncodedText.Encode("subject");
    private static readonly JsonEncodedText PReason = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText PScore = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText PState = JsonEncodedText.Encode("state");
    private static readonly JsonEncodedText PName = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText PTeam = JsonEncodedText.Encode("team");
    /// <summary>The contract's type names, indexed by the T… constants.</summary>
    public static readonly string[] TypeNames =
        ["contact.created", "contact.answered", "contact.abandoned", "contact.transferred", "contact.resolved", "contact.csat", "agent.state", "agent.queues"];
    private static readonly JsonEncodedText[] EncodedTypes = [.. TypeNames.Select(t => JsonEncodedText.Encode(t))];
    private const int TCreated = 0, TAnswered = 1, TAbandoned = 2, TTransferred = 3, TResolved = 4, TCsat = 5, TAgentState = 6, TAgentQueues = 7;
    private static readonly JsonEncodedText SAvailable = JsonEncodedText.Encode("available");
    private static readonly JsonEncodedText SOnContact = JsonEncodedText.Encode("on_contact");
    private static readonly JsonEncodedText SWrapUp = JsonEncodedText.Encode("wrap_up");
    private static readonly JsonEncodedText SBreak = JsonEncodedText.Encode("break");
    private static readonly JsonEncodedText[] Priorities = [.. new[] { "low", "medium", "high", "critical" }.Select(p => JsonEncodedText.Encode(p))];
    private static readonly JsonEncodedText[] Subjects =
        [.. new[] { "Invoice question", "Password reset", "Delivery delayed", "Cancel contract", "App crashes on start", "Change of address" }
            .Select(s => JsonEncodedText.Encode(s))];
    private static readonly JsonEncodedText Escalation = JsonEncodedText.Encode("escalation to tech");
    private static readonly JsonEncodedText ProbeChannel = JsonEncodedText.Encode("phone");

    private readonly Random _random;
    private readonly StreamQueue[] _queues;
    private readonly JsonEncodedText[] _queueIds;
    private readonly JsonEncodedText[] _queueChannels;
    private readonly bool[] _queueCanAbandon;
    private readonly double[] _queueCumulativeWeight;
    private readonly JsonEncodedText _probeQueue;

    private readonly JsonEncodedText[] _agentIds;
    private readonly int[][] _agentQueues;
    private readonly LinkedListNode<int>?[][] _agentPoolNodes;
    private readonly AgentMode[] _agentMode;
    private readonly LinkedList<int>[] _freeAgents;
    private readonly LinkedList<Contact>[] _waiting;
    private readonly PriorityQueue<Step, long> _schedule = new();

    private readonly byte[] _eventIdPrefix;
    private readonly byte[] _contactIdPrefix;
    private readonly byte[] _probeIdPrefix;
    private readonly Func<DateTimeOffset, TimeSpan> _offsetAt;
    private readonly double _meanHandle;

    private long _seq;          // events written so far: the simulation's clock
    private long _contacts;
    private int _introduced;
    private long _lastAtTicks;
    private readonly long[] _typeCounts = new long[TypeNames.Length];

    private enum AgentMode : byte { Unknown, Free, Reserved, OnContact, WrapUp, Break }

    private enum StepKind : byte { Answer, EndTalk, EndWrap, EndBreak, Abandon, Csat }

    private readonly record struct Step(StepKind Kind, Contact? Contact, int Agent);

    private sealed class Contact(long number, int queue, long enteredSeq)
    {
        public long Number { get; } = number;
        public int Queue { get; set; } = queue;
        public long EnteredSeq { get; set; } = enteredSeq;
        public int Agent { get; set; } = -1;
        public bool Transferred { get; set; }
        public bool Answered { get; set; }
        public bool Abandoned { get; set; }
        public LinkedListNode<Contact>? WaitingNode { get; set; }
    }

    /// <param name="runId">Makes event and contact ids unique per run (letters and digits).</param>
    /// <param name="siteTimeZone">Timestamps carry this zone's offset (RFC 3339 with offset).</param>
    public ContactCentreStream(int agents, IReadOnlyList<StreamQueue> queues, string probeQueue, string runId, int seed, TimeZoneInfo siteTimeZone)
    {
        if (queues.Count == 0) throw new ArgumentException("at least one queue is needed", nameof(queues));
        _random = new Random(seed);
        _queues = [.. queues];
        _queueIds = [.. queues.Select(q => JsonEncodedText.Encode(q.Id))];
        _queueChannels = [.. queues.Select(q => JsonEncodedText.Encode(q.Channel))];
        _queueCanAbandon = [.. queues.Select(q => q.Channel is "phone" or "chat" or "messenger")];
        // Zipf-like volumes: the first queues are the busy ones (the agents' skills follow the same weights).
        _queueCumulativeWeight = new double[queues.Count];
        var sum = 0.0;
        for (var i = 0; i < queues.Count; i++) _queueCumulativeWeight[i] = sum += 1 / Math.Sqrt(1 + i);
        for (var i = 0; i < queues.Count; i++) _queueCumulativeWeight[i] /= sum;
        _probeQueue = JsonEncodedText.Encode(probeQueue);

        _agentIds = new JsonEncodedText[agents];
        _agentQueues = new int[agents][];
        _agentPoolNodes = new LinkedListNode<int>?[agents][];
        _agentMode = new AgentMode[agents];
        var width = agents.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        for (var a = 0; a < agents; a++)
        {
            _agentIds[a] = JsonEncodedText.Encode($"{runId}-a{a.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0')}");
            var count = Math.Min(queues.Count, 1 + _random.Next(3));
            var set = new List<int>(count);
            while (set.Count < count)
            {
                var q = PickQueue();
                if (!set.Contains(q)) set.Add(q);
            }
            _agentQueues[a] = [.. set];
            _agentPoolNodes[a] = new LinkedListNode<int>?[count];
        }
        _freeAgents = [.. queues.Select(_ => new LinkedList<int>())];
        _waiting = [.. queues.Select(_ => new LinkedList<Contact>())];

        _eventIdPrefix = Encoding.UTF8.GetBytes($"{runId}-e");
        _contactIdPrefix = Encoding.UTF8.GetBytes($"{runId}-c");
        _probeIdPrefix = Encoding.UTF8.GetBytes($"{runId}-probe");
        _offsetAt = utc => siteTimeZone.GetUtcOffset(utc);
        // Busy agents ≈ contacts in handling = arrival rate × handle time, with ~EventsPerContact events per arrival.
        _meanHandle = Math.Max(50, TargetOccupancy * agents * EventsPerContact);
    }

    /// <summary>Events written so far.</summary>
    public long Written => _seq;

    /// <summary>True until every agent has been introduced (the first 2 × agents events).</summary>
    public bool Introducing => _introduced < _agentIds.Length;

    public long ContactsCreated => _contacts;

    public int WaitingNow => _waiting.Sum(w => w.Count);

    /// <summary>Events written so far per type, indexed like <see cref="TypeNames"/>.</summary>
    public IReadOnlyList<long> TypeCounts => _typeCounts;

    /// <summary>
    /// Writes about <paramref name="count"/> events (a step may add one or two more) as one JSON array,
    /// first a probe contact if <paramref name="probeNumber"/> is positive and a contact.abandoned for
    /// each probe in <paramref name="closeProbes"/>. Returns the number written and the probe's "at".
    /// </summary>
    public (int Count, DateTimeOffset ProbeAt) WriteBatch(Utf8JsonWriter w, int count, long probeNumber = 0, IReadOnlyList<long>? closeProbes = null)
    {
        var start = _seq;
        var probeAt = default(DateTimeOffset);
        var baseUtc = DateTimeOffset.UtcNow;
        var offset = _offsetAt(baseUtc);
        w.WriteStartArray();
        if (probeNumber > 0)
        {
            probeAt = Begin(w, TCreated, offset);
            WriteId(w, PContactId, _probeIdPrefix, probeNumber);
            w.WriteString(PQueue, _probeQueue);
            w.WriteString(PChannel, ProbeChannel);
            w.WriteString(PPriority, Priorities[1]);
            w.WriteEndObject();
        }
        if (closeProbes is not null)
        {
            foreach (var p in closeProbes)
            {
                Begin(w, TAbandoned, offset);
                WriteId(w, PContactId, _probeIdPrefix, p);
                w.WriteEndObject();
            }
        }
        while (_seq - start < count) Next(w, offset);
        w.WriteEndArray();
        w.Flush();
        return ((int)(_seq - start), probeAt);
    }

    private void Next(Utf8JsonWriter w, TimeSpan offset)
    {
        if (_introduced < _agentIds.Length)
        {
            Introduce(w, offset, _introduced++);
            return;
        }
        if (_schedule.TryPeek(out var step, out var due) && due <= _seq)
        {
            _schedule.Dequeue();
            Run(w, offset, step);
            return;
        }
        Arrive(w, offset);
    }

    private void Introduce(Utf8JsonWriter w, TimeSpan offset, int a)
    {
        Begin(w, TAgentQueues, offset);
        w.WriteString(PAgentId, _agentIds[a]);
        w.WriteStartArray(PQueues);
        foreach (var q in _agentQueues[a]) w.WriteStringValue(_queueIds[q]);
        w.WriteEndArray();
        w.WriteEndObject();

        Begin(w, TAgentState, offset);
        w.WriteString(PAgentId, _agentIds[a]);
        w.WriteString(PState, SAvailable);
        w.WriteString(PName, $"Agent {a + 1}");
        w.WriteString(PTeam, $"Team {a % 50 + 1:00}");
        w.WriteEndObject();
        MakeFree(a);
    }

    private void Arrive(Utf8JsonWriter w, TimeSpan offset)
    {
        var q = PickQueue();
        var c = new Contact(++_contacts, q, _seq);
        Begin(w, TCreated, offset);
        WriteId(w, PContactId, _contactIdPrefix, c.Number);
        w.WriteString(PQueue, _queueIds[q]);
        w.WriteString(PChannel, _queueChannels[q]);
        var p = _random.NextDouble();
        w.WriteString(PPriority, Priorities[p < 0.15 ? 0 : p < 0.85 ? 1 : p < 0.97 ? 2 : 3]);
        if (_random.NextDouble() < 0.2) w.WriteString(PSubject, Subjects[_random.Next(Subjects.Length)]);
        w.WriteEndObject();
        Enter(c);
        // A few callers hang up within seconds, even while an agent's phone is already ringing.
        if (_queueCanAbandon[q] && _random.NextDouble() < 0.04)
            Schedule(StepKind.Abandon, c, -1, _meanHandle * 0.01 * _random.NextDouble());
    }

    /// <summary>A contact enters its queue: reserved for a free agent, or waiting (with a patience for voice and chat).</summary>
    private void Enter(Contact c)
    {
        var free = _freeAgents[c.Queue];
        if (free.First is { } node)
        {
            Reserve(node.Value, c);
            return;
        }
        c.WaitingNode = _waiting[c.Queue].AddLast(c);
        if (_queueCanAbandon[c.Queue])
        {
            // Most callers are patient; one in ten hangs up quickly.
            var patience = _random.NextDouble() < 0.1 ? _meanHandle * (0.002 + 0.05 * _random.NextDouble()) : _meanHandle * (1 + 2 * _random.NextDouble());
            Schedule(StepKind.Abandon, c, -1, patience);
        }
    }

    private void Reserve(int agent, Contact c)
    {
        RemoveFromPools(agent);
        _agentMode[agent] = AgentMode.Reserved;
        c.Agent = agent;
        Schedule(StepKind.Answer, c, agent, _meanHandle * 0.004 * _random.NextDouble());
    }

    private void Run(Utf8JsonWriter w, TimeSpan offset, Step step)
    {
        var c = step.Contact;
        var a = step.Agent;
        switch (step.Kind)
        {
            case StepKind.Answer:
                if (c!.Abandoned) break; // the agent was released when the caller hung up
                c.Answered = true;
                _agentMode[a] = AgentMode.OnContact;
                AgentState(w, offset, a, SOnContact);
                Begin(w, TAnswered, offset);
                WriteId(w, PContactId, _contactIdPrefix, c.Number);
                w.WriteString(PAgentId, _agentIds[a]);
                w.WriteEndObject();
                Schedule(StepKind.EndTalk, c, a, _meanHandle * 0.8 * (0.4 + 1.2 * _random.NextDouble()));
                break;

            case StepKind.EndTalk:
                if (!c!.Transferred && _queues.Length > 1 && _random.NextDouble() < 0.06)
                {
                    var to = PickQueue();
                    if (to == c.Queue) to = (to + 1) % _queues.Length;
                    Begin(w, TTransferred, offset);
                    WriteId(w, PContactId, _contactIdPrefix, c.Number);
                    w.WriteString(PToQueue, _queueIds[to]);
                    w.WriteString(PReason, Escalation);
                    w.WriteEndObject();
                    c.Transferred = true;
                    c.Queue = to;
                    c.EnteredSeq = _seq;
                    c.Agent = -1;
                    Enter(c);
                }
                else
                {
                    Begin(w, TResolved, offset);
                    WriteId(w, PContactId, _contactIdPrefix, c.Number);
                    w.WriteString(PAgentId, _agentIds[a]);
                    w.WriteEndObject();
                    if (_random.NextDouble() < 0.3) Schedule(StepKind.Csat, c, -1, _meanHandle * 0.05 * _random.NextDouble());
                }
                _agentMode[a] = AgentMode.WrapUp;
                AgentState(w, offset, a, SWrapUp);
                Schedule(StepKind.EndWrap, null, a, _meanHandle * 0.2 * (0.5 + _random.NextDouble()));
                break;

            case StepKind.EndWrap:
                if (_random.NextDouble() < 0.02)
                {
                    _agentMode[a] = AgentMode.Break;
                    AgentState(w, offset, a, SBreak);
                    Schedule(StepKind.EndBreak, null, a, _meanHandle * (0.5 + _random.NextDouble()));
                }
                else
                {
                    BecomeAvailable(w, offset, a);
                }
                break;

            case StepKind.EndBreak:
                BecomeAvailable(w, offset, a);
                break;

            case StepKind.Abandon:
                if (c!.Answered || c.Abandoned) break;
                if (c.WaitingNode is { } node)
                {
                    _waiting[c.Queue].Remove(node);
                    c.WaitingNode = null;
                }
                else if (c.Agent >= 0)
                {
                    // Hung up while ringing: the agent never reported on_contact and takes the next one.
                    var agent = c.Agent;
                    c.Agent = -1;
                    TakeNextOrWait(agent);
                }
                c.Abandoned = true;
                Begin(w, TAbandoned, offset);
                WriteId(w, PContactId, _contactIdPrefix, c.Number);
                w.WriteEndObject();
                break;

            case StepKind.Csat:
                Begin(w, TCsat, offset);
                WriteId(w, PContactId, _contactIdPrefix, c!.Number);
                var s = _random.NextDouble();
                w.WriteNumber(PScore, s < 0.05 ? 1 : s < 0.12 ? 2 : s < 0.3 ? 3 : s < 0.65 ? 4 : 5);
                w.WriteEndObject();
                break;
        }
    }

    /// <summary>The agent reports available and takes the longest-waiting contact of its queues, if any.</summary>
    private void BecomeAvailable(Utf8JsonWriter w, TimeSpan offset, int a)
    {
        AgentState(w, offset, a, SAvailable);
        TakeNextOrWait(a);
    }

    /// <summary>An available agent takes the longest-waiting contact of its queues, or joins their free pools.</summary>
    private void TakeNextOrWait(int a)
    {
        Contact? oldest = null;
        foreach (var q in _agentQueues[a])
        {
            if (_waiting[q].First is { } head && (oldest is null || head.Value.EnteredSeq < oldest.EnteredSeq))
                oldest = head.Value;
        }
        if (oldest is null)
        {
            MakeFree(a);
            return;
        }
        _waiting[oldest.Queue].Remove(oldest.WaitingNode!);
        oldest.WaitingNode = null;
        _agentMode[a] = AgentMode.Free;
        Reserve(a, oldest);
    }

    private void MakeFree(int a)
    {
        _agentMode[a] = AgentMode.Free;
        var queues = _agentQueues[a];
        for (var i = 0; i < queues.Length; i++) _agentPoolNodes[a][i] = _freeAgents[queues[i]].AddLast(a);
    }

    private void RemoveFromPools(int a)
    {
        var nodes = _agentPoolNodes[a];
        for (var i = 0; i < nodes.Length; i++)
        {
            if (nodes[i] is { } n) _freeAgents[_agentQueues[a][i]].Remove(n);
            nodes[i] = null;
        }
    }

    private void AgentState(Utf8JsonWriter w, TimeSpan offset, int a, JsonEncodedText state)
    {
        Begin(w, TAgentState, offset);
        w.WriteString(PAgentId, _agentIds[a]);
        w.WriteString(PState, state);
        w.WriteEndObject();
    }

    private void Schedule(StepKind kind, Contact? c, int agent, double eventsAhead) =>
        _schedule.Enqueue(new Step(kind, c, agent), _seq + 1 + (long)eventsAhead);

    private int PickQueue()
    {
        var x = _random.NextDouble();
        var i = Array.BinarySearch(_queueCumulativeWeight, x);
        return Math.Min(i < 0 ? ~i : i, _queueCumulativeWeight.Length - 1);
    }

    /// <summary>Starts an event object with id, type and a strictly increasing "at"; returns the "at".</summary>
    private DateTimeOffset Begin(Utf8JsonWriter w, int type, TimeSpan offset)
    {
        _typeCounts[type]++;
        var ticks = Math.Max(DateTime.UtcNow.Ticks, _lastAtTicks + 10); // at least 1 µs apart
        _lastAtTicks = ticks;
        var at = new DateTimeOffset(ticks + offset.Ticks, offset);
        w.WriteStartObject();
        WriteId(w, PId, _eventIdPrefix, ++_seq);
        w.WriteString(PType, EncodedTypes[type]);
        w.WriteString(PAt, at);
        return at;
    }

    private static void WriteId(Utf8JsonWriter w, JsonEncodedText name, byte[] prefix, long number)
    {
        Span<byte> buffer = stackalloc byte[prefix.Length + 20];
        prefix.CopyTo(buffer);
        Utf8Formatter.TryFormat(number, buffer[prefix.Length..], out var written);
        w.WriteString(name, buffer[..(prefix.Length + written)]);
    }
}
