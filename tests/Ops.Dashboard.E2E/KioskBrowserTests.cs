using System.Globalization;
using static Microsoft.Playwright.Assertions;

namespace Ops.Dashboard.E2E;

/// <summary>A TV: an administrator issues a kiosk link (admin API); the TV opens it and nobody signs in.</summary>
[Collection(LiveHostCollection.Name)]
public sealed class KioskBrowserTests(LiveHost host)
{
    [Fact]
    public async Task A_kiosk_link_shows_its_board_live_without_signing_in_and_no_other_board()
    {
        var link = await host.App.KioskLinkAsync("tech-compact");
        var page = await host.Chromium.NewPageAsync(1920, 1080);
        await page.OpenInteractiveAsync(link);
        await Expect(page.Locator(".board[data-board='tech-compact'] .board-name")).ToHaveTextAsync("Tech support");
        Assert.False(BlazorPage.IsSignInPage(page.Url), $"the kiosk link led to the sign-in page: {page.Url}");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ops_session");

        var waiting = page.Locator("article.tile.metric-waiting .tile-number");
        var before = (int)(await host.App.QueueAsync("tech"))["waiting"]!;
        await Expect(waiting).ToHaveTextAsync(N(before));
        await page.MarkDocumentAsync();
        await host.App.PostAsync(Ev.Waiting("tech", 1, Ev.Recent(3)));
        await Expect(waiting).ToHaveTextAsync(N(before + 1));
        await Expect(page.Locator(".freshness .live-text")).ToBeVisibleAsync();
        Assert.True(await page.IsSameDocumentAsync(), "the kiosk page was reloaded; the tile must change over the live circuit");
        await page.ScreenshotAsync("tech-compact-kiosk-1080p");

        // The token is for its own board only.
        var other = await page.Context.NewPageAsync();
        var response = await other.GotoAsync(host.Url("/wallboard/floor"));
        Assert.Equal(403, response?.Status);
        await Expect(other.Locator("body")).ToContainTextAsync("This kiosk token shows one board only.");
        await page.Context.CloseAsync();
    }

    private static string N(int n) => n.ToString("#,0", CultureInfo.InvariantCulture);
}
