using System.Globalization;
using System.Text.Json.Nodes;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Testing;

/// <summary>Contract-v1 events as the wire carries them (JSON objects with camelCase fields).</summary>
public static class WireEvents
{
    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..16];

    /// <summary>RFC 3339 with the instant's own offset, e.g. 2026-10-06T09:01:00.000+02:00.</summary>
    public static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static JsonObject Base(string type, DateTimeOffset at) => new()
    {
        ["id"] = NewId("ev-"),
        ["type"] = type,
        ["at"] = Time(at),
    };

    public static JsonObject Created(string contactId, string queue, DateTimeOffset at, string channel = "phone", string? priority = null)
    {
        var e = Base("contact.created", at);
        e["contactId"] = contactId;
        e["queue"] = queue;
        e["channel"] = channel;
        if (priority is not null) e["priority"] = priority;
        return e;
    }

    public static JsonObject Answered(string contactId, string agentId, DateTimeOffset at)
    {
        var e = Base("contact.answered", at);
        e["contactId"] = contactId;
        e["agentId"] = agentId;
        return e;
    }

    public static JsonObject Abandoned(string contactId, DateTimeOffset at)
    {
        var e = Base("contact.abandoned", at);
        e["contactId"] = contactId;
        return e;
    }

    public static JsonObject Transferred(string contactId, string toQueue, DateTimeOffset at, string? reason = null)
    {
        var e = Base("contact.transferred", at);
        e["contactId"] = contactId;
        e["toQueue"] = toQueue;
        if (reason is not null) e["reason"] = reason;
        return e;
    }

    public static JsonObject Resolved(string contactId, DateTimeOffset at, string? agentId = null)
    {
        var e = Base("contact.resolved", at);
        e["contactId"] = contactId;
        if (agentId is not null) e["agentId"] = agentId;
        return e;
    }

    public static JsonObject Csat(string contactId, int score, DateTimeOffset at)
    {
        var e = Base("contact.csat", at);
        e["contactId"] = contactId;
        e["score"] = score;
        return e;
    }

    public static JsonObject AgentState(string agentId, string state, DateTimeOffset at, string? name = null, string? team = null)
    {
        var e = Base("agent.state", at);
        e["agentId"] = agentId;
        e["state"] = state;
        if (name is not null) e["name"] = name;
        if (team is not null) e["team"] = team;
        return e;
    }

    public static JsonObject AgentQueues(string agentId, DateTimeOffset at, params string[] queues)
    {
        var e = Base("agent.queues", at);
        e["agentId"] = agentId;
        e["queues"] = new JsonArray([.. queues.Select(q => (JsonNode?)JsonValue.Create(q))]);
        return e;
    }

    /// <summary>The wire form of an event produced in-process (the simulator's output).</summary>
    public static JsonObject FromOpsEvent(OpsEvent e)
    {
        var o = new JsonObject
        {
            ["id"] = e.Id,
            ["type"] = e.Type.Name(),
            ["at"] = Time(e.At),
        };
        if (e.ContactId is not null) o["contactId"] = e.ContactId;
        if (e.AgentId is not null) o["agentId"] = e.AgentId;
        if (e.Queue is not null) o[e.Type == EventType.ContactTransferred ? "toQueue" : "queue"] = e.Queue;
        if (e.Channel is { } channel) o["channel"] = channel.Name();
        if (e.Priority is { } priority) o["priority"] = priority.Name();
        if (e.Subject is not null) o["subject"] = e.Subject;
        if (e.Reason is not null) o["reason"] = e.Reason;
        if (e.Score is { } score) o["score"] = score;
        if (e.State is { } state) o["state"] = state.Name();
        if (e.Name is not null) o["name"] = e.Name;
        if (e.Team is not null) o["team"] = e.Team;
        if (e.Queues is not null) o["queues"] = new JsonArray([.. e.Queues.Select(q => (JsonNode?)JsonValue.Create(q))]);
        return o;
    }

    /// <summary>A JSON array body; each event is serialised on its own so the same objects can be posted again.</summary>
    public static string Body(IEnumerable<JsonObject> events) => "[" + string.Join(",", events.Select(e => e.ToJsonString())) + "]";
}
