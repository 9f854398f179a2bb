using System.Globalization;
using System.Text.Json;

namespace Ops.Dashboard.Domain;

/// <summary>One reason a batch was refused: which event (by index in the batch), which field, why.</summary>
public sealed record EventError(int Index, string Field, string Message);

public sealed record ParseResult(IReadOnlyList<OpsEvent> Events, IReadOnlyList<EventError> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Reads a contract-v1 batch (a JSON array, or an object with an "events" array) and validates
/// every event. Field names are camelCase; unknown fields are ignored; unknown types are errors.
/// </summary>
public static class EventParser
{
    public const int MaxIdLength = 200;

    /// <param name="utf8Json">The body; read in place (not copied), so it must not change until this returns.</param>
    /// <param name="queueExists">Whether a queue id is configured; naming an unknown queue is an error.</param>
    public static ParseResult Parse(ReadOnlyMemory<byte> utf8Json, Func<string, bool> queueExists)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            return Fail(-1, "$", $"body is not valid JSON: {ex.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("events", out var inner))
                root = inner;
            if (root.ValueKind != JsonValueKind.Array)
                return Fail(-1, "$", "body must be a JSON array of events or an object with an \"events\" array");

            var events = new List<OpsEvent>(root.GetArrayLength());
            var errors = new List<EventError>();
            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                var reader = new EventReader(element, index, errors, queueExists);
                var ev = reader.Read();
                if (ev is not null) events.Add(ev);
                index++;
            }
            return new ParseResult(errors.Count == 0 ? events : [], errors);
        }
    }

    private static ParseResult Fail(int index, string field, string message) =>
        new([], [new EventError(index, field, message)]);

    private sealed class EventReader(JsonElement e, int index, List<EventError> errors, Func<string, bool> queueExists)
    {
        private bool _failed;

        public OpsEvent? Read()
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                Error("$", "event must be a JSON object");
                return null;
            }
            var id = RequiredString("id", MaxIdLength);
            var typeName = RequiredString("type", 64);
            var at = RequiredTime("at");
            EventType type = default;
            if (typeName is not null && !EventTypes.ByName.TryGetValue(typeName, out type))
                Error("type", $"unknown type '{typeName}'; expected one of {string.Join(", ", EventTypes.ByName.Keys)}");
            if (_failed || id is null || at is null) return null;

            var ev = new OpsEvent { Id = id, Type = type, At = at.Value };
            ev = type switch
            {
                EventType.ContactCreated => ev with
                {
                    ContactId = RequiredString("contactId"),
                    Queue = RequiredQueue("queue"),
                    Channel = RequiredEnum<Channel>("channel"),
                    Priority = OptionalEnum<Priority>("priority") ?? Domain.Priority.Medium,
                    Subject = OptionalString("subject", 500),
                },
                EventType.ContactAnswered => ev with { ContactId = RequiredString("contactId"), AgentId = SharedId.Of(RequiredString("agentId")) },
                EventType.ContactAbandoned => ev with { ContactId = RequiredString("contactId") },
                EventType.ContactTransferred => ev with
                {
                    ContactId = RequiredString("contactId"),
                    Queue = RequiredQueue("toQueue"),
                    Reason = OptionalString("reason", 200),
                },
                EventType.ContactResolved => ev with { ContactId = RequiredString("contactId"), AgentId = SharedId.Of(OptionalString("agentId")) },
                EventType.ContactCsat => ev with { ContactId = RequiredString("contactId"), Score = RequiredScore("score") },
                EventType.AgentState => ev with
                {
                    AgentId = SharedId.Of(RequiredString("agentId")),
                    State = RequiredState("state"),
                    Name = OptionalString("name", 200),
                    Team = OptionalString("team", 200),
                },
                EventType.AgentQueues => ev with { AgentId = SharedId.Of(RequiredString("agentId")), Queues = RequiredQueueList("queues") },
                _ => ev,
            };
            return _failed ? null : ev;
        }

        private void Error(string field, string message)
        {
            _failed = true;
            errors.Add(new EventError(index, field, message));
        }

        private string? RequiredString(string name, int maxLength = MaxIdLength)
        {
            if (!e.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
            {
                Error(name, "is required");
                return null;
            }
            return StringValue(name, p, maxLength);
        }

        private string? OptionalString(string name, int maxLength = MaxIdLength) =>
            e.TryGetProperty(name, out var p) && p.ValueKind != JsonValueKind.Null ? StringValue(name, p, maxLength) : null;

        private string? StringValue(string name, JsonElement p, int maxLength)
        {
            if (p.ValueKind != JsonValueKind.String)
            {
                Error(name, "must be a string");
                return null;
            }
            var s = p.GetString()!;
            if (s.Length == 0 || string.IsNullOrWhiteSpace(s))
            {
                Error(name, "must not be empty");
                return null;
            }
            if (s.Length > maxLength)
            {
                Error(name, $"must be at most {maxLength} characters");
                return null;
            }
            return s;
        }

        private DateTimeOffset? RequiredTime(string name)
        {
            var s = RequiredString(name, 64);
            if (s is null) return null;
            // RFC 3339 demands an explicit offset ("Z" or ±hh:mm); a local time without one is ambiguous.
            var hasOffset = s.EndsWith('Z') || s.EndsWith('z') || (s.Length > 6 && (s[^6] == '+' || s[^6] == '-') && s[^3] == ':');
            if (!hasOffset || !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
            {
                Error(name, $"'{s}' is not an RFC 3339 timestamp with offset (e.g. 2026-11-22T09:30:00+01:00)");
                return null;
            }
            return value;
        }

        private string? RequiredQueue(string name)
        {
            var q = RequiredString(name);
            if (q is not null && !queueExists(q))
            {
                Error(name, $"unknown queue '{q}'");
                return null;
            }
            return SharedId.Of(q);
        }

        private IReadOnlyList<string>? RequiredQueueList(string name)
        {
            if (!e.TryGetProperty(name, out var p) || p.ValueKind != JsonValueKind.Array)
            {
                Error(name, "is required and must be an array of queue ids");
                return null;
            }
            var list = new List<string>();
            var i = 0;
            foreach (var item in p.EnumerateArray())
            {
                var field = $"{name}[{i++}]";
                var q = StringValue(field, item, MaxIdLength);
                if (q is null) continue;
                if (!queueExists(q)) Error(field, $"unknown queue '{q}'");
                else if (!list.Contains(q)) list.Add(SharedId.Of(q)!);
            }
            return list;
        }

        private T? RequiredEnum<T>(string name) where T : struct, Enum
        {
            if (!e.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
            {
                Error(name, "is required");
                return null;
            }
            return OptionalEnum<T>(name);
        }

        private T? OptionalEnum<T>(string name) where T : struct, Enum
        {
            var s = OptionalString(name, 64);
            if (s is null) return null;
            if (s.All(char.IsLower) && Enum.TryParse<T>(s, ignoreCase: true, out var value)) return value;
            Error(name, $"'{s}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");
            return null;
        }

        private AgentState? RequiredState(string name)
        {
            var s = RequiredString(name, 64);
            if (s is null) return null;
            if (EventTypes.StatesByName.TryGetValue(s, out var state)) return state;
            Error(name, $"'{s}' is not one of {string.Join(", ", EventTypes.StatesByName.Keys)}");
            return null;
        }

        private int? RequiredScore(string name)
        {
            if (!e.TryGetProperty(name, out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var score) || score is < 1 or > 5)
            {
                Error(name, "is required and must be a whole number from 1 to 5");
                return null;
            }
            return score;
        }
    }
}

/// <summary>
/// One string instance per agent and queue id. Parsing gives every event its own copies, and agents keep
/// a link per answered contact and shards keep events, so at 20,000 events/s they were tens of megabytes
/// of the same few thousand ids. Bounded, so a source inventing ids cannot grow it without end.
/// </summary>
public static class SharedId
{
    private const int Capacity = 100_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);

    public static string? Of(string? id)
    {
        if (id is null) return null;
        if (Pool.TryGetValue(id, out var shared)) return shared;
        return Pool.Count < Capacity ? Pool.GetOrAdd(id, id) : id;
    }
}
