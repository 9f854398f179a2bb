using Ops.Dashboard.Testing;
using System.Text.Json.Nodes;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// Statistics are computed on event time: any delivery order, a backfill and a replay give the same
/// figures (DESIGN.md, order independence).
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class ApiOrderTests(TestHost host)
{
    private OpsApi Api => host.Api;

    /// <summary>One scenario's events, by kind, for one queue and its own agents and contacts.</summary>
    private sealed class Scenario
    {
        public required string Queue { get; init; }
        public required Dictionary<string, string> Contacts { get; init; }
        public required Dictionary<string, string> Agents { get; init; }
        public List<JsonObject> AgentEvents { get; } = [];
        public List<JsonObject> Creations { get; } = [];
        public List<JsonObject> LaterContactEvents { get; } = [];

        public IEnumerable<JsonObject> InTimeOrder() =>
            AgentEvents.Concat(Creations).Concat(LaterContactEvents).OrderBy(e => OpsApi.Instant(e["at"]));

        /// <summary>Replaces this scenario's ids by role names so two scenarios' records compare equal.</summary>
        public string Normalise(JsonNode? node)
        {
            var text = node!.ToJsonString();
            foreach (var (role, id) in Contacts) text = text.Replace($"\"{id}\"", $"\"contact:{role}\"");
            foreach (var (role, id) in Agents) text = text.Replace($"\"{id}\"", $"\"agent:{role}\"");
            return text.Replace($"\"{Queue}\"", "\"queue\"");
        }
    }

    /// <summary>
    /// Seven contacts with every kind of outcome: answered with wrap-up, answered and resolved without
    /// wrap-up, answered and still in wrap-up, abandoned long and short, resolved without an answer
    /// (first response by resolution), still waiting; one of them crosses into the next interval.
    /// </summary>
    private static Scenario Build(string queue, DateTimeOffset t)
    {
        var s = new Scenario
        {
            Queue = queue,
            Contacts = new[] { "wrapped", "resolved", "in-wrap", "abandoned", "short", "closed", "waiting", "late" }
                .ToDictionary(r => r, r => WireEvents.NewId($"c-{r}-")),
            Agents = new[] { "p", "q", "r", "s", "m" }.ToDictionary(r => r, r => WireEvents.NewId($"a-{r}-")),
        };
        string C(string role) => s.Contacts[role];
        string A(string role) => s.Agents[role];

        s.AgentEvents.AddRange([
            WireEvents.AgentState(A("p"), "available", t.AddSeconds(-60), name: "P", team: "T"),
            WireEvents.AgentState(A("p"), "on_contact", t.AddSeconds(12)),
            WireEvents.AgentState(A("p"), "wrap_up", t.AddSeconds(150)),
            WireEvents.AgentState(A("p"), "available", t.AddSeconds(190)),
            WireEvents.AgentState(A("q"), "on_contact", t.AddSeconds(40)),
            WireEvents.AgentState(A("q"), "available", t.AddSeconds(260)),
            WireEvents.AgentState(A("r"), "on_contact", t.AddSeconds(70)),
            WireEvents.AgentState(A("r"), "wrap_up", t.AddSeconds(130)),
            WireEvents.AgentState(A("s"), "on_contact", t.AddSeconds(850)),
        ]);
        s.Creations.AddRange([
            WireEvents.Created(C("wrapped"), queue, t),
            WireEvents.Created(C("resolved"), queue, t.AddSeconds(5)),
            WireEvents.Created(C("in-wrap"), queue, t.AddSeconds(10)),
            WireEvents.Created(C("abandoned"), queue, t.AddSeconds(15)),
            WireEvents.Created(C("short"), queue, t.AddSeconds(20)),
            WireEvents.Created(C("closed"), queue, t.AddSeconds(25), channel: "ticket"),
            WireEvents.Created(C("waiting"), queue, t.AddSeconds(30)),
            WireEvents.Created(C("late"), queue, t.AddSeconds(820)),
        ]);
        s.LaterContactEvents.AddRange([
            WireEvents.Answered(C("wrapped"), A("p"), t.AddSeconds(12)),
            WireEvents.Resolved(C("wrapped"), t.AddSeconds(150), A("p")),
            WireEvents.Csat(C("wrapped"), 4, t.AddSeconds(400)),
            WireEvents.Answered(C("resolved"), A("q"), t.AddSeconds(40)),
            WireEvents.Resolved(C("resolved"), t.AddSeconds(250), A("q")),
            WireEvents.Answered(C("in-wrap"), A("r"), t.AddSeconds(70)),
            WireEvents.Resolved(C("in-wrap"), t.AddSeconds(130), A("r")),
            WireEvents.Abandoned(C("abandoned"), t.AddSeconds(75)),
            WireEvents.Abandoned(C("short"), t.AddSeconds(22)),
            WireEvents.Resolved(C("closed"), t.AddSeconds(600), A("m")),
            WireEvents.Answered(C("late"), A("s"), t.AddSeconds(850)),
        ]);
        return s;
    }

    private async Task<List<string>> SnapshotAsync(Scenario s, DateTimeOffset t)
    {
        var result = new List<string> { s.Normalise(await Api.StatsAsync(s.Queue, t.AddMinutes(-30), t.AddMinutes(60))) };
        foreach (var id in s.Contacts.Values) result.Add(s.Normalise(await Api.RequiredContactAsync(id)));
        var agents = await Api.AgentsAsync();
        foreach (var id in s.Agents.Values)
        {
            // Names are checked on their own (An_agent_name_...): here state, queues and contacts.
            var agent = agents.Single(a => (string?)a!["id"] == id)!.DeepClone().AsObject();
            agent.Remove("name");
            agent.Remove("team");
            result.Add(s.Normalise(agent));
        }
        return result;
    }

    [Fact]
    public async Task Events_out_of_order_give_the_same_figures_and_contact_records_as_in_order()
    {
        // Two queues with the same thresholds, the same scenario at the same times, own contacts and agents.
        var (inOrderQueue, shuffledQueue) = ("sales", "tech");
        var thresholds = (await Api.QueuesAsync()).Where(q => (string?)q!["id"] is "sales" or "tech")
            .Select(q => ((int)q!["slThresholdSeconds"]!, (int)q["shortAbandonSeconds"]!)).Distinct().Count();
        Assert.True(thresholds == 1, "the test needs sales and tech to have the same thresholds");
        var t = SiteTime.Local(2026, 9, 8, 10, 1);
        var inOrder = Build(inOrderQueue, t);
        var shuffled = Build(shuffledQueue, t);

        await Api.IngestAsync(inOrder.InTimeOrder());
        // Agents' wrap-up first, then the answers, abandons and resolutions (newest first), then the creations.
        await Api.IngestAsync(Enumerable.Reverse(shuffled.AgentEvents));
        await Api.IngestAsync(Enumerable.Reverse(shuffled.LaterContactEvents));
        await Api.IngestAsync(shuffled.Creations);

        var expected = await SnapshotAsync(inOrder, t);
        var actual = await SnapshotAsync(shuffled, t);
        Assert.Equal(expected, actual);
        // And the in-order figures are the right ones (so equality is not two wrong answers).
        var first = await Api.IntervalAsync(inOrderQueue, SiteTime.Local(2026, 9, 8, 10, 0));
        // 10:00: all eight enter; wrapped (12 s), resolved (35 s), in-wrap (60 s) and closed (resolved
        // unanswered after 575 s: its first response) are answered, one within 30 s; handled are wrapped,
        // resolved and closed (in-wrap is still in wrap-up). 10:15: late is answered after 30 s.
        Figures.AssertCounts(first, "in order, 10:00", offered: 8, answered: 4, answeredWithinThreshold: 1, abandoned: 2, shortAbandoned: 1, handled: 3);
        Figures.AssertCounts(await Api.IntervalAsync(inOrderQueue, SiteTime.Local(2026, 9, 8, 10, 15)), "in order, 10:15", answered: 1, answeredWithinThreshold: 1);
    }

    [Fact]
    public async Task Events_in_one_batch_in_reverse_order_give_the_same_figures_as_in_order()
    {
        var t = SiteTime.Local(2026, 9, 9, 10, 1);
        var inOrder = Build("sales", t);
        var reversed = Build("tech", t);

        await Api.IngestAsync(inOrder.InTimeOrder());
        await Api.IngestAsync(reversed.InTimeOrder().Reverse());

        Assert.Equal(await SnapshotAsync(inOrder, t), await SnapshotAsync(reversed, t));
    }

    [Fact]
    public async Task Each_event_in_its_own_batch_newest_first_gives_the_same_figures_as_in_order()
    {
        var t = SiteTime.Local(2026, 9, 10, 10, 1);
        var inOrder = Build("sales", t);
        var oneByOne = Build("tech", t);

        await Api.IngestAsync(inOrder.InTimeOrder());
        foreach (var e in oneByOne.InTimeOrder().Reverse()) await Api.IngestAsync([e]);

        Assert.Equal(await SnapshotAsync(inOrder, t), await SnapshotAsync(oneByOne, t));
    }

    /// <summary>
    /// The agent who answered a contact answers it again after a transfer (an agent serving both
    /// queues); that agent's wrap-up after the second answer is reported before the second answer.
    /// </summary>
    [Fact]
    public async Task A_second_answer_by_the_same_agent_after_its_wrap_up_arrived_gives_the_same_handle_time_as_in_order()
    {
        var t = SiteTime.Local(2026, 9, 11, 10, 1);
        List<JsonObject> Events(string contact, string agent, string from, string to) =>
        [
            WireEvents.Created(contact, from, t),
            WireEvents.AgentState(agent, "on_contact", t.AddSeconds(10)),
            WireEvents.Answered(contact, agent, t.AddSeconds(10)),
            WireEvents.Transferred(contact, to, t.AddSeconds(60), "escalation"),
            WireEvents.AgentState(agent, "wrap_up", t.AddSeconds(60)),
            WireEvents.AgentState(agent, "available", t.AddSeconds(70)),
            // second answer (index 6), its wrap-up (7, 8), the resolution (9)
            WireEvents.Answered(contact, agent, t.AddSeconds(100)),
            WireEvents.AgentState(agent, "on_contact", t.AddSeconds(100)),
            WireEvents.AgentState(agent, "wrap_up", t.AddSeconds(160)),
            WireEvents.AgentState(agent, "available", t.AddSeconds(200)),
            WireEvents.Resolved(contact, t.AddSeconds(160), agent),
        ];
        string c1 = WireEvents.NewId("c-twice-a-"), a1 = WireEvents.NewId("a-twice-a-"), c2 = WireEvents.NewId("c-twice-b-"), a2 = WireEvents.NewId("a-twice-b-");
        var inOrder = Events(c1, a1, "sales", "billing");
        var late = Events(c2, a2, "tech", "chat");

        await Api.IngestAsync(inOrder);
        await Api.IngestAsync(late.Take(6));
        await Api.IngestAsync(late.Skip(7).Take(3));
        await Api.IngestAsync([late[6], late[10]]);

        // The "to" queues' figures: the second segment's handle ends when the agent leaves wrap-up (100 s).
        var billing = await Api.IntervalAsync("billing", t.AddSeconds(-60));
        var chat = await Api.IntervalAsync("chat", t.AddSeconds(-60));
        Figures.AssertRatio(100, billing, "ahtSeconds", "in order");
        Figures.AssertRatio(100, chat, "ahtSeconds", "the second answer after the agent's wrap-up");
        var expected = await Api.RequiredContactAsync(c1);
        var actual = await Api.RequiredContactAsync(c2);
        Assert.Equal(100.0, (double?)expected["segments"]![1]!["handleSeconds"]);
        Assert.Equal(100.0, (double?)actual["segments"]![1]!["handleSeconds"]);
    }

    [Fact]
    public async Task An_agent_name_reported_with_an_earlier_event_that_arrives_late_is_kept()
    {
        var t = SiteTime.Local(2026, 9, 12, 8, 0);
        string named = WireEvents.NewId("a-named-"), renamed = WireEvents.NewId("a-renamed-");

        await Api.IngestAsync([WireEvents.AgentState(named, "available", t.AddMinutes(30)), WireEvents.AgentState(renamed, "break", t.AddMinutes(30), name: "New name", team: "New team")]);
        await Api.IngestAsync([WireEvents.AgentState(named, "available", t, name: "Nadia Neumann", team: "Team Nord"), WireEvents.AgentState(renamed, "available", t, name: "Old name", team: "Old team")]);

        var agent = await Api.AgentAsync(named) ?? throw new Xunit.Sdk.XunitException("agent not listed");
        Assert.Equal("Nadia Neumann", (string?)agent["name"]);
        Assert.Equal("Team Nord", (string?)agent["team"]);
        var other = await Api.AgentAsync(renamed) ?? throw new Xunit.Sdk.XunitException("agent not listed");
        Assert.Equal("New name", (string?)other["name"]);
        Assert.Equal("New team", (string?)other["team"]);
        Assert.Equal("break", (string?)other["state"]);
    }

    [Fact]
    public async Task A_backfill_days_ago_shows_in_the_stats_of_that_day_and_not_today()
    {
        var day = SiteTime.Today().AddDays(-4);
        var t = SiteTime.Local(day.Year, day.Month, day.Day, 11, 2);
        string a = WireEvents.NewId("c-bf-"), b = WireEvents.NewId("c-bf-"), c = WireEvents.NewId("c-bf-"), agent = WireEvents.NewId("a-bf-");
        var todayBefore = (await Api.QueueAsync("social"))["today"]!.ToJsonString();

        await Api.IngestAsync([
            WireEvents.Created(a, "social", t, channel: "social"),
            WireEvents.Answered(a, agent, t.AddHours(2)),
            WireEvents.Resolved(a, t.AddHours(2).AddMinutes(3), agent),
            WireEvents.Created(b, "social", t.AddMinutes(1), channel: "social"),
            WireEvents.Answered(b, agent, t.AddMinutes(1).AddHours(30)),
            WireEvents.Created(c, "social", t.AddMinutes(2), channel: "social"),
        ]);

        var dayStart = SiteTime.DayStart(day);
        var daily = Assert.Single(await Api.StatsAsync("social", dayStart, SiteTime.DayStart(day.AddDays(1)), "1d"))!;
        Assert.Equal(dayStart.UtcDateTime, OpsApi.Instant(daily["start"]).UtcDateTime);
        // social: SL threshold 24 h. a is answered after 2 h (within), b after 30 h on the next day.
        Figures.AssertCounts(daily, "the backfilled day", offered: 3, answered: 1, answeredWithinThreshold: 1, handled: 1);
        Figures.AssertRatio(100, daily, "serviceLevelPercent", "the backfilled day");
        Figures.AssertRatio(7200, daily, "asaSeconds", "the backfilled day");
        Figures.AssertRatio(180, daily, "ahtSeconds", "the backfilled day");
        var next = await Api.IntervalAsync("social", SiteTime.DayStart(day.AddDays(1)), "1d");
        Figures.AssertCounts(next, "the day after", answered: 1);
        Figures.AssertRatio(0, next, "serviceLevelPercent", "the day after");
        Figures.AssertCounts(await Api.IntervalAsync("social", t.AddMinutes(-2)), "the 15-minute interval", offered: 3);
        Assert.Equal(todayBefore, (await Api.QueueAsync("social"))["today"]!.ToJsonString());
        Assert.Equal("waiting", (string?)(await Api.RequiredContactAsync(c))["status"]);
    }

    [Fact]
    public async Task Recent_events_count_in_the_queue_today_figures()
    {
        for (var attempt = 0; ; attempt++)
        {
            var before = await Api.QueueAsync("billing");
            var now = SiteTime.Now();
            var created = now.AddMinutes(-2);
            var contact = WireEvents.NewId("c-today-");
            await Api.IngestAsync([WireEvents.Created(contact, "billing", created), WireEvents.Answered(contact, WireEvents.NewId("a-today-"), created.AddSeconds(7))]);
            var after = await Api.QueueAsync("billing");

            var (b, a) = (before["today"]!, after["today"]!);
            if ((string?)b["start"] != (string?)a["start"])
            {
                Assert.True(attempt == 0, "the site day changed twice during the test");
                continue; // local midnight passed between the reads; once more, on the new day
            }
            var start = OpsApi.Instant(a["start"]);
            var end = OpsApi.Instant(a["end"]);
            var counted = created >= start && created < end ? 1 : 0;
            var answeredToday = created.AddSeconds(7) >= start && created.AddSeconds(7) < end ? 1 : 0;
            Assert.Equal(Figures.Count(b, "offered") + counted, Figures.Count(a, "offered"));
            Assert.Equal(Figures.Count(b, "answered") + answeredToday, Figures.Count(a, "answered"));
            Assert.Equal(Figures.Count(b, "answeredWithinThreshold") + answeredToday, Figures.Count(a, "answeredWithinThreshold"));
            return;
        }
    }

    [Fact]
    public async Task The_queue_list_shows_every_configured_queue_with_its_settings()
    {
        var queues = await Api.QueuesAsync();

        Assert.Equal(host.Options.Queues.Select(q => q.Id), queues.Select(q => (string?)q!["id"]));
        var billing = queues.Single(q => (string?)q!["id"] == "billing")!.AsObject();
        var configured = host.Options.FindQueue("billing")!;
        Assert.Equal(configured.Name, (string?)billing["name"]);
        Assert.Equal(configured.SlThresholdSeconds, (int)billing["slThresholdSeconds"]!);
        Assert.Equal(configured.ShortAbandonSeconds, (int)billing["shortAbandonSeconds"]!);
        foreach (var field in new[] { "available", "onContact", "wrapUp", "break", "training", "offline" })
            Assert.NotNull(billing["agents"]![field]);
        foreach (var field in Figures.Counts) Assert.NotNull(billing["today"]![field]);
        var single = await Api.QueueAsync("billing");
        billing.Remove("longestWaitSeconds");
        single.Remove("longestWaitSeconds");
        Assert.Equal(billing.ToJsonString(), single.ToJsonString());
    }

    [Fact]
    public async Task Stats_without_bounds_cover_today_in_the_site_time_zone_in_15_minute_intervals()
    {
        for (var attempt = 0; ; attempt++)
        {
            var rows = (await Api.GetJsonAsync("/api/v1/stats")).AsArray();
            var today = (await Api.QueueAsync("billing"))["today"]!;
            var (start, end) = (OpsApi.Instant(today["start"]), OpsApi.Instant(today["end"]));
            if (rows.Count > 0 && OpsApi.Instant(rows[0]!["start"]) != start && attempt == 0) continue; // midnight passed between the reads

            Assert.Equal(SiteTime.DayStart(DateOnly.FromDateTime(SiteTime.ToSite(start.AddHours(12)).DateTime)).UtcDateTime, start.UtcDateTime);
            Assert.Equal((end - start).Ticks / TimeSpan.FromMinutes(15).Ticks, rows.Count);
            Assert.Equal(start.UtcDateTime, OpsApi.Instant(rows[0]!["start"]).UtcDateTime);
            Assert.Equal(end.UtcDateTime, OpsApi.Instant(rows[^1]!["end"]).UtcDateTime);
            return;
        }
    }

    [Fact]
    public async Task An_unknown_queue_is_404_in_the_queue_read_and_400_in_stats()
    {
        using var one = await Api.Http.GetAsync("/api/v1/queues/nowhere");
        using var stats = await Api.Http.GetAsync("/api/v1/stats?queue=nowhere");
        using var interval = await Api.Http.GetAsync("/api/v1/stats?interval=5m");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, one.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, stats.StatusCode);
        Assert.Contains("nowhere", await stats.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, interval.StatusCode);
    }

    [Fact]
    public async Task An_agent_named_for_the_first_time_is_created_with_its_state_and_queues()
    {
        var agent = WireEvents.NewId("a-new-");
        var t = SiteTime.Now().AddMinutes(-3);

        await Api.IngestAsync([WireEvents.AgentQueues(agent, t, "billing", "tech"), WireEvents.AgentState(agent, "break", t.AddSeconds(1), name: "Neu", team: "Team N")]);

        var record = await Api.AgentAsync(agent) ?? throw new Xunit.Sdk.XunitException("agent not listed");
        Assert.Equal("Neu", (string?)record["name"]);
        Assert.Equal("Team N", (string?)record["team"]);
        Assert.Equal("break", (string?)record["state"]);
        Assert.Equal(t.AddSeconds(1).UtcDateTime, OpsApi.Instant(record["stateSinceUtc"]).UtcDateTime);
        Assert.Equal(["billing", "tech"], record["queues"]!.AsArray().Select(q => (string?)q));
    }
}
