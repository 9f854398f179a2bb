using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Storage;

/// <summary>
/// The JSON form of an <see cref="OpsEvent"/> in the log's payload column: camelCase property names
/// and the contract's wire names for enums ("contact.created", "on_contact"), so payloads are easy
/// to read in the file. It is not the ingestion parser (the contract's toQueue is Queue here).
/// <see cref="OpsEvent.Seq"/> is left out: the seq column owns it.
/// </summary>
internal static class EventJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static readonly Dictionary<EventType, string> TypeNames =
        EventTypes.ByName.ToDictionary(p => p.Value, p => p.Key);

    /// <summary>The wire name of a type ("agent.state"), without the linear search of <see cref="EventTypes.Name(EventType)"/>.</summary>
    public static string TypeName(EventType type) => TypeNames[type];

    /// <summary>Writes the payload as one UTF-8 JSON value and flushes it.</summary>
    public static void Serialize(Utf8JsonWriter writer, OpsEvent e)
    {
        JsonSerializer.Serialize(writer, e, Options);
        writer.Flush();
    }

    public static OpsEvent Deserialize(string json, long seq)
    {
        var e = JsonSerializer.Deserialize<OpsEvent>(json, Options)
            ?? throw new JsonException("An event payload was the JSON literal null.");
        return e with { Seq = seq };
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OmitSeq } },
        };
        options.Converters.Add(new EventTypeConverter());
        // SnakeCaseLower gives on_contact / wrap_up, and the one-word channel and priority names unchanged.
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static void OmitSeq(JsonTypeInfo info)
    {
        if (info.Type != typeof(OpsEvent))
        {
            return;
        }

        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (info.Properties[i].Name == "seq")
            {
                info.Properties.RemoveAt(i);
            }
        }
    }

    private sealed class EventTypeConverter : JsonConverter<EventType>
    {
        public override EventType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var name = reader.GetString();
            return name is not null && EventTypes.ByName.TryGetValue(name, out var type)
                ? type
                : throw new JsonException($"Unknown event type '{name}'.");
        }

        public override void Write(Utf8JsonWriter writer, EventType value, JsonSerializerOptions options) =>
            writer.WriteStringValue(TypeName(value));
    }
}
