using Ops.Dashboard.Testing;
using System.Text;

namespace Ops.Dashboard.Domain.Tests;

public class ParserTests
{
    private static readonly HashSet<string> Queues = ["phone", "tech", "social"];

    private static ParseResult Parse(string json) => EventParser.Parse(Encoding.UTF8.GetBytes(json), Queues.Contains);

    /// <summary>A batch of one valid event followed by <paramref name="bad"/> (so the bad one is index 1).</summary>
    private static EventError OnlyError(string bad)
    {
        var result = Parse($$"""[{"id":"ok-1","type":"contact.abandoned","at":"2026-11-23T09:00:00+01:00","contactId":"c1"}, {{bad}}]""");
        Assert.False(result.Ok);
        Assert.Empty(result.Events);
        var error = Assert.Single(result.Errors);
        Assert.Equal(1, error.Index);
        return error;
    }

    private const string At = "\"at\":\"2026-11-23T09:00:00+01:00\"";

    [Theory]
    // common fields
    [InlineData("""{"type":"contact.abandoned","at":"2026-11-23T09:00:00+01:00","contactId":"c"}""", "id", "required")]
    [InlineData("""{"id":null,"type":"contact.abandoned","at":"2026-11-23T09:00:00+01:00","contactId":"c"}""", "id", "required")]
    [InlineData("""{"id":42,"type":"contact.abandoned","at":"2026-11-23T09:00:00+01:00","contactId":"c"}""", "id", "must be a string")]
    [InlineData("""{"id":"  ","type":"contact.abandoned","at":"2026-11-23T09:00:00+01:00","contactId":"c"}""", "id", "must not be empty")]
    [InlineData("""{"id":"e","at":"2026-11-23T09:00:00+01:00","contactId":"c"}""", "type", "required")]
    [InlineData("""{"id":"e","type":"contact.deleted","at":"2026-11-23T09:00:00+01:00","contactId":"c"}""", "type", "unknown type 'contact.deleted'")]
    [InlineData("""{"id":"e","type":"Contact.Abandoned","at":"2026-11-23T09:00:00+01:00","contactId":"c"}""", "type", "unknown type")]
    [InlineData("""{"id":"e","type":"contact.abandoned","contactId":"c"}""", "at", "required")]
    [InlineData("""{"id":"e","type":"contact.abandoned","at":"2026-11-23T09:00:00","contactId":"c"}""", "at", "offset")]
    [InlineData("""{"id":"e","type":"contact.abandoned","at":"2026-11-23T09:00:00.123","contactId":"c"}""", "at", "offset")]
    [InlineData("""{"id":"e","type":"contact.abandoned","at":"2026-11-23T09:00:00+0100","contactId":"c"}""", "at", "offset")]
    [InlineData("""{"id":"e","type":"contact.abandoned","at":"yesterday Z","contactId":"c"}""", "at", "offset")]
    [InlineData("""{"id":"e","type":"contact.abandoned","at":1763884800,"contactId":"c"}""", "at", "must be a string")]
    // contact.created
    [InlineData("""{"id":"e","type":"contact.created","at":"2026-11-23T09:00:00Z","queue":"phone","channel":"phone"}""", "contactId", "required")]
    [InlineData("""{"id":"e","type":"contact.created","at":"2026-11-23T09:00:00Z","contactId":"c","channel":"phone"}""", "queue", "required")]
    [InlineData("""{"id":"e","type":"contact.created","at":"2026-11-23T09:00:00Z","contactId":"c","queue":"billing","channel":"phone"}""", "queue", "unknown queue 'billing'")]
    [InlineData("""{"id":"e","type":"contact.created","at":"2026-11-23T09:00:00Z","contactId":"c","queue":"phone"}""", "channel", "required")]
    [InlineData("""{"id":"e","type":"contact.created","at":"2026-11-23T09:00:00Z","contactId":"c","queue":"phone","channel":"fax"}""", "channel", "'fax' is not one of")]
    [InlineData("""{"id":"e","type":"contact.created","at":"2026-11-23T09:00:00Z","contactId":"c","queue":"phone","channel":"Phone"}""", "channel", "is not one of")]
    [InlineData("""{"id":"e","type":"contact.created","at":"2026-11-23T09:00:00Z","contactId":"c","queue":"phone","channel":"0"}""", "channel", "is not one of")]
    [InlineData("""{"id":"e","type":"contact.created","at":"2026-11-23T09:00:00Z","contactId":"c","queue":"phone","channel":3}""", "channel", "must be a string")]
    [InlineData("""{"id":"e","type":"contact.created","at":"2026-11-23T09:00:00Z","contactId":"c","queue":"phone","channel":"phone","priority":"urgent"}""", "priority", "'urgent' is not one of")]
    // contact.answered / abandoned / transferred / resolved
    [InlineData("""{"id":"e","type":"contact.answered","at":"2026-11-23T09:00:00Z","contactId":"c"}""", "agentId", "required")]
    [InlineData("""{"id":"e","type":"contact.answered","at":"2026-11-23T09:00:00Z","agentId":"a"}""", "contactId", "required")]
    [InlineData("""{"id":"e","type":"contact.abandoned","at":"2026-11-23T09:00:00Z","contactId":""}""", "contactId", "must not be empty")]
    [InlineData("""{"id":"e","type":"contact.transferred","at":"2026-11-23T09:00:00Z","contactId":"c"}""", "toQueue", "required")]
    [InlineData("""{"id":"e","type":"contact.transferred","at":"2026-11-23T09:00:00Z","contactId":"c","toQueue":"nowhere"}""", "toQueue", "unknown queue 'nowhere'")]
    [InlineData("""{"id":"e","type":"contact.transferred","at":"2026-11-23T09:00:00Z","contactId":"c","queue":"tech"}""", "toQueue", "required")]
    [InlineData("""{"id":"e","type":"contact.resolved","at":"2026-11-23T09:00:00Z","contactId":"c","agentId":7}""", "agentId", "must be a string")]
    // contact.csat
    [InlineData("""{"id":"e","type":"contact.csat","at":"2026-11-23T09:00:00Z","contactId":"c"}""", "score", "1 to 5")]
    [InlineData("""{"id":"e","type":"contact.csat","at":"2026-11-23T09:00:00Z","contactId":"c","score":0}""", "score", "1 to 5")]
    [InlineData("""{"id":"e","type":"contact.csat","at":"2026-11-23T09:00:00Z","contactId":"c","score":6}""", "score", "1 to 5")]
    [InlineData("""{"id":"e","type":"contact.csat","at":"2026-11-23T09:00:00Z","contactId":"c","score":3.5}""", "score", "1 to 5")]
    [InlineData("""{"id":"e","type":"contact.csat","at":"2026-11-23T09:00:00Z","contactId":"c","score":"4"}""", "score", "1 to 5")]
    // agent.state
    [InlineData("""{"id":"e","type":"agent.state","at":"2026-11-23T09:00:00Z","state":"available"}""", "agentId", "required")]
    [InlineData("""{"id":"e","type":"agent.state","at":"2026-11-23T09:00:00Z","agentId":"a"}""", "state", "required")]
    [InlineData("""{"id":"e","type":"agent.state","at":"2026-11-23T09:00:00Z","agentId":"a","state":"busy"}""", "state", "'busy' is not one of")]
    [InlineData("""{"id":"e","type":"agent.state","at":"2026-11-23T09:00:00Z","agentId":"a","state":"OnContact"}""", "state", "is not one of")]
    [InlineData("""{"id":"e","type":"agent.state","at":"2026-11-23T09:00:00Z","agentId":"a","state":"available","name":""}""", "name", "must not be empty")]
    // agent.queues
    [InlineData("""{"id":"e","type":"agent.queues","at":"2026-11-23T09:00:00Z","agentId":"a"}""", "queues", "array")]
    [InlineData("""{"id":"e","type":"agent.queues","at":"2026-11-23T09:00:00Z","agentId":"a","queues":"phone"}""", "queues", "array")]
    [InlineData("""{"id":"e","type":"agent.queues","at":"2026-11-23T09:00:00Z","agentId":"a","queues":["phone","billing"]}""", "queues[1]", "unknown queue 'billing'")]
    [InlineData("""{"id":"e","type":"agent.queues","at":"2026-11-23T09:00:00Z","agentId":"a","queues":[5]}""", "queues[0]", "must be a string")]
    // not an object
    [InlineData("""["id","e"]""", "$", "JSON object")]
    [InlineData("42", "$", "JSON object")]
    public void Bad_event_is_named_by_index_and_field(string bad, string field, string messagePart)
    {
        var error = OnlyError(bad);
        Assert.Equal(field, error.Field);
        Assert.Contains(messagePart, error.Message);
    }

    [Fact]
    public void Too_long_values_are_refused_by_field()
    {
        var longId = new string('x', EventParser.MaxIdLength + 1);
        Assert.Equal("id", OnlyError($$"""{"id":"{{longId}}","type":"contact.abandoned",{{At}},"contactId":"c"}""").Field);
        var longSubject = new string('s', 501);
        var error = OnlyError($$"""{"id":"e","type":"contact.created",{{At}},"contactId":"c","queue":"phone","channel":"chat","subject":"{{longSubject}}"}""");
        Assert.Equal("subject", error.Field);
        Assert.Contains("at most 500", error.Message);
        // exactly the limit is fine
        Assert.True(Parse($$"""[{"id":"{{new string('x', EventParser.MaxIdLength)}}","type":"contact.abandoned",{{At}},"contactId":"c"}]""").Ok);
    }

    [Fact]
    public void Every_bad_event_of_a_batch_is_reported_and_nothing_is_returned()
    {
        var result = Parse("""
            [
              {"id":"a","type":"contact.abandoned","at":"2026-11-23T09:00:00Z","contactId":"c"},
              {"id":"b","type":"contact.answered","at":"2026-11-23T09:00:00Z","contactId":"c"},
              {"id":"c","type":"contact.abandoned","at":"2026-11-23T09:00:00Z","contactId":"c"},
              {"id":"d","type":"contact.created","at":"2026-11-23T09:00:00","contactId":"c","queue":"phone","channel":"phone"},
              {"id":"e","type":"contact.transferred","at":"2026-11-23T09:00:00Z","contactId":"c","toQueue":"billing"}
            ]
            """);
        Assert.False(result.Ok);
        Assert.Empty(result.Events);
        Assert.Equal(new[] { (1, "agentId"), (3, "at"), (4, "toQueue") }, result.Errors.Select(e => (e.Index, e.Field)));
    }

    [Fact]
    public void One_event_with_several_bad_fields_names_each()
    {
        var result = Parse("""[{"id":"","type":"nope","at":"2026-11-23T09:00:00"}]""");
        Assert.Equal(new[] { "at", "id", "type" }, result.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.All(result.Errors, e => Assert.Equal(0, e.Index));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[{\"id\":\"a\"")]
    [InlineData("")]
    public void Invalid_json_is_one_error_for_the_whole_body(string body)
    {
        var result = Parse(body);
        var error = Assert.Single(result.Errors);
        Assert.Equal((-1, "$"), (error.Index, error.Field));
        Assert.Contains("not valid JSON", error.Message);
    }

    [Theory]
    [InlineData("""{"id":"a","type":"contact.abandoned"}""")]
    [InlineData("""{"items":[]}""")]
    [InlineData("""{"events":{}}""")]
    [InlineData("\"events\"")]
    public void Body_that_is_not_an_array_or_an_events_object_is_refused(string body)
    {
        var error = Assert.Single(Parse(body).Errors);
        Assert.Equal((-1, "$"), (error.Index, error.Field));
    }

    [Fact]
    public void Valid_events_of_every_type_parse_with_their_fields()
    {
        var result = Parse("""
            [
              {"id":"e1","type":"contact.created","at":"2026-11-23T09:00:00+01:00","contactId":"c1","queue":"social","channel":"social","priority":"critical","subject":"Bestellung 4711"},
              {"id":"e2","type":"contact.answered","at":"2026-11-23T09:00:20+01:00","contactId":"c1","agentId":"a1"},
              {"id":"e3","type":"contact.abandoned","at":"2026-11-23T09:00:30Z","contactId":"c2"},
              {"id":"e4","type":"contact.transferred","at":"2026-11-23T09:01:00+01:00","contactId":"c1","toQueue":"tech","reason":"escalation"},
              {"id":"e5","type":"contact.resolved","at":"2026-11-23T09:05:00+01:00","contactId":"c1","agentId":"a2"},
              {"id":"e6","type":"contact.csat","at":"2026-11-23T09:30:00+01:00","contactId":"c1","score":5},
              {"id":"e7","type":"agent.state","at":"2026-11-23T08:00:00+01:00","agentId":"a1","state":"on_contact","name":"Anna Berg","team":"Team Nord"},
              {"id":"e8","type":"agent.queues","at":"2026-11-23T08:00:00+01:00","agentId":"a1","queues":["phone","tech","phone"]},
              {"id":"e9","type":"contact.created","at":"2026-11-23T09:02:00-05:00","contactId":"c3","queue":"phone","channel":"email"},
              {"id":"e10","type":"contact.resolved","at":"2026-11-23T09:05:00Z","contactId":"c3"}
            ]
            """);
        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Collection(result.Events,
            e => Assert.Equal(new OpsEvent
            {
                Id = "e1", Type = EventType.ContactCreated, At = TestEvents.T("2026-11-23T09:00:00+01:00"), ContactId = "c1",
                Queue = "social", Channel = Channel.Social, Priority = Priority.Critical, Subject = "Bestellung 4711",
            }, e),
            e => Assert.Equal(new OpsEvent { Id = "e2", Type = EventType.ContactAnswered, At = TestEvents.T("2026-11-23T08:00:20Z"), ContactId = "c1", AgentId = "a1" }, e),
            e => Assert.Equal(new OpsEvent { Id = "e3", Type = EventType.ContactAbandoned, At = TestEvents.T("2026-11-23T09:00:30Z"), ContactId = "c2" }, e),
            e => Assert.Equal(new OpsEvent
            {
                Id = "e4", Type = EventType.ContactTransferred, At = TestEvents.T("2026-11-23T09:01:00+01:00"), ContactId = "c1", Queue = "tech", Reason = "escalation",
            }, e),
            e => Assert.Equal(new OpsEvent { Id = "e5", Type = EventType.ContactResolved, At = TestEvents.T("2026-11-23T09:05:00+01:00"), ContactId = "c1", AgentId = "a2" }, e),
            e => Assert.Equal(new OpsEvent { Id = "e6", Type = EventType.ContactCsat, At = TestEvents.T("2026-11-23T09:30:00+01:00"), ContactId = "c1", Score = 5 }, e),
            e => Assert.Equal(new OpsEvent
            {
                Id = "e7", Type = EventType.AgentState, At = TestEvents.T("2026-11-23T08:00:00+01:00"), AgentId = "a1",
                State = AgentState.OnContact, Name = "Anna Berg", Team = "Team Nord",
            }, e),
            e =>
            {
                Assert.Equal((EventType.AgentQueues, "a1"), (e.Type, e.AgentId));
                Assert.Equal(new[] { "phone", "tech" }, e.Queues!); // repeated ids collapse
            },
            e =>
            {
                Assert.Equal((Channel.Email, Priority.Medium), (e.Channel, e.Priority)); // priority defaults to medium
                Assert.Equal(TimeSpan.FromHours(-5), e.At.Offset);
                Assert.Equal(TestEvents.T("2026-11-23T14:02:00Z"), e.At);
            },
            e => Assert.Equal((EventType.ContactResolved, (string?)null), (e.Type, e.AgentId)));
        Assert.All(result.Events, e => Assert.Equal(0, e.Seq));
    }

    [Fact]
    public void Every_agent_state_and_channel_wire_name_is_accepted()
    {
        var states = new[] { "offline", "available", "on_contact", "wrap_up", "break", "training" };
        var json = "[" + string.Join(",", states.Select((s, i) =>
            $$"""{"id":"s{{i}}","type":"agent.state",{{At}},"agentId":"a","state":"{{s}}"}""")) + "]";
        var parsed = Parse(json);
        Assert.True(parsed.Ok);
        Assert.Equal(
            new[] { AgentState.Offline, AgentState.Available, AgentState.OnContact, AgentState.WrapUp, AgentState.Break, AgentState.Training },
            parsed.Events.Select(e => e.State!.Value));

        var channels = new[] { "phone", "chat", "messenger", "email", "ticket", "social" };
        json = "[" + string.Join(",", channels.Select((c, i) =>
            $$"""{"id":"c{{i}}","type":"contact.created",{{At}},"contactId":"c{{i}}","queue":"phone","channel":"{{c}}"}""")) + "]";
        parsed = Parse(json);
        Assert.True(parsed.Ok);
        Assert.Equal(Enum.GetValues<Channel>(), parsed.Events.Select(e => e.Channel!.Value));
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        var result = Parse("""
            [{"id":"u1","type":"contact.answered","at":"2026-11-23T09:00:00Z","contactId":"c","agentId":"a",
              "extension":4711,"vendor":{"nested":[1,2,3]},"queue":"does-not-exist","score":99}]
            """);
        Assert.True(result.Ok, string.Join("; ", result.Errors));
        var e = Assert.Single(result.Events);
        Assert.Equal(new OpsEvent { Id = "u1", Type = EventType.ContactAnswered, At = TestEvents.T("2026-11-23T09:00:00Z"), ContactId = "c", AgentId = "a" }, e);
    }

    [Fact]
    public void Array_and_events_object_forms_give_the_same_events()
    {
        const string events = """[{"id":"f1","type":"contact.abandoned","at":"2026-11-23T09:00:00Z","contactId":"c"},{"id":"f2","type":"contact.csat","at":"2026-11-23T09:10:00Z","contactId":"c","score":3}]""";
        var array = Parse(events);
        var wrapped = Parse($$"""{"source":"acd-1","events":{{events}}}""");
        Assert.True(array.Ok);
        Assert.True(wrapped.Ok);
        Assert.Equal(2, array.Events.Count);
        Assert.Equal(array.Events, wrapped.Events);
        Assert.True(Parse("[]").Ok);
        Assert.True(Parse("""{"events":[]}""").Ok);
    }

    [Theory]
    [InlineData("2026-11-23T09:00:00Z", 0)]
    [InlineData("2026-11-23T09:00:00z", 0)]
    [InlineData("2026-11-23T09:00:00.250+01:00", 60)]
    [InlineData("2026-11-23T09:00:00-03:30", -210)]
    public void Timestamps_with_an_offset_are_accepted_and_keep_it(string at, int offsetMinutes)
    {
        var result = Parse($$"""[{"id":"t","type":"contact.abandoned","at":"{{at}}","contactId":"c"}]""");
        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), result.Events[0].At.Offset);
    }

    [Fact]
    public void Timestamp_without_offset_is_rejected_even_when_everything_else_is_valid()
    {
        var result = Parse("""[{"id":"t","type":"contact.created","at":"2026-11-23T09:00:00","contactId":"c","queue":"phone","channel":"phone"}]""");
        var error = Assert.Single(result.Errors);
        Assert.Equal((0, "at"), (error.Index, error.Field));
        Assert.Contains("'2026-11-23T09:00:00'", error.Message);
    }

    // ---- Defect (see the report) ----

    [Fact]
    public void Null_channel_on_contact_created_is_refused_like_a_missing_one()
    {
        // channel is required on contact.created; "channel": null must not slip through as "no channel"
        var error = OnlyError("""{"id":"e","type":"contact.created","at":"2026-11-23T09:00:00Z","contactId":"c","queue":"phone","channel":null}""");
        Assert.Equal("channel", error.Field);
    }

    [Fact]
    public void Agent_and_queue_ids_of_separately_parsed_events_are_one_string_each()
    {
        var first = Parse($$"""[{"id":"sh-1","type":"contact.answered",{{At}},"contactId":"c1","agentId":"ag-shared"}, {"id":"sh-2","type":"contact.created",{{At}},"contactId":"c2","queue":"tech","channel":"phone"}]""");
        var second = Parse($$"""[{"id":"sh-3","type":"agent.state",{{At}},"agentId":"ag-shared","state":"available"}, {"id":"sh-4","type":"agent.queues",{{At}},"agentId":"ag-shared","queues":["tech"]}]""");
        Assert.True(first.Ok && second.Ok);
        Assert.Equal("ag-shared", first.Events[0].AgentId);
        Assert.Same(first.Events[0].AgentId, second.Events[0].AgentId);
        Assert.Same(first.Events[0].AgentId, second.Events[1].AgentId);
        Assert.Same(first.Events[1].Queue, second.Events[1].Queues![0]);
        // Contact ids are one per contact: not pooled.
        Assert.Null(SharedId.Of(null));
    }
}
