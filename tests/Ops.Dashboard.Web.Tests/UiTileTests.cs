using Bunit;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web.Components.Wallboard;
using static Ops.Dashboard.Web.Tests.UiData;

namespace Ops.Dashboard.Web.Tests;

public sealed class UiTileTests : UiTestBase
{
    private IRenderedComponent<TileView> RenderTile(TileDefinition tile, params QueueDto[] queues) =>
        Render<TileView>(p => p
            .Add(x => x.Tile, tile)
            .Add(x => x.Queues, queues)
            .Add(x => x.Agents, Array.Empty<AgentDto>())
            .Add(x => x.Now, Start));

    private static string Number(IRenderedComponent<TileView> cut) => cut.Find(".tile-number").TextContent;

    private static string Status(IRenderedComponent<TileView> cut) =>
        cut.Find("article.tile").ClassList.Single(c => c.StartsWith("status-", StringComparison.Ordinal));

    // SL: higher is better; amber below 80, red below 70; exactly on a limit is the better side.
    [Theory]
    [InlineData(81, "81.0", "status-green", "✔ OK")]
    [InlineData(80, "80.0", "status-green", "✔ OK")]
    [InlineData(79, "79.0", "status-amber", "▲ WARNING")]
    [InlineData(70, "70.0", "status-amber", "▲ WARNING")]
    [InlineData(69, "69.0", "status-red", "✖ ALERT")]
    public void Service_level_is_rated_higher_is_better_with_exact_boundaries(int within, string text, string status, string badge)
    {
        var cut = RenderTile(Tile(TileMetric.ServiceLevel, ["billing"], amber: 80, red: 70), Queue("billing", answered: 100, within: within));

        Assert.Equal(text, Number(cut));
        Assert.Equal(status, Status(cut));
        Assert.Equal(badge, cut.Find(".tile-badge").TextContent);
        Assert.Equal("%", cut.Find(".tile-unit").TextContent);
    }

    [Theory]
    [InlineData(0, "status-green")]
    [InlineData(2, "status-green")]
    [InlineData(3, "status-amber")]
    [InlineData(7, "status-amber")]
    [InlineData(8, "status-red")]
    [InlineData(20, "status-red")]
    public void Waiting_is_rated_lower_is_better_with_exact_boundaries(int waiting, string status)
    {
        var cut = RenderTile(Tile(TileMetric.Waiting, ["billing"], amber: 3, red: 8), Queue("billing", waiting: waiting));

        Assert.Equal(waiting.ToString(System.Globalization.CultureInfo.InvariantCulture), Number(cut));
        Assert.Equal(status, Status(cut));
    }

    [Theory]
    [InlineData(19.4, "19", "status-green")]
    [InlineData(20.0, "20", "status-amber")]
    [InlineData(39.9, "40", "status-amber")]
    [InlineData(40.0, "40", "status-red")]
    public void Asa_is_rated_lower_is_better_with_exact_boundaries(double asa, string text, string status)
    {
        var cut = RenderTile(Tile(TileMetric.Asa, ["billing"], amber: 20, red: 40), Queue("billing", answered: 10, asa: asa));

        Assert.Equal(text, Number(cut));
        Assert.Equal(status, Status(cut));
    }

    // Abandon rate counts abandons after ≥ S only: (abandoned − short) / (answered + abandoned − short).
    [Theory]
    [InlineData(96, 4, 0, "4.0", "status-green")]
    [InlineData(95, 5, 0, "5.0", "status-amber")]
    [InlineData(95, 7, 2, "5.0", "status-amber")]
    [InlineData(90, 10, 0, "10.0", "status-red")]
    public void Abandon_rate_is_rated_lower_is_better_and_leaves_out_short_abandons(
        int answered, int abandoned, int shortAbandoned, string text, string status)
    {
        var cut = RenderTile(Tile(TileMetric.AbandonRate, ["billing"], amber: 5, red: 10),
            Queue("billing", answered: answered, abandoned: abandoned, shortAbandoned: shortAbandoned));

        Assert.Equal(text, Number(cut));
        Assert.Equal(status, Status(cut));
    }

    [Theory]
    [InlineData(80, "status-green")]
    [InlineData(75, "status-amber")]
    [InlineData(70, "status-amber")]
    [InlineData(69, "status-red")]
    public void Service_level_without_thresholds_uses_the_queue_target_and_target_minus_ten(int within, string status)
    {
        var cut = RenderTile(Tile(TileMetric.ServiceLevel, ["billing"]), Queue("billing", answered: 100, within: within, slTarget: 80));

        Assert.Equal(status, Status(cut));
        Assert.Contains("amber < 80 %", cut.Find(".tile-limits").TextContent);
        Assert.Contains("red < 70 %", cut.Find(".tile-limits").TextContent);
    }

    [Fact]
    public void Service_level_shows_its_formula_variant_with_T_and_S_and_the_counts()
    {
        var cut = RenderTile(Tile(TileMetric.ServiceLevel, ["billing"], amber: 80, red: 70),
            Queue("billing", answered: 90, within: 72, abandoned: 12, shortAbandoned: 2));

        var formula = cut.Find(".tile-formula").TextContent;
        Assert.Contains("answered ≤ 20\u00A0s", formula); // T and S as numbers with unit that never break apart
        Assert.Contains("abandoned ≥ 5\u00A0s", formula);
        Assert.Contains("72 ÷ 100", formula);
        Assert.Equal("72.0", Number(cut));
    }

    [Theory]
    [InlineData(TileMetric.ServiceLevel)]
    [InlineData(TileMetric.AbandonRate)]
    [InlineData(TileMetric.Asa)]
    [InlineData(TileMetric.Aht)]
    public void A_rate_with_a_zero_denominator_shows_a_dash_and_no_colour(TileMetric metric)
    {
        // Only short abandons: answered + abandoned − short = 0; nothing answered or handled.
        var cut = RenderTile(Tile(metric, ["billing"], amber: metric == TileMetric.ServiceLevel ? 80 : 5, red: metric == TileMetric.ServiceLevel ? 70 : 10),
            Queue("billing", offered: 3, abandoned: 3, shortAbandoned: 3));

        Assert.Equal("—", Number(cut));
        Assert.Equal("status-none", Status(cut));
        Assert.Empty(cut.FindAll(".tile-badge"));
        Assert.Empty(cut.FindAll(".tile-unit"));
    }

    [Fact]
    public void A_group_of_queues_gets_its_service_level_from_summed_counters_not_averaged_percentages()
    {
        // billing: 90 within T of 100 answered, no abandons        -> 90 %
        // tech:    10 within T of 20 answered, 30 abandoned, 10 short -> 10 / 40 = 25 %
        // averaged percentages would say 57.5 %; the summed counters say (90 + 10) / (100 + 40) = 71.43 %.
        var cut = RenderTile(Tile(TileMetric.ServiceLevel, ["billing", "tech"], amber: 80, red: 70),
            Queue("billing", answered: 100, within: 90, slSeconds: 20),
            Queue("tech", answered: 20, within: 10, abandoned: 30, shortAbandoned: 10, slSeconds: 30));

        Assert.Equal("71.4", Number(cut));
        Assert.Equal("status-amber", Status(cut));
        var formula = cut.Find(".tile-formula").TextContent;
        Assert.Contains("100 ÷ 140", formula);
        Assert.Contains("20\u00A0s / 30\u00A0s", formula);
    }

    [Fact]
    public void A_group_of_queues_gets_asa_and_aht_weighted_by_their_own_denominators()
    {
        // ASA: (10 s × 100 + 40 s × 20) / 120 = 15 s (the mean of 10 and 40 would be 25).
        var asa = RenderTile(Tile(TileMetric.Asa, ["billing", "tech"]),
            Queue("billing", answered: 100, asa: 10), Queue("tech", answered: 20, asa: 40));
        Assert.Equal("15", Number(asa));

        // AHT: (200 s × 30 + 500 s × 10) / 40 = 275 s = 4:35.
        var aht = RenderTile(Tile(TileMetric.Aht, ["billing", "tech"]),
            Queue("billing", handled: 30, aht: 200), Queue("tech", handled: 10, aht: 500));
        Assert.Equal("4:35", Number(aht));
    }

    [Fact]
    public void Waiting_offered_and_answered_are_sums_over_the_tiles_queues()
    {
        QueueDto[] queues = [Queue("billing", waiting: 3, offered: 120, answered: 100), Queue("tech", waiting: 4, offered: 1000, answered: 990)];

        Assert.Equal("7", Number(RenderTile(Tile(TileMetric.Waiting, ["billing", "tech"]), queues)));
        Assert.Equal("1,120", Number(RenderTile(Tile(TileMetric.Offered, ["billing", "tech"]), queues)));
        Assert.Equal("1,090", Number(RenderTile(Tile(TileMetric.Answered, ["billing", "tech"]), queues)));
    }

    [Fact]
    public void Longest_wait_is_the_oldest_waiting_contact_of_the_tiles_queues_and_ticks_in_the_browser_from_it()
    {
        var cut = RenderTile(Tile(TileMetric.LongestWait, ["billing", "tech"], amber: 20, red: 60),
            Queue("billing", waiting: 1, oldestWaitingSince: Start.AddSeconds(-30)),
            Queue("tech", waiting: 2, oldestWaitingSince: Start.AddSeconds(-75)));

        var number = cut.Find(".tile-number");
        Assert.Equal("1:15", number.TextContent);
        Assert.Equal("75.0", number.GetAttribute("data-tick-seconds"));
        Assert.Equal("status-red", Status(cut));
    }

    [Fact]
    public void Longest_wait_with_nobody_waiting_is_zero_and_does_not_tick()
    {
        var cut = RenderTile(Tile(TileMetric.LongestWait, ["billing"], amber: 20, red: 60), Queue("billing"));

        Assert.Equal("0:00", Number(cut));
        Assert.Null(cut.Find(".tile-number").GetAttribute("data-tick-seconds"));
        Assert.Equal("status-green", Status(cut));
    }

    [Fact]
    public void Agents_are_counted_by_state_once_each_over_the_tiles_queues()
    {
        AgentDto[] agents =
        [
            Agent("a1", "available", "billing", "tech"), // serves both queues: counted once
            Agent("a2", "on_contact", "billing"),
            Agent("a3", "wrap_up", "tech"),
            Agent("a4", "break", "sales"),               // not one of the tile's queues
            Agent("a5", "break", "billing"),
            Agent("a6", "offline", "tech"),              // not shown
            Agent("a7", "on_contact", "tech", "sales"),
        ];
        var cut = Render<TileView>(p => p
            .Add(x => x.Tile, Tile(TileMetric.Agents, ["billing", "tech"]))
            .Add(x => x.Queues, [Queue("billing"), Queue("tech")])
            .Add(x => x.Agents, agents)
            .Add(x => x.Now, Start));

        Assert.Equal("1", cut.Find(".agent-available .agent-n").TextContent);
        Assert.Equal("2", cut.Find(".agent-oncontact .agent-n").TextContent);
        Assert.Equal("1", cut.Find(".agent-wrapup .agent-n").TextContent);
        Assert.Equal("1", cut.Find(".agent-break .agent-n").TextContent);
        Assert.Equal("available", cut.Find(".agent-available .agent-s").TextContent);
    }

    [Fact]
    public void A_queue_without_figures_yet_shows_a_dash_not_a_zero()
    {
        var cut = RenderTile(Tile(TileMetric.Waiting, ["billing", "tech"], amber: 3, red: 8), Queue("billing", waiting: 2));

        Assert.Equal("—", Number(cut));
        Assert.Equal("status-nodata", Status(cut));
    }

    [Fact]
    public void Tile_shows_its_label_span_and_limits()
    {
        var cut = RenderTile(Tile(TileMetric.Waiting, ["billing"], amber: 3, red: 8, label: "Billing waiting", span: 2), Queue("billing", waiting: 1));

        Assert.Equal("Billing waiting", cut.Find(".tile-label").TextContent);
        Assert.Contains("grid-column: span 2", cut.Find("article.tile").GetAttribute("style"));
        Assert.Equal("amber ≥ 3 · red ≥ 8", cut.Find(".tile-limits").TextContent);
    }
}
