using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>
/// Writes events in the wire form of contract v1: a JSON array, camelCase names, dotted type names,
/// lower-case enums, <c>toQueue</c> for transfers, <c>at</c> in RFC 3339 with offset. Only the fields
/// a type defines are written, and absent ones are left out rather than sent as null.
/// </summary>
public static class ContractJson
{
    public static string Serialize(IReadOnlyList<OpsEvent> events) => Encoding.UTF8.GetString(SerializeToUtf8Bytes(events));

    public static byte[] SerializeToUtf8Bytes(IReadOnlyList<OpsEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, events.Count * 160));
        // The default encoder escapes '+' (as in "+01:00") and non-ASCII names; valid, but not the readable wire form.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var e in events)
            {
                Write(writer, e);
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>RFC 3339 with the event's own offset; fractional seconds only as far as they are non-zero.</summary>
    public static string FormatTimestamp(DateTimeOffset at) =>
        at.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    private static void Write(Utf8JsonWriter w, OpsEvent e)
    {
        w.WriteStartObject();
        w.WriteString("id", e.Id);
        w.WriteString("type", e.Type.Name());
        w.WriteString("at", FormatTimestamp(e.At));
        switch (e.Type)
        {
            case EventType.ContactCreated:
                w.WriteString("contactId", e.ContactId);
                w.WriteString("queue", e.Queue);
                if (e.Channel is { } channel)
                {
                    w.WriteString("channel", channel.Name());
                }
                w.WriteString("priority", (e.Priority ?? Priority.Medium).Name());
                WriteOptional(w, "subject", e.Subject);
                break;
            case EventType.ContactAnswered:
                w.WriteString("contactId", e.ContactId);
                w.WriteString("agentId", e.AgentId);
                break;
            case EventType.ContactAbandoned:
                w.WriteString("contactId", e.ContactId);
                break;
            case EventType.ContactTransferred:
                w.WriteString("contactId", e.ContactId);
                w.WriteString("toQueue", e.Queue);
                WriteOptional(w, "reason", e.Reason);
                break;
            case EventType.ContactResolved:
                w.WriteString("contactId", e.ContactId);
                WriteOptional(w, "agentId", e.AgentId);
                break;
            case EventType.ContactCsat:
                w.WriteString("contactId", e.ContactId);
                if (e.Score is { } score)
                {
                    w.WriteNumber("score", score);
                }
                break;
            case EventType.AgentState:
                w.WriteString("agentId", e.AgentId);
                if (e.State is { } state)
                {
                    w.WriteString("state", state.Name());
                }
                WriteOptional(w, "name", e.Name);
                WriteOptional(w, "team", e.Team);
                break;
            case EventType.AgentQueues:
                w.WriteString("agentId", e.AgentId);
                w.WriteStartArray("queues");
                foreach (var q in e.Queues ?? [])
                {
                    w.WriteStringValue(q);
                }
                w.WriteEndArray();
                break;
        }
        w.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
