using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Ops.Dashboard.E2E;

/// <summary>
/// The wallboards in a real browser against the running app: live tile updates without a reload, the
/// home page and its links, the error panel, the apexcharts chart, and full-screen layouts at 1080p and
/// 2160p. Only the tile test touches billing, so its baseline is the fresh host's. Each test's browser
/// signs in as a team lead through the sign-in form first (boards are for TeamLead and above).
/// </summary>
[Collection(LiveHostCollection.Name)]
public sealed class WallboardLiveTests(LiveHost host, ITestOutputHelper output)
{
    [Fact]
    public async Task The_billing_waiting_tile_turns_amber_then_red_live_as_contacts_queue_up_without_a_reload()
    {
        var page = await host.Chromium.NewPageAsync(1920, 1080);
        await page.SignInAndOpenInteractiveAsync(host.Url("/wallboard/team-billing"), await host.AccountAsync("TeamLead"));
        var baseline = (int)(await host.App.QueueAsync("billing"))["waiting"]!;
        Assert.True(baseline < 3, $"billing already has {baseline} waiting; this test needs a quiet billing queue");

        var tile = page.Locator("article.tile.metric-waiting");
        var number = tile.Locator(".tile-number");
        await Expect(tile).ToHaveCountAsync(1);
        await Expect(number).ToHaveTextAsync(N(baseline));
        await Expect(tile).ToHaveClassAsync(new Regex(@"\bstatus-green\b"));
        await Expect(page.Locator(".freshness .live-text")).ToBeVisibleAsync();
        await AssertFillsScreenWithoutScrollingAsync(page);
        await page.MarkDocumentAsync();
        await page.ScreenshotAsync("team-billing-1080p-green");

        // waiting 4: at or above amber (3), below red (8)
        await host.App.PostAsync(Ev.Waiting("billing", 4 - baseline, Ev.Recent(30)));
        await Expect(number).ToHaveTextAsync("4");
        await Expect(tile).ToHaveClassAsync(new Regex(@"\bstatus-amber\b"));
        await Expect(tile.Locator(".tile-badge")).ToHaveTextAsync(new Regex("WARNING"));
        await Expect(tile).ToHaveCSSAsync("background-color", "rgb(245, 158, 11)");
        await page.ScreenshotAsync("team-billing-1080p-amber");

        // waiting 9: above red (8)
        var watch = Stopwatch.StartNew();
        await host.App.PostAsync(Ev.Waiting("billing", 5, Ev.Recent(20)));
        await Expect(number).ToHaveTextAsync("9");
        output.WriteLine($"POST → tile shows 9 after {watch.ElapsedMilliseconds} ms");
        await Expect(tile).ToHaveClassAsync(new Regex(@"\bstatus-red\b"));
        await Expect(tile.Locator(".tile-badge")).ToHaveTextAsync(new Regex("ALERT"));
        await Expect(tile).ToHaveCSSAsync("background-color", "rgb(153, 27, 27)");
        // The longest wait ticks in the browser from the oldest waiting contact (30 s ago).
        await Expect(page.Locator("article.tile.metric-longestWait")).ToHaveClassAsync(new Regex(@"\bstatus-amber\b"));
        Assert.True(await page.IsSameDocumentAsync(), "the page was reloaded; the tile must change over the live circuit");
        await page.ScreenshotAsync("team-billing-1080p-red");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_home_page_lists_the_three_boards_and_each_link_opens_its_board()
    {
        var page = await host.Chromium.NewPageAsync(1920, 1080);
        await page.SignInAndOpenInteractiveAsync(host.Url("/"), await host.AccountAsync("TeamLead"));
        var links = page.Locator("ul.board-list li a");
        await Expect(links).ToHaveTextAsync(["Whole floor", "Team Billing", "Tech support"]);
        await Expect(page.Locator(".board-broken")).ToHaveCountAsync(0);
        await page.ScreenshotAsync("home-1080p");

        foreach (var (name, title) in new[] { ("floor", "Whole floor"), ("team-billing", "Team Billing"), ("tech-compact", "Tech support") })
        {
            await page.Locator("ul.board-list li a", new() { HasTextString = title }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/wallboard/{Regex.Escape(name)}$"));
            await Expect(page.Locator($".board[data-board='{name}'] .board-name")).ToHaveTextAsync(title);
            await Expect(page.Locator(".board-grid article.tile").First).ToBeVisibleAsync();
            await page.GoBackAsync();
            await Expect(links).ToHaveCountAsync(3);
        }
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("no-such-board", "no board file")]
    [InlineData("Not_A_Name", "is not a board name")]
    public async Task A_bad_board_name_shows_the_error_panel(string name, string problem)
    {
        var page = await host.Chromium.NewPageAsync(1920, 1080);
        await page.SignInAsync(host.Url("/wallboard/" + name), await host.AccountAsync("TeamLead"));
        var panel = page.Locator("main.board-error");
        await Expect(panel).ToBeVisibleAsync();
        await Expect(panel.Locator("h1")).ToContainTextAsync(name);
        await Expect(panel.Locator(".board-error-list li")).ToContainTextAsync(problem);
        await Expect(page.Locator(".board")).ToHaveCountAsync(0);
        await page.ScreenshotAsync("board-error-" + name + "-1080p");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_floor_board_rotates_to_its_charts_which_apexcharts_draws_while_heartbeats_keep_it_live()
    {
        // Traffic earlier today on the digital queues and on tech (billing belongs to the tile test).
        var now = DateTimeOffset.UtcNow;
        var dayStart = SiteDayStart(now);
        var events = new List<System.Text.Json.Nodes.JsonObject>();
        var digital = 0;
        foreach (var minutesAgo in new[] { 2, 14, 31, 47, 63, 95, 128, 190, 250 })
        {
            var at = now.AddMinutes(-minutesAgo);
            if (at < dayStart) continue;
            events.AddRange(Ev.Waiting("chat", 2, at, "messenger"));
            events.AddRange(Ev.Waiting("tickets", 1, at.AddSeconds(5), "ticket"));
            events.AddRange(Ev.Waiting("tech", 1, at.AddSeconds(7)));
            digital += 3;
        }
        await host.App.PostAsync(events);
        await host.App.WaitUntilAppliedAsync();

        var page = await host.Chromium.NewPageAsync(1920, 1080);
        await page.SignInAndOpenInteractiveAsync(host.Url("/wallboard/floor"), await host.AccountAsync("TeamLead"));
        await Expect(page.Locator(".board[data-page='0'] .page-title")).ToHaveTextAsync("Phone");
        await Expect(page.Locator("article.tile", new() { HasTextString = "Tech waiting" }).Locator(".tile-number")).ToHaveTextAsync(new Regex(@"^\d+$"));
        await AssertFillsScreenWithoutScrollingAsync(page);
        await page.ScreenshotAsync("floor-phone-1080p");

        // rotationSeconds 20: the second page has the two today charts.
        await Expect(page.Locator(".board[data-page='1']")).ToHaveCountAsync(1, new() { Timeout = 45_000 });
        var charts = page.Locator("article.tile.metric-todayChart");
        await Expect(charts).ToHaveCountAsync(2);
        var digitalChart = charts.Filter(new() { HasTextString = "Digital contacts today" });
        await Expect(digitalChart.Locator("svg.apexcharts-svg")).ToHaveCountAsync(1);
        await Expect(digitalChart.Locator(".today-chart-n")).ToHaveTextAsync(N(digital));
        Assert.True(await digitalChart.Locator("path.apexcharts-bar-area").CountAsync() > 0, "the chart drew no bars");
        // 20 s without traffic: the heartbeat (every 2 s) keeps the board from calling itself stale.
        await Expect(page.Locator(".freshness .live-text")).ToBeVisibleAsync();
        await Expect(page.Locator(".stale-banner")).ToHaveCountAsync(0);
        await page.ScreenshotAsync("floor-digital-1080p");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_team_billing_board_fills_a_4K_screen_with_its_chart()
    {
        var page = await host.Chromium.NewPageAsync(3840, 2160);
        await page.SignInAndOpenInteractiveAsync(host.Url("/wallboard/team-billing"), await host.AccountAsync("TeamLead"));
        await Expect(page.Locator("article.tile.metric-todayChart svg.apexcharts-svg")).ToHaveCountAsync(1);
        await AssertFillsScreenWithoutScrollingAsync(page);
        // Type scales with the screen: the big figure is far larger than at 1080p's ~tens of pixels.
        var size = await page.Locator("article.tile.metric-waiting .tile-number").EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");
        Assert.True(size >= 100, $"the waiting figure is {size}px on a 2160p wallboard");
        await page.ScreenshotAsync("team-billing-2160p");
        await page.Context.CloseAsync();
    }

    /// <summary>A wallboard has nobody to scroll it: the board fits the viewport.</summary>
    private static async Task AssertFillsScreenWithoutScrollingAsync(IPage page)
    {
        var m = await page.EvaluateAsync<int[]>(
            "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight, innerWidth, innerHeight]");
        var (scrollW, scrollH, w, h) = (m[0], m[1], m[2], m[3]);
        Assert.True(scrollW <= w && scrollH <= h, $"the page scrolls: content {scrollW}×{scrollH} in a {w}×{h} viewport");
    }

    private static string N(int n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    private static DateTimeOffset SiteDayStart(DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = local.Date;
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
    }
}
