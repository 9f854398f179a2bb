namespace Ops.Dashboard.Domain;

/// <summary>The event types of contract v1; the wire name is in <see cref="EventTypes"/>.</summary>
public enum EventType
{
    ContactCreated,
    ContactAnswered,
    ContactAbandoned,
    ContactTransferred,
    ContactResolved,
    ContactCsat,
    AgentState,
    AgentQueues,
}

public enum Channel { Phone, Chat, Messenger, Email, Ticket, Social }

public enum Priority { Low, Medium, High, Critical }

public enum AgentState { Offline, Available, OnContact, WrapUp, Break, Training }

/// <summary>
/// One event of contract v1, flattened: the fields a type does not use are null.
/// <see cref="Seq"/> is the event log's sequence number (0 until the event is stored);
/// it orders dispatch and recovery, never the statistics (those use <see cref="At"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("ops.event")]
public sealed record OpsEvent
{
    [Id(0)] public long Seq { get; init; }
    [Id(1)] public required string Id { get; init; }
    [Id(2)] public required EventType Type { get; init; }
    [Id(3)] public required DateTimeOffset At { get; init; }
    [Id(4)] public string? ContactId { get; init; }
    [Id(5)] public string? AgentId { get; init; }
    /// <summary>contact.created: the queue; contact.transferred: the target queue (toQueue).</summary>
    [Id(6)] public string? Queue { get; init; }
    [Id(7)] public Channel? Channel { get; init; }
    [Id(8)] public Priority? Priority { get; init; }
    [Id(9)] public string? Subject { get; init; }
    [Id(10)] public string? Reason { get; init; }
    [Id(11)] public int? Score { get; init; }
    [Id(12)] public AgentState? State { get; init; }
    [Id(13)] public string? Name { get; init; }
    [Id(14)] public string? Team { get; init; }
    [Id(15)] public IReadOnlyList<string>? Queues { get; init; }
}

/// <summary>
/// An agent.state event as timelines keep it: what ordering, deduplication and handle ends need. Agents
/// keep two hours of these, so a whole <see cref="OpsEvent"/> (and its id string) each was most of their
/// memory and checkpoints. The log seq stands in for the id: ingestion stores each event id once.
/// </summary>
[GenerateSerializer, Immutable, Alias("ops.state-change")]
public readonly record struct StateChange(
    [property: Id(0)] long Seq,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] AgentState State)
{
    public static StateChange Of(OpsEvent e) =>
        new(e.Seq, e.At, e.State ?? throw new ArgumentException($"Event '{e.Id}' is not an agent state change.", nameof(e)));

    /// <summary>
    /// By time, then by seq: equal only for the same stored event. Changes at the same instant may sort
    /// otherwise than <see cref="ContactLifecycle.TimeOrder"/> sorts them (by id), which cannot change when
    /// a contact's handling ends as the agent works it out (no release given).
    /// </summary>
    public static IComparer<StateChange> TimeOrder { get; } = Comparer<StateChange>.Create((a, b) =>
    {
        var c = a.At.UtcTicks.CompareTo(b.At.UtcTicks);
        return c != 0 ? c : a.Seq.CompareTo(b.Seq);
    });
}

/// <summary>Wire names of the contract's enums (snake/dotted lower case).</summary>
public static class EventTypes
{
    public static readonly IReadOnlyDictionary<string, EventType> ByName = new Dictionary<string, EventType>
    {
        ["contact.created"] = EventType.ContactCreated,
        ["contact.answered"] = EventType.ContactAnswered,
        ["contact.abandoned"] = EventType.ContactAbandoned,
        ["contact.transferred"] = EventType.ContactTransferred,
        ["contact.resolved"] = EventType.ContactResolved,
        ["contact.csat"] = EventType.ContactCsat,
        ["agent.state"] = EventType.AgentState,
        ["agent.queues"] = EventType.AgentQueues,
    };

    public static readonly IReadOnlyDictionary<string, AgentState> StatesByName = new Dictionary<string, AgentState>
    {
        ["offline"] = AgentState.Offline,
        ["available"] = AgentState.Available,
        ["on_contact"] = AgentState.OnContact,
        ["wrap_up"] = AgentState.WrapUp,
        ["break"] = AgentState.Break,
        ["training"] = AgentState.Training,
    };

    public static string Name(this EventType type) => ByName.First(p => p.Value == type).Key;

    public static string Name(this AgentState state) => StatesByName.First(p => p.Value == state).Key;

    public static string Name(this Channel channel) => channel.ToString().ToLowerInvariant();

    public static string Name(this Priority priority) => priority.ToString().ToLowerInvariant();

    /// <summary>Async channels measure first response against hours, not a live queue wait.</summary>
    public static bool IsAsync(this Channel channel) => channel is Channel.Email or Channel.Ticket or Channel.Social;
}
