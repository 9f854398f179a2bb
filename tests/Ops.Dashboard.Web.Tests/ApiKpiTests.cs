using Ops.Dashboard.Testing;
using System.Text.Json.Nodes;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The metric definitions of DESIGN.md through the read API, on hand-computed cases. Every test
/// uses its own past day, so figures are read with explicit from/to and never depend on "today".
/// </summary>
[Collection(KpiHostCollection.Name)]
public sealed class ApiKpiTests(TestHost host)
{
    private OpsApi Api => host.Api;

    private void AssertThresholds(string queue, int sl, int shortAbandon)
    {
        var q = host.Options.FindQueue(queue)!;
        Assert.True(q.SlThresholdSeconds == sl && q.ShortAbandonSeconds == shortAbandon,
            $"this hand-computed case assumes {queue} has T = {sl} s and S = {shortAbandon} s in config/queues.json (it has {q.SlThresholdSeconds} s and {q.ShortAbandonSeconds} s)");
    }

    [Fact]
    public async Task The_figures_of_one_interval_match_the_hand_computed_case()
    {
        AssertThresholds("billing", sl: 20, shortAbandon: 5);
        var b = SiteTime.Local(2026, 10, 6, 9, 1);
        var c = Enumerable.Range(1, 10).Select(i => WireEvents.NewId($"c-kpi{i}-")).ToArray();
        var a = Enumerable.Range(1, 6).Select(i => WireEvents.NewId($"a-kpi{i}-")).ToArray();
        var events = new List<JsonObject>();
        // Six answered after 5, 10, 15, 20, 25 and 30 s.
        for (var i = 0; i < 6; i++)
        {
            var created = b.AddSeconds(10 * i);
            var answered = created.AddSeconds(5 * (i + 1));
            events.AddRange([WireEvents.Created(c[i], "billing", created), WireEvents.AgentState(a[i], "on_contact", answered), WireEvents.Answered(c[i], a[i], answered)]);
        }
        // c1 is handled with wrap-up: talk 60 s, wrap-up 30 s (handle 90 s, ends leaving wrap-up).
        events.AddRange([WireEvents.Resolved(c[0], b.AddSeconds(65), a[0]), WireEvents.AgentState(a[0], "wrap_up", b.AddSeconds(65)), WireEvents.AgentState(a[0], "available", b.AddSeconds(95))]);
        // c2 is handled without wrap-up: answered at +20, resolved at +140 (handle 120 s, ends at the resolution).
        events.AddRange([WireEvents.Resolved(c[1], b.AddSeconds(140), a[1]), WireEvents.AgentState(a[1], "available", b.AddSeconds(141))]);
        // c7 abandons after 3 s (short), c8 after 40 s, c9 is transferred to tech unanswered, c10 still waits.
        events.AddRange([
            WireEvents.Created(c[6], "billing", b.AddSeconds(60)), WireEvents.Abandoned(c[6], b.AddSeconds(63)),
            WireEvents.Created(c[7], "billing", b.AddSeconds(70)), WireEvents.Abandoned(c[7], b.AddSeconds(110)),
            WireEvents.Created(c[8], "billing", b.AddSeconds(80)), WireEvents.Transferred(c[8], "tech", b.AddSeconds(92), "escalation"),
            WireEvents.Created(c[9], "billing", b.AddSeconds(90)),
        ]);

        await Api.IngestAsync(events);

        var start = SiteTime.Local(2026, 10, 6, 9, 0);
        var billing = await Api.IntervalAsync("billing", start);
        Figures.AssertCounts(billing, "billing 09:00", offered: 10, answered: 6, answeredWithinThreshold: 4, abandoned: 2,
            shortAbandoned: 1, transferredOut: 1, handled: 2);
        Figures.AssertRatio(400.0 / 7, billing, "serviceLevelPercent", "billing 09:00");   // 4 / (6 + 2 − 1)
        Figures.AssertRatio(17.5, billing, "asaSeconds", "billing 09:00");                // (5+10+15+20+25+30) / 6
        Figures.AssertRatio(100.0 / 7, billing, "abandonRatePercent", "billing 09:00");   // (2 − 1) / (6 + 2 − 1)
        Figures.AssertRatio(105, billing, "ahtSeconds", "billing 09:00");                 // (90 + 120) / 2
        var tech = await Api.IntervalAsync("tech", start);
        Figures.AssertCounts(tech, "tech 09:00", offered: 1);
        var all = await Api.IntervalAsync(null, start);
        Figures.AssertCounts(all, "all queues 09:00", offered: 11, answered: 6, answeredWithinThreshold: 4, abandoned: 2,
            shortAbandoned: 1, transferredOut: 1, handled: 2);
        Figures.AssertRatio(400.0 / 7, all, "serviceLevelPercent", "all queues 09:00");
        // Nothing else in that hour.
        var hour = await Api.StatsAsync("billing", start, start.AddHours(1));
        Assert.Equal(4, hour.Count);
        foreach (var later in hour.Skip(1)) Figures.AssertCounts(later!, "billing after 09:15");
        // The contact records agree.
        Assert.Equal(20.0, (double)(await Api.RequiredContactAsync(c[3]))["segments"]![0]!["waitSeconds"]!);
        var escalated = await Api.RequiredContactAsync(c[8]);
        Assert.Equal("tech", (string?)escalated["queue"]);
        Assert.Equal("transferred_unanswered", (string?)escalated["segments"]![0]!["outcome"]);
        Assert.Equal("abandoned", (string?)(await Api.RequiredContactAsync(c[6]))["status"]);
        Assert.Equal("waiting", (string?)(await Api.RequiredContactAsync(c[9]))["status"]);
        Assert.Equal(120.0, (double?)(await Api.RequiredContactAsync(c[1]))["segments"]![0]!["handleSeconds"]);
        Assert.Equal(90.0, (double?)(await Api.RequiredContactAsync(c[0]))["segments"]![0]!["handleSeconds"]);
    }

    [Fact]
    public async Task Handle_time_ends_when_the_agent_leaves_wrap_up_or_at_the_resolution_without_wrap_up()
    {
        var t = SiteTime.Local(2026, 10, 7, 10, 1);
        string k1 = WireEvents.NewId("c-aht-"), k2 = WireEvents.NewId("c-aht-"), k3 = WireEvents.NewId("c-aht-"), k4 = WireEvents.NewId("c-aht-");
        string x1 = WireEvents.NewId("a-aht-"), x2 = WireEvents.NewId("a-aht-"), x3 = WireEvents.NewId("a-aht-"), x4 = WireEvents.NewId("a-aht-");
        var events = new List<JsonObject>();
        foreach (var (contact, agent) in new[] { (k1, x1), (k2, x2), (k3, x3), (k4, x4) })
            events.AddRange([WireEvents.Created(contact, "billing", t), WireEvents.AgentState(agent, "on_contact", t.AddSeconds(10)), WireEvents.Answered(contact, agent, t.AddSeconds(10))]);
        events.AddRange([
            // k1: resolved at the end of talk, wrap-up until +100: 90 s.
            WireEvents.Resolved(k1, t.AddSeconds(70), x1), WireEvents.AgentState(x1, "wrap_up", t.AddSeconds(70)), WireEvents.AgentState(x1, "available", t.AddSeconds(100)),
            // k2: no wrap-up reported, the agent stays on contact: ends at the resolution, 120 s.
            WireEvents.Resolved(k2, t.AddSeconds(130), x2),
            // k3: wrap-up from +60 to +75, the ticket closed much later: 65 s.
            WireEvents.AgentState(x3, "wrap_up", t.AddSeconds(60)), WireEvents.AgentState(x3, "available", t.AddSeconds(75)), WireEvents.Resolved(k3, t.AddSeconds(300), x3),
            // k4: resolved, the agent is still in wrap-up: not handled yet.
            WireEvents.Resolved(k4, t.AddSeconds(40), x4), WireEvents.AgentState(x4, "wrap_up", t.AddSeconds(40)),
        ]);

        await Api.IngestAsync(events);

        var start = SiteTime.Local(2026, 10, 7, 10, 0);
        var interval = await Api.IntervalAsync("billing", start);
        Figures.AssertCounts(interval, "before x4 leaves wrap-up", offered: 4, answered: 4, answeredWithinThreshold: 4, handled: 3);
        Figures.AssertRatio((90 + 120 + 65) / 3.0, interval, "ahtSeconds", "before x4 leaves wrap-up");
        Assert.Null((await Api.RequiredContactAsync(k4))["segments"]![0]!["handleSeconds"]);
        Assert.Equal(k4, (string?)(await Api.AgentAsync(x4))!["currentContactId"]);

        await Api.IngestAsync([WireEvents.AgentState(x4, "available", t.AddSeconds(50))]);

        interval = await Api.IntervalAsync("billing", start);
        Figures.AssertCounts(interval, "after x4 left wrap-up", offered: 4, answered: 4, answeredWithinThreshold: 4, handled: 4);
        Figures.AssertRatio((90 + 120 + 65 + 40) / 4.0, interval, "ahtSeconds", "after x4 left wrap-up");
        Assert.Null((await Api.AgentAsync(x4))!["currentContactId"]);
        // The contact records show the same handle times as the figures.
        var handle = new List<double?>();
        foreach (var k in new[] { k1, k2, k3, k4 }) handle.Add((double?)(await Api.RequiredContactAsync(k))["segments"]![0]!["handleSeconds"]);
        Assert.Equal([90.0, 120.0, 65.0, 40.0], handle);
    }

    [Fact]
    public async Task A_contact_crossing_an_interval_boundary_is_offered_in_the_first_and_answered_in_the_second()
    {
        AssertThresholds("billing", sl: 20, shortAbandon: 5);
        string answered = WireEvents.NewId("c-cross-"), abandoned = WireEvents.NewId("c-cross-");

        await Api.IngestAsync([
            WireEvents.Created(answered, "billing", SiteTime.Local(2026, 10, 8, 9, 14, 50)),
            WireEvents.Answered(answered, WireEvents.NewId("a-cross-"), SiteTime.Local(2026, 10, 8, 9, 15, 10)),
            WireEvents.Created(abandoned, "billing", SiteTime.Local(2026, 10, 8, 9, 29, 55)),
            WireEvents.Abandoned(abandoned, SiteTime.Local(2026, 10, 8, 9, 30, 30)),
        ]);

        var rows = await Api.StatsAsync("billing", SiteTime.Local(2026, 10, 8, 9, 0), SiteTime.Local(2026, 10, 8, 9, 45));
        Assert.Equal(3, rows.Count);
        Figures.AssertCounts(rows[0]!, "09:00", offered: 1);
        Figures.AssertRatio(null, rows[0]!, "serviceLevelPercent", "09:00");
        Figures.AssertCounts(rows[1]!, "09:15", offered: 1, answered: 1, answeredWithinThreshold: 1);
        Figures.AssertRatio(20, rows[1]!, "asaSeconds", "09:15");
        Figures.AssertRatio(100, rows[1]!, "serviceLevelPercent", "09:15");
        Figures.AssertCounts(rows[2]!, "09:30", abandoned: 1);
        Figures.AssertRatio(100, rows[2]!, "abandonRatePercent", "09:30");
        Figures.AssertRatio(0, rows[2]!, "serviceLevelPercent", "09:30");
    }

    [Fact]
    public async Task Hourly_and_daily_rollups_sum_the_15_minute_intervals_in_the_site_time_zone()
    {
        AssertThresholds("sales", sl: 30, shortAbandon: 5);
        var events = new List<JsonObject>();
        void Answered(DateTimeOffset at, int wait)
        {
            var id = WireEvents.NewId("c-roll-");
            events.AddRange([WireEvents.Created(id, "sales", at), WireEvents.Answered(id, WireEvents.NewId("a-roll-"), at.AddSeconds(wait))]);
        }
        void Abandoned(DateTimeOffset at, int wait)
        {
            var id = WireEvents.NewId("c-roll-");
            events.AddRange([WireEvents.Created(id, "sales", at), WireEvents.Abandoned(id, at.AddSeconds(wait))]);
        }
        // 23:50 on the 12th and 00:10 / 00:40 on the 13th local are all on the 12th in UTC.
        Answered(SiteTime.Local(2026, 10, 12, 23, 50), 10);
        Answered(SiteTime.Local(2026, 10, 13, 0, 10), 10);
        Abandoned(SiteTime.Local(2026, 10, 13, 0, 40), 30);
        Answered(SiteTime.Local(2026, 10, 13, 9, 5), 40);
        Answered(SiteTime.Local(2026, 10, 13, 9, 20), 5);
        Abandoned(SiteTime.Local(2026, 10, 13, 9, 50), 2);
        Answered(SiteTime.Local(2026, 10, 13, 9, 55), 25);

        await Api.IngestAsync(events);

        var from = SiteTime.Local(2026, 10, 12, 0, 0);
        var to = SiteTime.Local(2026, 10, 14, 0, 0);
        var quarter = await Api.StatsAsync("sales", from, to, "15m");
        var hours = await Api.StatsAsync("sales", from, to, "1h");
        var days = await Api.StatsAsync("sales", from, to, "1d");

        Assert.Equal(2 * 96, quarter.Count);
        Assert.Equal(48, hours.Count);
        Assert.Equal(2, days.Count);
        Assert.Equal(SiteTime.Local(2026, 10, 13, 0, 0).UtcDateTime, OpsApi.Instant(days[1]!["start"]).UtcDateTime);
        Figures.AssertCounts(days[0]!, "the 12th", offered: 1, answered: 1, answeredWithinThreshold: 1);
        Figures.AssertCounts(days[1]!, "the 13th", offered: 6, answered: 4, answeredWithinThreshold: 3, abandoned: 2, shortAbandoned: 1);
        Figures.AssertRatio(60, days[1]!, "serviceLevelPercent", "the 13th");            // 3 / (4 + 2 − 1)
        Figures.AssertRatio(20, days[1]!, "asaSeconds", "the 13th");                     // (10 + 40 + 5 + 25) / 4
        Figures.AssertRatio(20, days[1]!, "abandonRatePercent", "the 13th");             // 1 / 5
        Figures.AssertCounts(hours.Single(h => OpsApi.Instant(h!["start"]) == SiteTime.Local(2026, 10, 13, 9, 0))!, "09:00 on the 13th",
            offered: 4, answered: 3, answeredWithinThreshold: 2, abandoned: 1, shortAbandoned: 1);
        AssertRollup(quarter, hours, "1h");
        AssertRollup(quarter, days, "1d");
    }

    /// <summary>Each roll-up bucket holds the sum of the 15-minute intervals inside it, and its ratios follow from those sums.</summary>
    private static void AssertRollup(JsonArray quarter, JsonArray buckets, string what)
    {
        Assert.Equal(Figures.Sum(quarter, "offered"), Figures.Sum(buckets, "offered"));
        foreach (var bucket in buckets.Select(b => b!))
        {
            var (start, end) = (OpsApi.Instant(bucket["start"]), OpsApi.Instant(bucket["end"]));
            var inside = new JsonArray([.. quarter.Where(q => OpsApi.Instant(q!["start"]) >= start && OpsApi.Instant(q!["start"]) < end).Select(q => q!.DeepClone())]);
            Assert.Equal((end - start).Ticks / TimeSpan.FromMinutes(15).Ticks, inside.Count);
            var label = $"{what} bucket {start:O}";
            long S(string f) => Figures.Sum(inside, f);
            Figures.AssertCounts(bucket, label, S("offered"), S("answered"), S("answeredWithinThreshold"), S("abandoned"),
                S("shortAbandoned"), S("transferredOut"), S("handled"));
            var waited = inside.Sum(q => (Figures.Ratio(q!, "asaSeconds") ?? 0) * Figures.Count(q!, "answered"));
            var denominator = S("answered") + S("abandoned") - S("shortAbandoned");
            Figures.AssertRatio(S("answered") == 0 ? null : waited / S("answered"), bucket, "asaSeconds", label);
            Figures.AssertRatio(denominator == 0 ? null : 100.0 * S("answeredWithinThreshold") / denominator, bucket, "serviceLevelPercent", label);
            Figures.AssertRatio(denominator == 0 ? null : 100.0 * (S("abandoned") - S("shortAbandoned")) / denominator, bucket, "abandonRatePercent", label);
        }
    }

    [Fact]
    public async Task A_daily_rollup_on_the_autumn_clock_change_covers_its_25_hours()
    {
        string early = WireEvents.NewId("c-dst-"), repeatedFirst = WireEvents.NewId("c-dst-"), repeatedSecond = WireEvents.NewId("c-dst-"), late = WireEvents.NewId("c-dst-");
        // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
        await Api.IngestAsync([
            WireEvents.Created(early, "tech", DateTimeOffset.Parse("2026-10-25T00:30:00+02:00")),
            WireEvents.Created(repeatedFirst, "tech", DateTimeOffset.Parse("2026-10-25T02:30:00+02:00")),
            WireEvents.Created(repeatedSecond, "tech", DateTimeOffset.Parse("2026-10-25T02:30:00+01:00")),
            WireEvents.Created(late, "tech", DateTimeOffset.Parse("2026-10-25T23:30:00+01:00")),
        ]);

        var from = DateTimeOffset.Parse("2026-10-25T00:00:00+02:00");
        var to = DateTimeOffset.Parse("2026-10-26T00:00:00+01:00");
        var day = Assert.Single(await Api.StatsAsync("tech", from, to, "1d"))!;
        var hours = await Api.StatsAsync("tech", from, to, "1h");

        Assert.Equal(from.UtcDateTime, OpsApi.Instant(day["start"]).UtcDateTime);
        Assert.Equal(to.UtcDateTime, OpsApi.Instant(day["end"]).UtcDateTime);
        Figures.AssertCounts(day, "25 October", offered: 4);
        Assert.Equal(25, hours.Count);
        Assert.Equal(2, hours.Count(h => Figures.Count(h!, "offered") == 1 && SiteTime.ToSite(OpsApi.Instant(h!["start"])).Hour == 2));
        Assert.Equal(4, Figures.Sum(hours, "offered"));
    }

    [Fact]
    public async Task A_figure_with_a_zero_denominator_is_null()
    {
        string waiting = WireEvents.NewId("c-zero-"), shortAbandon = WireEvents.NewId("c-zero-"), talking = WireEvents.NewId("c-zero-");

        await Api.IngestAsync([
            WireEvents.Created(waiting, "chat", SiteTime.Local(2026, 10, 14, 10, 5), channel: "chat"),
            WireEvents.Created(shortAbandon, "chat", SiteTime.Local(2026, 10, 14, 10, 20), channel: "chat"),
            WireEvents.Abandoned(shortAbandon, SiteTime.Local(2026, 10, 14, 10, 20, 2)),
            WireEvents.Created(talking, "chat", SiteTime.Local(2026, 10, 14, 10, 50), channel: "chat"),
            WireEvents.Answered(talking, WireEvents.NewId("a-zero-"), SiteTime.Local(2026, 10, 14, 10, 50, 30)),
        ]);

        var rows = await Api.StatsAsync("chat", SiteTime.Local(2026, 10, 14, 10, 0), SiteTime.Local(2026, 10, 14, 11, 0));
        Assert.Equal(4, rows.Count);
        // Only a waiting contact; only a short abandon; nothing; answered but not handled.
        Figures.AssertCounts(rows[0]!, "10:00", offered: 1);
        Figures.AssertCounts(rows[1]!, "10:15", offered: 1, abandoned: 1, shortAbandoned: 1);
        Figures.AssertCounts(rows[2]!, "10:30");
        Figures.AssertCounts(rows[3]!, "10:45", offered: 1, answered: 1, answeredWithinThreshold: 1);
        foreach (var row in rows.Take(3))
            foreach (var ratio in Figures.Ratios)
                Figures.AssertRatio(null, row!, ratio, $"{row!["start"]}");
        Figures.AssertRatio(100, rows[3]!, "serviceLevelPercent", "10:45");
        Figures.AssertRatio(30, rows[3]!, "asaSeconds", "10:45");
        Figures.AssertRatio(0, rows[3]!, "abandonRatePercent", "10:45");
        Figures.AssertRatio(null, rows[3]!, "ahtSeconds", "10:45");
        // The raw JSON carries an explicit null, not a missing field or 0.
        Assert.Contains("\"serviceLevelPercent\":null", rows[2]!.ToJsonString());
    }
}
