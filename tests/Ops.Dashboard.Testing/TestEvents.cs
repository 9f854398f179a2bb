using System.Globalization;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Testing;

/// <summary>
/// Contract-v1 events for tests, built in code. Ids derive from subject, kind and time, so the same
/// event built twice is the same event (a duplicate), as a retrying source would send it.
/// </summary>
public static class TestEvents
{
    public static DateTimeOffset T(string rfc3339) =>
        DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static string Id(string subject, string kind, DateTimeOffset at) =>
        $"{subject}:{kind}:{at.UtcDateTime:yyyyMMddTHHmmss.fff}";

    public static OpsEvent Created(string contact, string queue, string at, Priority priority = Priority.Medium, Channel channel = Channel.Phone) =>
        new()
        {
            Id = Id(contact, "created", T(at)),
            Type = EventType.ContactCreated,
            At = T(at),
            ContactId = contact,
            Queue = queue,
            Channel = channel,
            Priority = priority,
        };

    public static OpsEvent Answered(string contact, string agent, string at) =>
        new() { Id = Id(contact, "answered", T(at)), Type = EventType.ContactAnswered, At = T(at), ContactId = contact, AgentId = agent };

    public static OpsEvent Abandoned(string contact, string at) =>
        new() { Id = Id(contact, "abandoned", T(at)), Type = EventType.ContactAbandoned, At = T(at), ContactId = contact };

    public static OpsEvent Transferred(string contact, string toQueue, string at, string? reason = null) =>
        new() { Id = Id(contact, "transferred", T(at)), Type = EventType.ContactTransferred, At = T(at), ContactId = contact, Queue = toQueue, Reason = reason };

    public static OpsEvent Resolved(string contact, string at, string? agent = null) =>
        new() { Id = Id(contact, "resolved", T(at)), Type = EventType.ContactResolved, At = T(at), ContactId = contact, AgentId = agent };

    public static OpsEvent Csat(string contact, int score, string at) =>
        new() { Id = Id(contact, "csat", T(at)), Type = EventType.ContactCsat, At = T(at), ContactId = contact, Score = score };

    public static OpsEvent State(string agent, AgentState state, string at, string? name = null, string? team = null) =>
        new() { Id = Id(agent, state.Name(), T(at)), Type = EventType.AgentState, At = T(at), AgentId = agent, State = state, Name = name, Team = team };

    public static OpsEvent AgentQueues(string agent, string at, params string[] queues) =>
        new() { Id = Id(agent, "queues", T(at)), Type = EventType.AgentQueues, At = T(at), AgentId = agent, Queues = queues };
}
