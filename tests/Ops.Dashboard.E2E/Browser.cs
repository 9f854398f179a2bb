using Microsoft.Playwright;

namespace Ops.Dashboard.E2E;

/// <summary>
/// Debian's chromium (/usr/bin/chromium) driven by Playwright: no browser download, headless, the
/// flags verified on this machine (DESIGN.md). One browser per fixture; one context per test.
/// </summary>
public sealed class ChromiumBrowser : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Generous for a loaded 2-core machine; assertions poll and pass as soon as the page is right.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ChromiumBrowser(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Browser = browser;
    }

    public IPlaywright Playwright { get; }
    public IBrowser Browser { get; }

    public static async Task<ChromiumBrowser> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: apt-get install -y chromium (tests/run.sh does this)");
        Assertions.SetDefaultExpectTimeout((float)Timeout.TotalMilliseconds);
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return new ChromiumBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A fresh context (own cookies and storage) with one page of the given size.</summary>
    public async Task<IPage> NewPageAsync(int width = 1920, int height = 1080)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        context.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}

/// <summary>Opening Blazor pages and knowing when their circuit is interactive.</summary>
public static class BlazorPage
{
    /// <summary>
    /// Opens <paramref name="url"/> and waits until the Blazor Server circuit is interactive: the layout's
    /// <c>data-circuit="interactive"</c> marker is absent from the prerendered HTML, which looks the same
    /// but ignores clicks and changes, and appears with the circuit's first render of the page.
    /// </summary>
    public static Task OpenInteractiveAsync(this IPage page, string url) =>
        page.InteractiveAfterAsync(url, () => page.GotoAsync(url));

    /// <summary>
    /// Signs in as <paramref name="account"/> through the real sign-in form (<see cref="SignInAsync"/>),
    /// which sends the browser on to <paramref name="url"/>, and waits until that page's circuit is interactive.
    /// </summary>
    public static Task SignInAndOpenInteractiveAsync(this IPage page, string url, Account account) =>
        page.InteractiveAfterAsync(url, () => page.SignInAsync(url, account));

    /// <summary>Runs <paramref name="navigate"/> and waits for the interactive render of the page it lands on.</summary>
    private static async Task InteractiveAfterAsync(this IPage page, string url, Func<Task> navigate)
    {
        await navigate();
        try
        {
            await page.Locator("[data-circuit=interactive]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{url}: the Blazor circuit did not render interactively within {ChromiumBrowser.Timeout.TotalSeconds:0} s (the page is {page.Url})");
        }
    }

    /// <summary>Marks the document, so a test can tell later that the page was not reloaded.</summary>
    public static Task MarkDocumentAsync(this IPage page) => page.EvaluateAsync("() => { window.__e2eSameDocument = true; }");

    public static async Task<bool> IsSameDocumentAsync(this IPage page) => await page.EvaluateAsync<bool>("() => window.__e2eSameDocument === true");

    /// <summary>
    /// Signs in through the sign-in page as a person would: opens /account/login with <paramref name="url"/>
    /// as its return address, types the user name and password into the form, submits it, and waits until
    /// the browser has left the sign-in page for <paramref name="url"/> (or wherever the app sends a user
    /// whose role does not allow it). Fails with the page's message when the sign-in is refused.
    /// </summary>
    public static async Task SignInAsync(this IPage page, string url, Account account)
    {
        await page.SubmitSignInAsync(url, account.UserName, account.Password);
        if (IsSignInPage(page.Url))
        {
            var message = await page.Locator(".login-error").AllTextContentsAsync();
            throw new Xunit.Sdk.XunitException($"signing in as {account.UserName} ({account.Role}) was refused: {page.Url} {string.Join(" ", message)}");
        }
    }

    /// <summary>
    /// Fills and submits the sign-in form (return address <paramref name="url"/>) and waits for the answer: another
    /// page, or the sign-in page again with an error. Does not judge the outcome (<see cref="SignInAsync"/> does).
    /// </summary>
    public static async Task SubmitSignInAsync(this IPage page, string url, string userName, string password)
    {
        var target = new Uri(url);
        await page.GotoAsync(new Uri(target, "/account/login?returnUrl=" + Uri.EscapeDataString(target.PathAndQuery)).ToString());
        var form = page.Locator("form.login-form");
        await form.Locator("input[name=userName]").FillAsync(userName);
        await form.Locator("input[name=password]").FillAsync(password);
        await form.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(u => !IsSignInPage(u) || new Uri(u).Query.Contains("error=", StringComparison.Ordinal));
    }

    public static bool IsSignInPage(string url) => new Uri(url).AbsolutePath.Equals("/account/login", StringComparison.OrdinalIgnoreCase);

    /// <summary>Saves a screenshot into TestResults/screenshots (the repository root) and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(this IPage page, string name)
    {
        var path = Path.Combine(Repo.Screenshots, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = false });
        return path;
    }
}
