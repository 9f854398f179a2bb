using Ops.Dashboard.Testing;
using System.Text.Json.Nodes;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Simulator;

namespace Ops.Dashboard.Web.Tests;

/// <summary>The support handbook's three acceptance tests (DESIGN.md), driven through the API.</summary>
[Collection(AcceptanceHostCollection.Name)]
public sealed class AcceptanceTests(TestHost host)
{
    private OpsApi Api => host.Api;

    /// <summary>Sum of one count over the 15-minute intervals around <paramref name="at"/>.</summary>
    private async Task<long> CountAroundAsync(string queue, DateTimeOffset at, string field) =>
        Figures.Sum(await Api.StatsAsync(queue, at.AddMinutes(-30), at.AddMinutes(30)), field);

    [Fact]
    public async Task Handbook_1_a_contact_opened_via_messenger_creates_a_contact_record_and_its_response_time_is_logged()
    {
        var contact = WireEvents.NewId("c-messenger-");
        var agent = WireEvents.NewId("a-chat-");
        var opened = SiteTime.Now().AddMinutes(-6);
        var answeredBefore = await CountAroundAsync("chat", opened, "answered");

        await Api.IngestAsync([WireEvents.Created(contact, "chat", opened, channel: "messenger")]);

        var record = await Api.RequiredContactAsync(contact);
        Assert.Equal(contact, (string?)record["id"]);
        Assert.Equal("messenger", (string?)record["channel"]);
        Assert.Equal("chat", (string?)record["queue"]);
        Assert.Equal("waiting", (string?)record["status"]);
        Assert.Equal(opened.UtcDateTime, OpsApi.Instant(record["createdAt"]).UtcDateTime);
        Assert.Null(record["firstResponseSeconds"]);

        await Api.IngestAsync([WireEvents.AgentState(agent, "on_contact", opened.AddSeconds(95)), WireEvents.Answered(contact, agent, opened.AddSeconds(95))]);

        record = await Api.RequiredContactAsync(contact);
        Assert.Equal(95.0, (double?)record["firstResponseSeconds"]);
        Assert.Equal("in_handling", (string?)record["status"]);
        var segment = Assert.Single(record["segments"]!.AsArray())!;
        Assert.Equal(agent, (string?)segment["agentId"]);
        Assert.Equal(95.0, (double?)segment["waitSeconds"]);
        Assert.Equal(answeredBefore + 1, await CountAroundAsync("chat", opened, "answered"));
    }

    [Fact]
    public async Task Handbook_2_an_escalation_to_the_tech_queue_forwards_the_contact_and_its_status_is_correct()
    {
        var contact = WireEvents.NewId("c-escalate-");
        string firstLevel = WireEvents.NewId("a-billing-"), techAgent = WireEvents.NewId("a-tech-");
        var created = SiteTime.Now().AddMinutes(-8);
        var escalated = created.AddSeconds(200);
        var transferredOutBefore = await CountAroundAsync("billing", escalated, "transferredOut");
        var techOfferedBefore = await CountAroundAsync("tech", escalated, "offered");
        var techWaitingBefore = (int)(await Api.QueueAsync("tech"))["waiting"]!;

        await Api.IngestAsync([
            WireEvents.Created(contact, "billing", created),
            WireEvents.AgentState(firstLevel, "on_contact", created.AddSeconds(20)),
            WireEvents.Answered(contact, firstLevel, created.AddSeconds(20)),
            WireEvents.Transferred(contact, "tech", escalated, "escalation"),
            WireEvents.AgentState(firstLevel, "available", escalated),
        ]);

        var record = await Api.RequiredContactAsync(contact);
        Assert.Equal("tech", (string?)record["queue"]);
        Assert.Equal("waiting", (string?)record["status"]);
        var segments = record["segments"]!.AsArray();
        Assert.Equal(2, segments.Count);
        Assert.Equal("billing", (string?)segments[0]!["queue"]);
        Assert.Equal(escalated.UtcDateTime, OpsApi.Instant(segments[0]!["transferredAt"]).UtcDateTime);
        Assert.Equal("tech", (string?)segments[1]!["queue"]);
        Assert.Equal("waiting", (string?)segments[1]!["outcome"]);
        Assert.Equal(escalated.UtcDateTime, OpsApi.Instant(segments[1]!["enteredAt"]).UtcDateTime);
        Assert.Equal(transferredOutBefore + 1, await CountAroundAsync("billing", escalated, "transferredOut"));
        Assert.Equal(techOfferedBefore + 1, await CountAroundAsync("tech", escalated, "offered"));
        var tech = await Api.QueueAsync("tech");
        Assert.Equal(techWaitingBefore + 1, (int)tech["waiting"]!);
        Assert.NotNull(tech["longestWaitSeconds"]);

        await Api.IngestAsync([
            WireEvents.AgentState(techAgent, "on_contact", escalated.AddSeconds(45)),
            WireEvents.Answered(contact, techAgent, escalated.AddSeconds(45)),
        ]);

        record = await Api.RequiredContactAsync(contact);
        Assert.Equal("in_handling", (string?)record["status"]);
        Assert.Equal("tech", (string?)record["queue"]);
        Assert.Equal(techAgent, (string?)record["segments"]![1]!["agentId"]);
        Assert.Equal(45.0, (double?)record["segments"]![1]!["waitSeconds"]);
        Assert.Equal(techWaitingBefore, (int)(await Api.QueueAsync("tech"))["waiting"]!);
        Assert.Equal(contact, (string?)(await Api.AgentAsync(techAgent))!["currentContactId"]);

        await Api.IngestAsync([WireEvents.Resolved(contact, escalated.AddSeconds(300), techAgent)]);
        Assert.Equal("resolved", (string?)(await Api.RequiredContactAsync(contact))["status"]);
    }

    /// <summary>
    /// Driven by the simulator's routing: two agents serve sales; two calls take them both, a third
    /// call waits; when the first agent finishes, routing gives it the waiting call.
    /// </summary>
    [Fact]
    public async Task Handbook_3_a_phone_call_at_peak_time_waits_in_the_queue_and_is_routed_to_the_next_free_agent()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var options = new SimulatorOptions
        {
            Seed = Random.Shared.Next(1, 1_000_000),
            Queues = [new SimQueue { Id = "sales", Channel = Channel.Phone, DailyVolume = 0, MeanHandleSeconds = 120, MedianHandleSeconds = 120, TargetSeconds = 30 }],
            Roster =
            [
                new SimAgent { Id = $"a-{run}-1", Name = "Erste", Team = "Peak", Queues = ["sales"], Shift = SimShift.Always },
                new SimAgent { Id = $"a-{run}-2", Name = "Zweite", Team = "Peak", Queues = ["sales"], Shift = SimShift.Always },
            ],
            EscalationPercent = 0,
            CsatPercent = 0,
            WrapUpPercent = 0,
            DailyNoisePercent = 0,
            PatienceMeanSeconds = 3600,
            PatienceMedianSeconds = 3600,
            TimeZoneId = "Europe/Berlin",
        };
        var start = SiteTime.Now().AddMinutes(-10);
        var engine = new SimulationEngine(options, start);
        var events = new List<OpsEvent>();
        var baseline = await Api.QueueAsync("sales");

        events.AddRange(engine.AdvanceTo(start));                       // both agents log in
        var first = engine.EnqueueContact("sales", Channel.Phone);
        events.AddRange(engine.AdvanceTo(start.AddSeconds(10)));
        var second = engine.EnqueueContact("sales", Channel.Phone);
        events.AddRange(engine.AdvanceTo(start.AddSeconds(20)));
        var third = engine.EnqueueContact("sales", Channel.Phone);
        events.AddRange(engine.AdvanceTo(start.AddSeconds(30)));
        await Api.IngestAsync(events.Select(WireEvents.FromOpsEvent));

        // All agents serving sales are busy; the third call waits.
        var firstAgent = events.Single(e => e.Type == EventType.ContactAnswered && e.ContactId == first).AgentId!;
        var secondAgent = events.Single(e => e.Type == EventType.ContactAnswered && e.ContactId == second).AgentId!;
        Assert.NotEqual(firstAgent, secondAgent);
        Assert.DoesNotContain(events, e => e.Type == EventType.ContactAnswered && e.ContactId == third);
        var thirdCreated = events.Single(e => e.Type == EventType.ContactCreated && e.ContactId == third).At;
        var waitedAtLeast = (DateTimeOffset.UtcNow - thirdCreated).TotalSeconds;
        var sales = await Api.QueueAsync("sales");
        Assert.Equal((int)baseline["waiting"]! + 1, (int)sales["waiting"]!);
        Assert.True((double?)sales["longestWaitSeconds"] >= Math.Floor(waitedAtLeast) - 0.1,
            $"longest wait {sales["longestWaitSeconds"]} s, but the call has waited at least {waitedAtLeast:F1} s");
        Assert.Equal((int)baseline["agents"]!["onContact"]! + 2, (int)sales["agents"]!["onContact"]!);
        Assert.Equal((int)baseline["agents"]!["available"]!, (int)sales["agents"]!["available"]!);
        var waiting = await Api.RequiredContactAsync(third);
        Assert.Equal("waiting", (string?)waiting["status"]);
        Assert.Equal("sales", (string?)waiting["queue"]);
        Assert.Equal("phone", (string?)waiting["channel"]);

        // The first agent's call ends at +120 s; the second's at +130 s.
        var more = engine.AdvanceTo(start.AddSeconds(125));
        await Api.IngestAsync(more.Select(WireEvents.FromOpsEvent));

        var answer = Assert.Single(more, e => e.Type == EventType.ContactAnswered);
        Assert.Equal(third, answer.ContactId);
        var record = await Api.RequiredContactAsync(third);
        var segment = Assert.Single(record["segments"]!.AsArray())!;
        Assert.Equal("in_handling", (string?)record["status"]);
        Assert.Equal(firstAgent, (string?)segment["agentId"]);
        Assert.Equal((answer.At - thirdCreated).TotalSeconds, (double?)segment["waitSeconds"]);
        Assert.Equal(100.0, (double?)segment["waitSeconds"]);
        sales = await Api.QueueAsync("sales");
        Assert.Equal((int)baseline["waiting"]!, (int)sales["waiting"]!);
        if ((int)baseline["waiting"]! == 0) Assert.Null(sales["longestWaitSeconds"]);
        Assert.Equal(third, (string?)(await Api.AgentAsync(firstAgent))!["currentContactId"]);
        Assert.Equal("on_contact", (string?)(await Api.AgentAsync(firstAgent))!["state"]);
        Assert.Equal(second, (string?)(await Api.AgentAsync(secondAgent))!["currentContactId"]);
        Assert.Equal("resolved", (string?)(await Api.RequiredContactAsync(first))["status"]);
    }

    /// <summary>The same scenario posted by hand, as an ACD without the simulator would report it.</summary>
    [Fact]
    public async Task Handbook_3_with_events_posted_as_an_ACD_reports_them()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        string a1 = $"a-acd-{run}-1", a2 = $"a-acd-{run}-2";
        string c1 = WireEvents.NewId("c-acd-"), c2 = WireEvents.NewId("c-acd-"), c3 = WireEvents.NewId("c-acd-");
        var t = SiteTime.Now().AddMinutes(-5);
        var baseline = await Api.QueueAsync("social");

        await Api.IngestAsync([
            WireEvents.AgentQueues(a1, t, "social"), WireEvents.AgentQueues(a2, t, "social"),
            WireEvents.AgentState(a1, "on_contact", t, name: "A1"), WireEvents.AgentState(a2, "on_contact", t, name: "A2"),
            WireEvents.Created(c1, "social", t, channel: "social"), WireEvents.Answered(c1, a1, t),
            WireEvents.Created(c2, "social", t, channel: "social"), WireEvents.Answered(c2, a2, t),
            WireEvents.Created(c3, "social", t.AddSeconds(30), channel: "social"),
        ]);

        var social = await Api.QueueAsync("social");
        Assert.Equal((int)baseline["waiting"]! + 1, (int)social["waiting"]!);
        Assert.NotNull(social["longestWaitSeconds"]);
        Assert.Equal(0, (int)social["agents"]!["available"]! - (int)baseline["agents"]!["available"]!);

        await Api.IngestAsync([
            WireEvents.Resolved(c1, t.AddSeconds(90), a1), WireEvents.AgentState(a1, "available", t.AddSeconds(90)),
            WireEvents.Answered(c3, a1, t.AddSeconds(91)), WireEvents.AgentState(a1, "on_contact", t.AddSeconds(91)),
        ]);

        var record = await Api.RequiredContactAsync(c3);
        Assert.Equal(61.0, (double?)record["segments"]![0]!["waitSeconds"]);
        Assert.Equal(a1, (string?)record["segments"]![0]!["agentId"]);
        Assert.Equal((int)baseline["waiting"]!, (int)(await Api.QueueAsync("social"))["waiting"]!);
        Assert.Equal(c3, (string?)(await Api.AgentAsync(a1))!["currentContactId"]);
    }
}
