using System.Text;
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
    private static readonly byte[] RenderBatch = Encoding.ASCII.GetBytes("JS.RenderBatch");

    /// <summary>
    /// Opens <paramref name="url"/> and waits until the Blazor Server circuit is interactive: the first
    /// render batch has come over the circuit's WebSocket (the prerendered HTML looks the same, but
    /// only an interactive page updates). Returns once blazor.web.js has applied it.
    /// </summary>
    public static async Task OpenInteractiveAsync(this IPage page, string url)
    {
        var rendered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSocket(object? sender, IWebSocket socket)
        {
            if (!socket.Url.Contains("/_blazor", StringComparison.Ordinal)) return;
            socket.FrameReceived += (_, frame) =>
            {
                var bytes = frame.Binary ?? Encoding.UTF8.GetBytes(frame.Text ?? "");
                if (bytes.AsSpan().IndexOf(RenderBatch) >= 0) rendered.TrySetResult();
            };
        }
        page.WebSocket += OnSocket;
        try
        {
            await page.GotoAsync(url);
            try
            {
                await rendered.Task.WaitAsync(ChromiumBrowser.Timeout);
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"{url}: the Blazor circuit did not render interactively within {ChromiumBrowser.Timeout.TotalSeconds:0} s");
            }
            // The batch is applied right after it arrives; Blazor is defined by then.
            await page.WaitForFunctionAsync("() => typeof window.Blazor === 'object'");
        }
        finally
        {
            page.WebSocket -= OnSocket;
        }
    }

    /// <summary>Marks the document, so a test can tell later that the page was not reloaded.</summary>
    public static Task MarkDocumentAsync(this IPage page) => page.EvaluateAsync("() => { window.__e2eSameDocument = true; }");

    public static async Task<bool> IsSameDocumentAsync(this IPage page) => await page.EvaluateAsync<bool>("() => window.__e2eSameDocument === true");

    /// <summary>Saves a screenshot into TestResults/screenshots (the repository root) and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(this IPage page, string name)
    {
        var path = Path.Combine(Repo.Screenshots, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = false });
        return path;
    }
}
