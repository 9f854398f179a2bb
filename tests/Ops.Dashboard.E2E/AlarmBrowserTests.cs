using System.Text.RegularExpressions;
using Ops.Dashboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Ops.Dashboard.E2E;

/// <summary>
/// The runbook's first steps in real browsers: an alarm flashes on a TV's wallboard (a kiosk link),
/// the shift manager acknowledges it in the console, and the TV's banner stops flashing, without a reload.
/// </summary>
[Collection(AlarmHostCollection.Name)]
public sealed class AlarmBrowserTests(AlarmHost host)
{
    [Fact]
    public async Task An_alarm_flashes_on_the_board_is_acknowledged_in_the_console_and_the_banner_stops_flashing()
    {
        var tv = await host.Chromium.NewPageAsync(1920, 1080);
        await tv.OpenInteractiveAsync(await host.App.KioskLinkAsync("floor"));
        await Expect(tv.Locator(".board[data-board='floor']")).ToBeVisibleAsync();
        await Expect(tv.Locator(".alarm-banner")).ToHaveCountAsync(0);
        await tv.MarkDocumentAsync();

        await host.App.PostAsync(Ev.Waiting(AlarmHost.Queue, 4, Ev.Recent(30), "social"));

        var banner = tv.Locator(".alarm-banner");
        await Expect(banner).ToHaveClassAsync(new Regex(@"\bflashing\b"));
        await Expect(banner).ToContainTextAsync("Customers waiting");
        await Expect(banner).ToContainTextAsync("ALARM");
        await tv.ScreenshotAsync("floor-alarm-flashing-1080p");

        var manager = await host.AccountAsync("ShiftManager");
        var console = await host.Chromium.NewPageAsync(1920, 1080);
        await console.SignInAndOpenInteractiveAsync(host.Url("/console"), manager);
        var ack = console.Locator(".console-alarms button.alarm-ack");
        await Expect(ack).ToHaveCountAsync(1);
        await console.ScreenshotAsync("console-alarm-1080p");
        await ack.ClickAsync();
        await Expect(console.Locator(".console-alarms .alarm-banner")).ToHaveClassAsync(new Regex(@"\bsteady\b"));

        await Expect(banner).ToHaveClassAsync(new Regex(@"\bsteady\b"));
        await Expect(banner).ToContainTextAsync("acknowledged");
        Assert.True(await tv.IsSameDocumentAsync(), "the board reloaded");
        await tv.ScreenshotAsync("floor-alarm-acknowledged-1080p");

        var audit = await host.App.AuditAsync("?action=alarm.acknowledge");
        Assert.Contains(audit, e => (string?)e!["actor"] == manager.UserName);
    }
}
