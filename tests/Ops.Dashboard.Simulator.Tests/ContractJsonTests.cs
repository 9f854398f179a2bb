using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

public sealed class ContractJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 16, 10, 15, 30, 250, TimeSpan.FromHours(1));

    [Fact]
    public void Every_type_is_written_with_the_contracts_wire_names()
    {
        OpsEvent[] events =
        [
            new() { Id = "e1", Type = EventType.ContactCreated, At = At, ContactId = "c1", Queue = "billing", Channel = Channel.Messenger, Priority = Priority.High },
            new() { Id = "e2", Type = EventType.ContactAnswered, At = At, ContactId = "c1", AgentId = "a1" },
            new() { Id = "e3", Type = EventType.ContactTransferred, At = At, ContactId = "c1", Queue = "tech", Reason = "escalation" },
            new() { Id = "e4", Type = EventType.ContactResolved, At = At, ContactId = "c1", AgentId = "a2" },
            new() { Id = "e5", Type = EventType.ContactCsat, At = At, ContactId = "c1", Score = 4 },
            new() { Id = "e6", Type = EventType.AgentState, At = At, AgentId = "a1", State = AgentState.OnContact, Name = "Anna Albers", Team = "Team Alpha" },
            new() { Id = "e7", Type = EventType.AgentQueues, At = At, AgentId = "a1", Queues = ["billing", "tech"] },
            new() { Id = "e8", Type = EventType.ContactAbandoned, At = At, ContactId = "c2" },
            new() { Id = "e9", Type = EventType.AgentState, At = At, AgentId = "a3", State = AgentState.WrapUp },
        ];

        var json = ContractJson.Serialize(events);

        Assert.Contains("\"type\":\"contact.created\"", json);
        Assert.Contains("\"channel\":\"messenger\"", json);
        Assert.Contains("\"priority\":\"high\"", json);
        Assert.Contains("\"toQueue\":\"tech\"", json);
        Assert.Contains("\"state\":\"on_contact\"", json);
        Assert.Contains("\"state\":\"wrap_up\"", json);
        Assert.Contains("\"queues\":[\"billing\",\"tech\"]", json);
        Assert.Contains("\"at\":\"2026-11-16T10:15:30.25+01:00\"", json);
        Assert.DoesNotContain("null", json);
        Assert.DoesNotContain("\"seq\"", json);

        using var doc = JsonDocument.Parse(json);
        var items = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(new[] { "id", "type", "at", "contactId", "toQueue", "reason" }, items[2].EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "id", "type", "at", "agentId", "state" }, items[8].EnumerateObject().Select(p => p.Name));
        Assert.Equal(4, items[4].GetProperty("score").GetInt32());
        for (var i = 0; i < events.Length; i++)
        {
            AssertSame(events[i], Parse(items[i]));
        }
    }

    [Fact]
    public void A_generated_stream_parses_back_to_the_same_events()
    {
        var events = new SimulationEngine(new SimulatorOptions { Seed = 2 }, Sim.At(0, 7)).AdvanceTo(Sim.At(0, 11));
        var rfc3339 = new Regex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$");

        using var doc = JsonDocument.Parse(ContractJson.Serialize(events));
        var parsed = doc.RootElement.EnumerateArray().ToList();

        Assert.Equal(events.Count, parsed.Count);
        Assert.Equal(
            Enum.GetValues<EventType>().OrderBy(t => t),
            events.Select(e => e.Type).Distinct().OrderBy(t => t));
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Matches(rfc3339, parsed[i].GetProperty("at").GetString()!);
            AssertSame(events[i], Parse(parsed[i]));
        }
    }

    [Fact]
    public void The_dashboards_own_contract_parser_accepts_a_generated_stream_unchanged()
    {
        var engine = new SimulationEngine(new SimulatorOptions { Seed = 2 }, Sim.At(0, 7));
        var events = engine.AdvanceTo(Sim.At(0, 11));
        var queues = engine.Queues.Select(q => q.Id).ToHashSet();

        var parsed = EventParser.Parse(ContractJson.SerializeToUtf8Bytes(events), queues.Contains);

        Assert.True(parsed.Ok, string.Join("; ", parsed.Errors.Take(5)));
        Assert.Equal(events.Count, parsed.Events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            AssertSame(events[i], parsed.Events[i]);
        }
    }

    [Fact]
    public void Timestamps_keep_their_offset_and_sub_second_precision()
    {
        Assert.Equal("2026-11-16T10:15:30+01:00", ContractJson.FormatTimestamp(new DateTimeOffset(2026, 11, 16, 10, 15, 30, TimeSpan.FromHours(1))));
        Assert.Equal("2026-07-01T00:00:00.001+02:00", ContractJson.FormatTimestamp(new DateTimeOffset(2026, 7, 1, 0, 0, 0, 1, TimeSpan.FromHours(2))));
        Assert.Equal("2026-07-01T00:00:00+00:00", ContractJson.FormatTimestamp(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    /// <summary>A reader of contract v1 written against the DESIGN.md table, independent of the writer.</summary>
    private static OpsEvent Parse(JsonElement e)
    {
        string? Str(string name) => e.TryGetProperty(name, out var p) ? p.GetString() : null;
        var type = EventTypes.ByName[Str("type")!];
        return new OpsEvent
        {
            Id = Str("id")!,
            Type = type,
            At = DateTimeOffset.Parse(Str("at")!, CultureInfo.InvariantCulture),
            ContactId = Str("contactId"),
            AgentId = Str("agentId"),
            Queue = type == EventType.ContactTransferred ? Str("toQueue") : Str("queue"),
            Channel = Str("channel") is { } c ? Enum.GetValues<Channel>().Single(x => x.Name() == c) : null,
            Priority = Str("priority") is { } p ? Enum.GetValues<Priority>().Single(x => x.Name() == p) : null,
            Reason = Str("reason"),
            Score = e.TryGetProperty("score", out var s) ? s.GetInt32() : null,
            State = Str("state") is { } st ? EventTypes.StatesByName[st] : null,
            Name = Str("name"),
            Team = Str("team"),
            Queues = e.TryGetProperty("queues", out var q) ? q.EnumerateArray().Select(x => x.GetString()!).ToArray() : null,
        };
    }

    private static void AssertSame(OpsEvent expected, OpsEvent actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.At, actual.At);
        Assert.Equal(expected.At.Offset, actual.At.Offset);
        Assert.Equal(expected.ContactId, actual.ContactId);
        Assert.Equal(expected.AgentId, actual.AgentId);
        Assert.Equal(expected.Queue, actual.Queue);
        Assert.Equal(expected.Channel, actual.Channel);
        Assert.Equal(expected.Priority, actual.Priority);
        Assert.Equal(expected.Reason, actual.Reason);
        Assert.Equal(expected.Score, actual.Score);
        Assert.Equal(expected.State, actual.State);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Team, actual.Team);
        Assert.Equal(expected.Queues, actual.Queues);
    }
}
