using Ops.Dashboard.Testing;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// <c>/hubs/wallboard</c> as a screen or tool uses it: keys, subscriptions and their snapshots, live
/// updates with the posted figures, heartbeats and reconnects. Each test owns the queue whose figures
/// it asserts (tickets, chat, tech, sales), so earlier tests' updates cannot shift its baseline.
/// </summary>
[Collection(HubHostCollection.Name)]
public sealed class HubTests(TestHost host)
{
    private OpsApi Api => host.Api;

    [Fact]
    public async Task A_connection_without_a_valid_api_key_is_refused()
    {
        await using var none = HubClient.Create(host, apiKey: null);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => none.Connection.StartAsync().WaitAsync(HubClient.Timeout));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        await using var wrong = HubClient.Create(host, apiKey: "not-a-key-0123456789");
        refused = await Assert.ThrowsAsync<HttpRequestException>(() => wrong.Connection.StartAsync().WaitAsync(HubClient.Timeout));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_browser_can_present_the_key_as_access_token_in_the_query_string()
    {
        await using var client = HubClient.Create(host, apiKey: null, query: "access_token=" + Uri.EscapeDataString(host.ApiKey));
        await client.Connection.StartAsync().WaitAsync(HubClient.Timeout);

        var snapshot = await client.SubscribeAsync("SubscribeQueue", "social");

        Assert.Equal(["social"], snapshot.Queues().Ids());
    }

    [Fact]
    public async Task SubscribeQueue_answers_at_once_with_a_snapshot_of_that_queue_and_its_agents_only()
    {
        const string queue = "tickets";
        var at = SiteTime.Now().AddSeconds(-30);
        var ticketAgent = WireEvents.NewId("a-tickets-");
        var otherAgent = WireEvents.NewId("a-billing-");
        await Api.IngestAsync(
        [
            WireEvents.AgentQueues(ticketAgent, at, queue), WireEvents.AgentState(ticketAgent, "available", at, name: "Tina Tickets"),
            WireEvents.AgentQueues(otherAgent, at, "billing"), WireEvents.AgentState(otherAgent, "available", at),
            WireEvents.Created(WireEvents.NewId("c-t-"), queue, at, channel: "ticket"),
            WireEvents.Created(WireEvents.NewId("c-t-"), queue, at.AddSeconds(1), channel: "ticket"),
            WireEvents.Created(WireEvents.NewId("c-t-"), queue, at.AddSeconds(2), channel: "ticket"),
        ]);
        var expected = await Api.QueueAsync(queue);
        // The snapshot is served from the node's live feed, which follows the grains within a flush (200 ms).
        await WaitForFeedAsync(queue, q => q.Waiting == (int)expected["waiting"]! && q.Today.Offered == (long)expected["today"]!["offered"]!);

        await using var client = await HubClient.ConnectAsync(host);
        var snapshot = await client.SubscribeAsync("SubscribeQueue", queue);

        var only = Assert.Single(snapshot.Queues());
        Assert.Equal(queue, only.Id());
        Assert.True((int)expected["waiting"]! >= 3 && (long)expected["today"]!["offered"]! >= 3, expected.ToJsonString());
        Assert.Equal((int)expected["waiting"]!, only.Waiting());
        Assert.Equal((long)expected["today"]!["offered"]!, only.Offered());
        Assert.Equal((int)expected["agents"]!["available"]!, only.GetProperty("agents").GetProperty("available").GetInt32());
        var agents = snapshot.Agents();
        Assert.Contains(ticketAgent, agents.Ids());
        Assert.DoesNotContain(otherAgent, agents.Ids());
        Assert.All(agents, a => Assert.Contains(queue, a.GetProperty("queues").EnumerateArray().Select(q => q.GetString())));
        Assert.True(snapshot.GetProperty("appliedSeq").GetInt64() > 0, snapshot.GetRawText());
        Assert.True(snapshot.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UnixEpoch, snapshot.GetRawText());
    }

    [Fact]
    public async Task Posted_events_arrive_as_QueueUpdated_with_offered_and_waiting_exactly_as_posted()
    {
        const string queue = "chat";
        await using var client = await HubClient.ConnectAsync(host);
        var before = Assert.Single((await client.SubscribeAsync("SubscribeQueue", queue)).Queues());
        var mark = client.Count;

        var at = SiteTime.Now().AddSeconds(-20);
        var contacts = Enumerable.Range(0, 4).Select(_ => WireEvents.NewId("c-chat-")).ToList();
        var agent = WireEvents.NewId("a-chat-");
        await Api.PostAsync(
        [
            // Another queue in the same batch: this client must not hear of it.
            WireEvents.Created(WireEvents.NewId("c-soc-"), "social", at, channel: "social"),
            WireEvents.Created(contacts[0], queue, at, channel: "messenger"),
            WireEvents.Created(contacts[1], queue, at.AddSeconds(1), channel: "messenger"),
            WireEvents.Created(contacts[2], queue, at.AddSeconds(2), channel: "messenger"),
            WireEvents.Created(contacts[3], queue, at.AddSeconds(3), channel: "messenger"),
            WireEvents.AgentState(agent, "on_contact", at.AddSeconds(5)),
            WireEvents.Answered(contacts[0], agent, at.AddSeconds(5)),
        ]);

        var update = await client.WaitForQueueAsync(queue, q => q.Offered() >= before.Offered() + 4, mark);

        Assert.Equal(before.Offered() + 4, update.Offered());
        Assert.Equal(before.Waiting() + 3, update.Waiting());
        // The oldest waiting contact is now the second one: screens tick the longest wait from it.
        if (before.Waiting() == 0)
            Assert.Equal(at.AddSeconds(1).UtcDateTime, update.GetProperty("oldestWaitingSince").GetDateTimeOffset().UtcDateTime);
        Assert.True(update.GetProperty("longestWaitSeconds").GetDouble() >= 15, update.GetRawText());
        Assert.All(client.All("QueueUpdated", mark), q => Assert.Equal(queue, q.Id()));

        // The read API's queue shape, plus oldestWaitingSince.
        var rest = (await Api.QueueAsync(queue)).Select(p => p.Key).ToHashSet();
        var wire = update.Keys().ToHashSet();
        Assert.True(wire.IsSupersetOf(rest), $"QueueUpdated lacks {string.Join(", ", rest.Except(wire))}");
        Assert.Contains("oldestWaitingSince", wire);
        Assert.Equal((long)(await Api.QueueAsync(queue))["today"]!["offered"]!, update.Offered());
    }

    [Fact]
    public async Task SubscribeBoard_gets_the_board_queues_only()
    {
        await using var client = await HubClient.ConnectAsync(host);
        var snapshot = await client.SubscribeAsync("SubscribeBoard", "tech-compact");
        Assert.Equal(["tech"], snapshot.Queues().Ids());
        var before = snapshot.Queues()[0];
        var mark = client.Count;

        var at = SiteTime.Now().AddSeconds(-10);
        await Api.PostAsync(
        [
            WireEvents.Created(WireEvents.NewId("c-bill-"), "billing", at),
            WireEvents.Created(WireEvents.NewId("c-tech-"), "tech", at),
            WireEvents.Created(WireEvents.NewId("c-tech-"), "tech", at.AddSeconds(1)),
        ]);

        var update = await client.WaitForQueueAsync("tech", q => q.Offered() >= before.Offered() + 2, mark);
        Assert.Equal(before.Waiting() + 2, update.Waiting());
        Assert.All(client.All("QueueUpdated", mark), q => Assert.Equal("tech", q.Id()));

        await using var billing = await HubClient.ConnectAsync(host);
        Assert.Equal(["billing"], (await billing.SubscribeAsync("SubscribeBoard", "team-billing")).Queues().Ids());
        await using var floor = await HubClient.ConnectAsync(host);
        Assert.Equal(["billing", "chat", "sales", "social", "tech", "tickets"], (await floor.SubscribeAsync("SubscribeBoard", "floor")).Queues().Ids());
    }

    [Fact]
    public async Task An_agent_state_change_reaches_the_subscribers_of_the_agents_queues_only()
    {
        var at = SiteTime.Now().AddSeconds(-8);
        var social = WireEvents.NewId("a-social-");
        var billing = WireEvents.NewId("a-billing-");
        await Api.IngestAsync([WireEvents.AgentQueues(social, at, "social"), WireEvents.AgentQueues(billing, at, "billing")]);
        await using var client = await HubClient.ConnectAsync(host);
        await client.SubscribeAsync("SubscribeQueue", "social");
        var mark = client.Count;

        await Api.PostAsync([WireEvents.AgentState(billing, "break", at.AddSeconds(1)), WireEvents.AgentState(social, "available", at.AddSeconds(1), name: "Sam Social")]);

        var update = await client.WaitAsync("AgentStatesUpdated", agents => agents.EnumerateArray().Any(a => a.Id() == social), mark);
        var agent = update.EnumerateArray().Single(a => a.Id() == social);
        Assert.Equal("available", agent.GetProperty("state").GetString());
        Assert.Equal("Sam Social", agent.GetProperty("name").GetString());
        Assert.All(client.All("AgentStatesUpdated", mark).SelectMany(u => u.EnumerateArray()),
            a => Assert.Contains("social", a.GetProperty("queues").EnumerateArray().Select(q => q.GetString())));
        // The queue's agent counts move with it.
        await client.WaitForQueueAsync("social", q => q.GetProperty("agents").GetProperty("available").GetInt32() >= 1, mark);
    }

    [Fact]
    public async Task An_agent_moved_off_a_queue_is_reported_to_that_queue_s_subscribers_so_their_agent_list_drops_them()
    {
        var at = SiteTime.Now().AddSeconds(-8);
        var mover = WireEvents.NewId("a-mover-");
        await Api.IngestAsync([WireEvents.AgentQueues(mover, at, "tickets"), WireEvents.AgentState(mover, "available", at)]);
        await WaitForFeedAgentAsync(mover);
        await using var client = await HubClient.ConnectAsync(host);
        var snapshot = await client.SubscribeAsync("SubscribeQueue", "tickets");
        Assert.Contains(mover, snapshot.Agents().Ids());
        var available = snapshot.Queues()[0].GetProperty("agents").GetProperty("available").GetInt32();
        var mark = client.Count;

        // The shift lead moves the agent from tickets to social.
        await Api.PostAsync([WireEvents.AgentQueues(mover, at.AddSeconds(2), "social")]);

        // The queue's counts follow at once ...
        await client.WaitForQueueAsync("tickets", q => q.GetProperty("agents").GetProperty("available").GetInt32() == available - 1, mark);
        // ... but a screen that lists the agents of tickets must also learn that this one left.
        try
        {
            await client.WaitAsync("AgentStatesUpdated", agents => agents.EnumerateArray().Any(a => a.Id() == mover), mark, TimeSpan.FromSeconds(3));
        }
        catch (Xunit.Sdk.XunitException)
        {
            Assert.Fail($"agent {mover} moved from tickets to social, but the SubscribeQueue(\"tickets\") client got no AgentStatesUpdated for them " +
                $"and keeps listing them under tickets; received:\n{client.Describe(mark)}");
        }
    }

    [Fact]
    public async Task SubscribeAll_gets_every_queue_and_every_agent_including_one_that_serves_no_queue_yet()
    {
        var at = SiteTime.Now().AddSeconds(-5);
        var newcomer = WireEvents.NewId("a-new-");
        await using var client = await HubClient.ConnectAsync(host);
        await client.SubscribeAsync("SubscribeAll");
        var mark = client.Count;

        // An agent logs in before the ACD has reported the queues they serve: the read API lists them.
        await Api.IngestAsync([WireEvents.AgentState(newcomer, "available", at, name: "Nina Newcomer")]);
        Assert.NotNull(await Api.AgentAsync(newcomer));
        await WaitForFeedAgentAsync(newcomer);

        await using var later = await HubClient.ConnectAsync(host);
        var snapshot = await later.SubscribeAsync("SubscribeAll");
        Assert.Equal(["billing", "chat", "sales", "social", "tech", "tickets"], snapshot.Queues().Ids());
        var problems = new List<string>();
        if (!snapshot.Agents().Ids().Contains(newcomer))
            problems.Add($"its Snapshot lacks {newcomer}, an agent with no queues that GET /api/v1/agents lists");
        // The feed has applied the change, so the push to subscribers has been made (or never will be).
        if (!client.All("AgentStatesUpdated", mark).Any(agents => agents.EnumerateArray().Any(a => a.Id() == newcomer)))
        {
            try
            {
                await client.WaitAsync("AgentStatesUpdated", agents => agents.EnumerateArray().Any(a => a.Id() == newcomer), mark, TimeSpan.FromSeconds(3));
            }
            catch (Xunit.Sdk.XunitException)
            {
                problems.Add($"no AgentStatesUpdated with {newcomer} reached the SubscribeAll client");
            }
        }
        Assert.True(problems.Count == 0, "SubscribeAll promises every queue and agent, but " + string.Join("; and ", problems));
    }

    [Theory]
    [InlineData("SubscribeQueue", "no-such-queue")]
    [InlineData("SubscribeBoard", "no-such-board")]
    [InlineData("SubscribeBoard", "../config/site")]
    public async Task An_unknown_queue_or_board_is_a_HubException_naming_it_and_the_connection_stays_usable(string method, string name)
    {
        await using var client = await HubClient.ConnectAsync(host);

        var error = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeCoreAsync(method, new object?[] { name }).WaitAsync(HubClient.Timeout));

        Assert.Contains(name, error.Message);
        Assert.Empty(client.All("Snapshot"));
        Assert.Equal(["billing"], (await client.SubscribeAsync("SubscribeQueue", "billing")).Queues().Ids());
    }

    [Fact]
    public async Task Heartbeats_arrive_every_few_seconds_without_any_traffic_or_subscription()
    {
        await using var client = await HubClient.ConnectAsync(host);
        var watch = Stopwatch.StartNew();

        var first = await client.WaitAsync("Heartbeat", _ => true, timeout: TimeSpan.FromSeconds(10));
        var firstAt = watch.Elapsed;
        var mark = client.Count;
        var second = await client.WaitAsync("Heartbeat", _ => true, mark, TimeSpan.FromSeconds(10));
        var gap = watch.Elapsed - firstAt;

        // "10 s without any message means the feed is broken": two beats well inside that, and not more than one a second.
        Assert.True(firstAt < TimeSpan.FromSeconds(6), $"first heartbeat after {firstAt}");
        Assert.True(gap < TimeSpan.FromSeconds(6), $"heartbeats {gap} apart");
        var t1 = first.GetProperty("at").GetDateTimeOffset();
        var t2 = second.GetProperty("at").GetDateTimeOffset();
        Assert.True(t2 - t1 >= TimeSpan.FromSeconds(0.99), $"two heartbeats {t2 - t1} apart: {first.GetRawText()} {second.GetRawText()}");
        Assert.True(second.GetProperty("appliedSeq").GetInt64() >= first.GetProperty("appliedSeq").GetInt64());
    }

    [Fact]
    public async Task After_a_reconnect_the_new_snapshot_already_has_what_was_posted_meanwhile()
    {
        const string queue = "sales";
        await using var screen = await HubClient.ConnectAsync(host);
        var before = Assert.Single((await screen.SubscribeAsync("SubscribeQueue", queue)).Queues());
        // A second screen stays connected and tells when the node's feed has the new figures.
        await using var watcher = await HubClient.ConnectAsync(host);
        await watcher.SubscribeAsync("SubscribeQueue", queue);
        var mark = watcher.Count;

        await screen.Connection.StopAsync().WaitAsync(HubClient.Timeout);
        var at = SiteTime.Now().AddSeconds(-15);
        await Api.PostAsync([.. Enumerable.Range(0, 5).Select(i => WireEvents.Created(WireEvents.NewId("c-sales-"), queue, at.AddSeconds(i)))]);
        await watcher.WaitForQueueAsync(queue, q => q.Offered() >= before.Offered() + 5, mark);

        // The same connection object started again (a new connection id: groups are gone, so it subscribes again) ...
        await screen.Connection.StartAsync().WaitAsync(HubClient.Timeout);
        var again = Assert.Single((await screen.SubscribeAsync("SubscribeQueue", queue)).Queues());
        Assert.Equal(before.Offered() + 5, again.Offered());
        Assert.Equal(before.Waiting() + 5, again.Waiting());

        // ... and a brand-new connection see the same.
        await using var fresh = await HubClient.ConnectAsync(host);
        var first = Assert.Single((await fresh.SubscribeAsync("SubscribeQueue", queue)).Queues());
        Assert.Equal(before.Offered() + 5, first.Offered());
        Assert.Equal(before.Waiting() + 5, first.Waiting());

        // And the reconnected screen gets live updates again.
        var mark2 = screen.Count;
        await Api.PostAsync([WireEvents.Created(WireEvents.NewId("c-sales-"), queue, at.AddSeconds(9))]);
        var live = await screen.WaitForQueueAsync(queue, q => q.Offered() >= before.Offered() + 6, mark2);
        Assert.Equal(before.Waiting() + 6, live.Waiting());
    }

    private async Task WaitForFeedAgentAsync(string agent)
    {
        var feed = host.Service<LiveFeed>();
        var watch = Stopwatch.StartNew();
        while (!feed.Agents.Any(a => a.Id == agent))
        {
            if (watch.Elapsed > HubClient.Timeout) Assert.Fail($"the live feed never got agent {agent}");
            await Task.Delay(20);
        }
    }

    /// <summary>Polls this node's <see cref="LiveFeed"/> (in-process) until the queue matches.</summary>
    private async Task WaitForFeedAsync(string queue, Func<QueueDto, bool> match)
    {
        var feed = host.Service<LiveFeed>();
        var watch = Stopwatch.StartNew();
        while (feed.Queue(queue) is not { } q || !match(q))
        {
            if (watch.Elapsed > HubClient.Timeout)
                Assert.Fail($"the live feed did not reach the expected figures of {queue}: {JsonSerializer.Serialize(feed.Queue(queue))}");
            await Task.Delay(20);
        }
    }
}
