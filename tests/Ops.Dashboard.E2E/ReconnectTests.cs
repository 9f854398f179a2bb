using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Ops.Dashboard.E2E;

/// <summary>The server dies under an open wallboard: the board must say so at once and recover by itself.</summary>
[Collection(DoomedHostCollection.Name)]
public sealed class ReconnectTests(DoomedHost host, ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_server_shows_the_reconnecting_banner_and_the_board_recovers_when_it_is_back()
    {
        // Signed in as a team lead: the session cookie outlives the restart (the data-protection keys the app keeps in ~/.aspnet do).
        var page = await host.Chromium.NewPageAsync(1920, 1080);
        await page.SignInAndOpenInteractiveAsync(host.Url("/wallboard/tech-compact"), await host.AccountAsync("TeamLead"));
        var modal = page.Locator("#components-reconnect-modal");
        var grid = page.Locator("section.board-grid");
        await host.App.PostAsync(Ev.Waiting("tech", 1, Ev.Recent(3)));
        await Expect(page.Locator("article.tile.metric-waiting .tile-number")).ToHaveTextAsync("1");
        await Expect(modal).ToBeHiddenAsync();

        host.App.Kill();
        var killed = Stopwatch.StartNew();

        await Expect(modal).ToBeVisibleAsync();
        output.WriteLine($"reconnect banner {killed.ElapsedMilliseconds} ms after the kill");
        await Expect(modal).ToContainTextAsync(new Regex("RECONNECTING|CONNECTION LOST"));
        await Expect(page.Locator(".freshness .reconnecting-text")).ToBeVisibleAsync();
        await Expect(page.Locator(".freshness .live-text")).ToBeHiddenAsync();
        await Expect(grid).ToHaveCSSAsync("opacity", "0.45");
        await page.ScreenshotAsync("tech-compact-reconnecting-1080p");

        // Back on the same address (same database): nobody touches the wallboard, it comes back by itself.
        await host.RestartAsync();
        var restarted = Stopwatch.StartNew();
        await Expect(page.Locator(".freshness .live-text")).ToBeVisibleAsync(new() { Timeout = 90_000 });
        await Expect(modal).ToBeHiddenAsync(new() { Timeout = 30_000 });
        output.WriteLine($"live again {restarted.Elapsed.TotalSeconds:0.0} s after the restart");
        await host.App.PostAsync(Ev.Waiting("tech", 1, Ev.Recent(2)));
        await Expect(page.Locator("article.tile.metric-waiting .tile-number")).ToHaveTextAsync("2");
        await page.ScreenshotAsync("tech-compact-recovered-1080p");
        await page.Context.CloseAsync();
    }
}
