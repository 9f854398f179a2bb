using Bunit;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web.Components.Layout;
using Ops.Dashboard.Web.Components.Wallboard;
using static Ops.Dashboard.Web.Tests.UiData;

namespace Ops.Dashboard.Web.Tests;

public sealed class UiFreshnessTests : UiTestBase
{
    private static BoardDefinition Board() => new()
    {
        Title = "Fresh",
        Pages = [new BoardPage { Columns = 2, Tiles = [Tile(TileMetric.Waiting, ["billing"], amber: 3, red: 8)] }],
    };

    private IRenderedComponent<BoardView> Open() =>
        Render<BoardView>(p => p.Add(x => x.Name, "fresh").Add(x => x.Definition, Board()));

    private static bool GridIsGrey(IRenderedComponent<BoardView> cut) => cut.Find(".board-grid").ClassList.Contains("stale");

    [Fact]
    public async Task Board_is_live_while_updates_arrive_within_ten_seconds()
    {
        await PushAsync([Live("billing", waiting: 2)]);
        var cut = Open();

        Time.Advance(TimeSpan.FromSeconds(10)); // exactly 10 s of silence is still fresh

        Assert.Equal("● LIVE", cut.Find(".live-text").TextContent);
        Assert.Empty(cut.FindAll(".stale-banner"));
        Assert.False(GridIsGrey(cut));
    }

    [Fact]
    public async Task Ten_seconds_without_an_update_shows_the_stale_banner_and_greys_the_figures_until_an_update_arrives()
    {
        await PushAsync([Live("billing", waiting: 2)]); // 09:00:00 UTC = 10:00:00 in Berlin
        var cut = Open();

        Time.Advance(TimeSpan.FromSeconds(11));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("⚠ DATA STALE — last update 10:00:00 · the figures below are not current", cut.Find(".stale-banner").TextContent);
            Assert.Equal("⚠ DATA STALE — last update 10:00:00", cut.Find(".stale-text").TextContent);
            Assert.True(GridIsGrey(cut));
            Assert.Empty(cut.FindAll(".live-text"));
        });
        // The figures stay for orientation, greyed.
        Assert.Equal("2", cut.Find(".tile-number").TextContent);

        await HeartbeatAsync();
        Time.Advance(BoardView.RenderInterval); // renders are throttled: the last one was just now

        cut.WaitForAssertion(() =>
        {
            Assert.Empty(cut.FindAll(".stale-banner"));
            Assert.False(GridIsGrey(cut));
            Assert.Equal("● LIVE", cut.Find(".live-text").TextContent);
        });
    }

    [Fact]
    public void A_board_opened_before_any_update_turns_stale_after_ten_seconds()
    {
        var cut = Open();
        Assert.Empty(cut.FindAll(".stale-banner"));

        Time.Advance(TimeSpan.FromSeconds(11));

        cut.WaitForAssertion(() => Assert.Contains("no update received yet", cut.Find(".stale-banner").TextContent));
        Assert.Equal("—", cut.Find(".tile-number").TextContent);
    }

    [Fact]
    public void The_site_clock_shows_site_time_and_gives_the_browser_its_base_to_tick_from()
    {
        var cut = Open();

        var clock = cut.Find(".board-clock");
        Assert.Equal("10:00:00", clock.TextContent);
        Assert.Equal(Start.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), clock.GetAttribute("data-clock-utc"));
        Assert.Equal("Europe/Berlin", clock.GetAttribute("data-tz"));
    }

    [Fact]
    public void The_reconnect_banner_is_blazors_reconnect_element_with_plain_words()
    {
        var cut = Render<ReconnectBanner>();

        var banner = cut.Find("#components-reconnect-modal");
        Assert.Contains("RECONNECTING…", banner.QuerySelector(".reconnect-show")!.TextContent);
        Assert.Contains("CONNECTION LOST", banner.QuerySelector(".reconnect-failed")!.TextContent);
    }

    [Fact]
    public void The_board_header_carries_a_reconnecting_notice_for_the_disconnected_circuit()
    {
        var cut = Open();

        // Hidden by ops.css until Blazor marks the reconnect element (components-reconnect-show).
        Assert.Equal("⚠ RECONNECTING…", cut.Find(".freshness .reconnecting-text").TextContent);
    }
}
