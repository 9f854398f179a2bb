using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Ops.Dashboard.E2E;

/// <summary>The sign-in page and the role checks in a real browser.</summary>
[Collection(LiveHostCollection.Name)]
public sealed class SignInBrowserTests(LiveHost host)
{
    [Fact]
    public async Task The_sign_in_page_refuses_a_wrong_password_with_its_message_and_signs_nobody_in()
    {
        var lead = await host.AccountAsync("TeamLead");
        var page = await host.Chromium.NewPageAsync(1920, 1080);
        await page.SubmitSignInAsync(host.Url("/wallboard/team-billing"), lead.UserName, lead.Password + "-wrong");

        await Expect(page).ToHaveURLAsync(new Regex(@"/account/login\?error=invalid"));
        await Expect(page.Locator(".login-error")).ToHaveTextAsync("Wrong user name or password.");
        await Expect(page.Locator("form.login-form")).ToBeVisibleAsync();
        // The form keeps where the user wanted to go.
        await Expect(page.Locator("form.login-form input[name=returnUrl]")).ToHaveValueAsync("/wallboard/team-billing");
        await page.ScreenshotAsync("sign-in-refused-1080p");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ops_session");

        // Nobody is signed in: the board sends the browser to the sign-in page.
        await page.GotoAsync(host.Url("/wallboard/team-billing"));
        await Expect(page).ToHaveURLAsync(new Regex("/account/login"));
        await Expect(page.Locator(".login-error")).ToHaveCountAsync(0);
        await Expect(page.Locator(".board")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_team_lead_who_opens_the_console_gets_the_not_allowed_page()
    {
        var lead = await host.AccountAsync("TeamLead");
        var page = await host.Chromium.NewPageAsync(1920, 1080);
        await page.SignInAndOpenInteractiveAsync(host.Url("/"), lead);
        // The start page offers a team lead the boards, not the console.
        await Expect(page.Locator("ul.board-list li a")).ToHaveCountAsync(3);
        await Expect(page.Locator("a[href='console']")).ToHaveCountAsync(0);

        await page.GotoAsync(host.Url("/console"));
        await Expect(page).ToHaveURLAsync(new Regex("/account/denied"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Not allowed");
        await Expect(page.Locator("main")).ToContainTextAsync("Your role does not allow this page.");
        await Expect(page.Locator(".console")).ToHaveCountAsync(0);
        await Expect(page.Locator("tr.agent-row")).ToHaveCountAsync(0);
        await page.ScreenshotAsync("console-denied-team-lead-1080p");

        // Still signed in: what a team lead may see still opens.
        await page.OpenInteractiveAsync(host.Url("/wallboard/tech-compact"));
        await Expect(page.Locator(".board[data-board='tech-compact'] .board-name")).ToHaveTextAsync("Tech support");
        await page.Context.CloseAsync();
    }
}
