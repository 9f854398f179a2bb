using Ops.Dashboard.Testing;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Ops.Dashboard.Web.Tests;

/// <summary>POST /api/v1/events: contract v1's answers (202, 400, 401, 413) and what each leaves behind.</summary>
[Collection(ApiHostCollection.Name)]
public sealed class ApiIngestionTests(TestHost host)
{
    private OpsApi Api => host.Api;

    private static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, (int)problem["status"]!);
        return problem;
    }

    /// <summary>Proves an event was not stored: posting it again is accepted as new, not a duplicate.</summary>
    private async Task AssertNotStoredAsync(JsonObject ev)
    {
        var (accepted, duplicates) = await Api.IngestAsync([ev]);
        Assert.True(accepted == 1 && duplicates == 0, $"event {ev["id"]} had been stored by the refused batch (accepted {accepted}, duplicates {duplicates})");
    }

    [Fact]
    public async Task Bad_json_is_a_400_problem()
    {
        using var response = await Api.PostRawAsync("[{\"id\": \"x\", \"type\": ");

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("JSON", (string?)problem["detail"]);
    }

    [Fact]
    public async Task A_body_that_is_neither_an_array_nor_an_events_envelope_is_a_400_problem()
    {
        using var response = await Api.PostRawAsync("{\"items\": []}");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_missing_field_is_a_400_naming_index_and_field_and_nothing_of_the_batch_is_stored()
    {
        var contact = WireEvents.NewId("c-missing-");
        var at = SiteTime.Local(2026, 9, 1, 10, 0);
        var valid = WireEvents.Created(contact, "sales", at);
        var noContact = WireEvents.Answered(contact, "agent-x", at.AddSeconds(5));
        noContact.Remove("contactId");
        var before = await Api.HealthAsync();

        using var response = await Api.PostRawAsync(WireEvents.Body([valid, noContact]));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("events[1].contactId", (string?)problem["detail"]);
        var error = Assert.Single(problem["errors"]!.AsArray())!;
        Assert.Equal(1, (int)error["index"]!);
        Assert.Equal("contactId", (string?)error["field"]);
        // Nothing of the batch: the valid event 0 is neither logged nor applied.
        var after = await Api.WaitUntilAppliedAsync();
        Assert.Equal((long)before["loggedSeq"]!, (long)after["loggedSeq"]!);
        Assert.Null(await Api.ContactAsync(contact));
        await AssertNotStoredAsync(valid);
        Assert.NotNull(await Api.ContactAsync(contact));
    }

    [Fact]
    public async Task Every_bad_event_of_a_batch_is_named()
    {
        var at = SiteTime.Local(2026, 9, 1, 10, 5);
        var noAt = WireEvents.Created(WireEvents.NewId("c-"), "sales", at);
        noAt.Remove("at");
        var badChannel = WireEvents.Created(WireEvents.NewId("c-"), "sales", at, channel: "fax");
        var localTime = WireEvents.Abandoned(WireEvents.NewId("c-"), at);
        localTime["at"] = "2026-09-01T10:05:00";

        using var response = await Api.PostRawAsync(WireEvents.Body([WireEvents.Created(WireEvents.NewId("c-"), "sales", at), noAt, badChannel, localTime]));

        var detail = (string?)(await AssertProblemAsync(response, HttpStatusCode.BadRequest))["detail"];
        Assert.Contains("events[1].at", detail);
        Assert.Contains("events[2].channel", detail);
        Assert.Contains("events[3].at", detail);
        Assert.DoesNotContain("events[0]", detail);
    }

    [Fact]
    public async Task An_unknown_type_is_a_400()
    {
        var ev = WireEvents.Created(WireEvents.NewId("c-"), "sales", SiteTime.Local(2026, 9, 1, 10, 10));
        ev["type"] = "contact.teleported";

        using var response = await Api.PostRawAsync(WireEvents.Body([ev]));

        var detail = (string?)(await AssertProblemAsync(response, HttpStatusCode.BadRequest))["detail"];
        Assert.Contains("events[0].type", detail);
        Assert.Contains("contact.teleported", detail);
    }

    [Fact]
    public async Task An_unknown_queue_is_a_400_naming_it()
    {
        var at = SiteTime.Local(2026, 9, 1, 10, 15);
        var contact = WireEvents.NewId("c-");
        var created = WireEvents.Created(contact, "sales", at);
        var transfer = WireEvents.Transferred(contact, "queue-nobody-configured", at.AddSeconds(20));
        var moved = WireEvents.AgentQueues(WireEvents.NewId("agent-"), at, "billing", "no-such-queue");

        using var response = await Api.PostRawAsync(WireEvents.Body([created, WireEvents.Created(WireEvents.NewId("c-"), "nowhere", at), transfer, moved]));

        var detail = (string?)(await AssertProblemAsync(response, HttpStatusCode.BadRequest))["detail"];
        Assert.Contains("events[1].queue", detail);
        Assert.Contains("'nowhere'", detail);
        Assert.Contains("events[2].toQueue", detail);
        Assert.Contains("'queue-nobody-configured'", detail);
        Assert.Contains("events[3].queues[1]", detail);
        Assert.Contains("'no-such-queue'", detail);
        await AssertNotStoredAsync(created);
    }

    [Fact]
    public async Task A_wrong_key_is_401_and_stores_nothing()
    {
        using var client = host.CreateClient("not-the-key-" + Guid.NewGuid());
        var ev = WireEvents.Created(WireEvents.NewId("c-"), "sales", SiteTime.Local(2026, 9, 1, 10, 20));

        using var post = await client.PostAsync("/api/v1/events", new StringContent(WireEvents.Body([ev]), Encoding.UTF8, "application/json"));
        using var read = await client.GetAsync("/api/v1/queues");

        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        await AssertNotStoredAsync(ev);
    }

    [Fact]
    public async Task No_key_is_401_for_ingestion_and_reads_but_healthz_is_open()
    {
        using var client = host.CreateClient(apiKey: null);
        var ev = WireEvents.Created(WireEvents.NewId("c-"), "sales", SiteTime.Local(2026, 9, 1, 10, 25));

        using var post = await client.PostAsync("/api/v1/events", new StringContent(WireEvents.Body([ev]), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        foreach (var path in new[] { "/api/v1/queues", "/api/v1/queues/sales", "/api/v1/agents", "/api/v1/stats", "/api/v1/contacts/x", "/api/v1/shifts" })
        {
            using var read = await client.GetAsync(path);
            Assert.True(read.StatusCode == HttpStatusCode.Unauthorized, $"GET {path} without key: {(int)read.StatusCode}");
        }
        using var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await AssertNotStoredAsync(ev);
    }

    [Fact]
    public async Task More_events_than_maxBatchEvents_is_413_and_stores_nothing()
    {
        var max = host.Options.Ingestion.MaxBatchEvents;
        var at = SiteTime.Local(2026, 9, 1, 11, 0);
        var events = Enumerable.Range(0, max + 1).Select(i => WireEvents.Created(WireEvents.NewId("c-big-"), "sales", at.AddMilliseconds(i))).ToList();
        var body = WireEvents.Body(events);
        Assert.True(Encoding.UTF8.GetByteCount(body) < host.Options.Ingestion.MaxBatchBytes, "the batch must be too long, not too large");

        using var response = await Api.PostRawAsync(body);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Null(await Api.ContactAsync((string)events[0]["contactId"]!));
        await AssertNotStoredAsync(events[^1]);
    }

    [Fact]
    public async Task Exactly_maxBatchEvents_events_are_accepted()
    {
        var max = host.Options.Ingestion.MaxBatchEvents;
        var at = SiteTime.Local(2026, 9, 2, 11, 0);
        var events = Enumerable.Range(0, max).Select(i => WireEvents.Created(WireEvents.NewId("c-max-"), "sales", at.AddMilliseconds(i))).ToList();

        var (accepted, duplicates) = await Api.IngestAsync(events);

        Assert.Equal((max, 0), (accepted, duplicates));
        var interval = await Api.IntervalAsync("sales", at);
        Assert.Equal(max, Figures.Count(interval, "offered"));
    }

    [Fact]
    public async Task A_body_larger_than_maxBatchBytes_is_413_and_stores_nothing()
    {
        var limit = checked((int)host.Options.Ingestion.MaxBatchBytes);
        var ev = WireEvents.Created(WireEvents.NewId("c-huge-"), "sales", SiteTime.Local(2026, 9, 1, 11, 30));
        var json = ev.ToJsonString();
        // Valid JSON, one small event, padded with whitespace beyond the limit.
        var body = "[" + json + new string(' ', limit - json.Length) + "]";
        Assert.True(Encoding.UTF8.GetByteCount(body) > limit);

        using var response = await Api.PostRawAsync(body);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await AssertNotStoredAsync(ev);
    }

    [Fact]
    public async Task A_streamed_body_larger_than_maxBatchBytes_without_content_length_is_413()
    {
        var limit = checked((int)host.Options.Ingestion.MaxBatchBytes);
        var ev = WireEvents.Created(WireEvents.NewId("c-stream-"), "sales", SiteTime.Local(2026, 9, 1, 11, 35));
        var json = ev.ToJsonString();
        var bytes = Encoding.UTF8.GetBytes("[" + json + new string(' ', limit) + "]");
        using var content = new StreamContent(new NonSeekableStream(bytes));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await Api.Http.PostAsync("/api/v1/events", content);

        Assert.Null(content.Headers.ContentLength);
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await AssertNotStoredAsync(ev);
    }

    [Fact]
    public async Task A_repeated_batch_reports_duplicates_and_changes_no_figures()
    {
        var at = SiteTime.Local(2026, 9, 3, 14, 0);
        string c1 = WireEvents.NewId("c-dup-"), c2 = WireEvents.NewId("c-dup-"), agent = WireEvents.NewId("agent-dup-");
        var batch = new List<JsonObject>
        {
            WireEvents.Created(c1, "sales", at), WireEvents.Answered(c1, agent, at.AddSeconds(8)), WireEvents.AgentState(agent, "on_contact", at.AddSeconds(8)),
            WireEvents.Resolved(c1, at.AddSeconds(100), agent), WireEvents.AgentState(agent, "available", at.AddSeconds(100)),
            WireEvents.Created(c2, "sales", at.AddSeconds(30)), WireEvents.Abandoned(c2, at.AddSeconds(50)),
        };

        var first = await Api.IngestAsync(batch);
        var figures = (await Api.StatsAsync("sales", at.AddHours(-1), at.AddHours(1))).ToJsonString();
        var contact = (await Api.RequiredContactAsync(c1)).ToJsonString();
        var second = await Api.IngestAsync(batch);
        var third = await Api.IngestAsync([.. batch.Take(2), WireEvents.Csat(c1, 5, at.AddSeconds(200))]);

        Assert.Equal((batch.Count, 0), first);
        Assert.Equal((0, batch.Count), second);
        Assert.Equal((1, 2), third);
        Assert.Equal(figures, (await Api.StatsAsync("sales", at.AddHours(-1), at.AddHours(1))).ToJsonString());
        var interval = await Api.IntervalAsync("sales", at);
        Figures.AssertCounts(interval, "sales after duplicates", offered: 2, answered: 1, answeredWithinThreshold: 1, abandoned: 1, handled: 1);
        var after = await Api.RequiredContactAsync(c1);
        Assert.Equal(5, (int)after["csat"]!);
        after["csat"] = null;
        Assert.Equal(contact, after.ToJsonString());
    }

    [Fact]
    public async Task A_repeated_id_within_one_batch_counts_once()
    {
        var at = SiteTime.Local(2026, 9, 4, 14, 0);
        var contact = WireEvents.NewId("c-twice-");
        var created = WireEvents.Created(contact, "sales", at);

        var result = await Api.IngestAsync([created, created.DeepClone().AsObject()]);

        Assert.Equal((1, 1), result);
        Figures.AssertCounts(await Api.IntervalAsync("sales", at), "sales", offered: 1);
    }

    [Fact]
    public async Task The_events_envelope_is_accepted()
    {
        var at = SiteTime.Local(2026, 9, 5, 9, 0);
        var contact = WireEvents.NewId("c-env-");
        var body = new JsonObject
        {
            ["events"] = new JsonArray(WireEvents.Created(contact, "chat", at, channel: "chat", priority: "high"), WireEvents.Answered(contact, "agent-env", at.AddSeconds(12))),
            ["source"] = "some-acd",
        }.ToJsonString();

        var result = await Api.PostBodyAsync(body);
        await Api.WaitUntilAppliedAsync();

        Assert.Equal((2, 0), result);
        var record = await Api.RequiredContactAsync(contact);
        Assert.Equal("in_handling", (string?)record["status"]);
        Assert.Equal("high", (string?)record["priority"]);
        Assert.Equal("chat", (string?)record["channel"]);
    }

    [Fact]
    public async Task Unknown_fields_are_ignored()
    {
        var contact = WireEvents.NewId("c-extra-");
        var ev = WireEvents.Created(contact, "sales", SiteTime.Local(2026, 9, 5, 9, 30));
        ev["customerMood"] = "grumpy";
        ev["nested"] = new JsonObject { ["a"] = 1 };

        Assert.Equal((1, 0), await Api.IngestAsync([ev]));
        Assert.NotNull(await Api.ContactAsync(contact));
    }

    [Fact]
    public async Task An_empty_batch_is_accepted_with_nothing()
    {
        Assert.Equal((0, 0), await Api.PostBodyAsync("[]"));
    }

    /// <summary>A body stream that cannot tell its length, so the client sends it chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
