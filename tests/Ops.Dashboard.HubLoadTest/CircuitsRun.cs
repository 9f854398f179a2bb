using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.HubLoadTest;

/// <summary>
/// N open wallboards: one headless chromium (Debian's, through Playwright), N pages of one board, each
/// its own Blazor Server circuit; the paced traffic keeps them rendering. Reports the server's memory
/// before, with the circuits open, and at its peak under traffic, and how often each page rendered.
/// Boards need TeamLead and above or a kiosk token: every page opens one kiosk link issued through the
/// admin API, as a wall of TVs would (or, with --access sign-in, the browser signs in as the administrator).
/// </summary>
public sealed class CircuitsRun(HubLoadOptions options, Server server, IReadOnlyList<string> queues)
{
    private static readonly byte[] RenderBatch = Encoding.ASCII.GetBytes("JS.RenderBatch");

    public async Task<int> RunAsync(CancellationToken ct)
    {
        using var poster = new EventPoster(server.Url, server.Key);
        var traffic = new PacedTraffic(queues, options.Rate, poster);
        var i = CultureInfo.InvariantCulture;
        const double MB = 1048576.0;

        var idle = ProcSample.Read(server.Pid) ?? throw new InvalidOperationException("cannot read the server's /proc entry");
        Console.WriteLine(string.Create(i, $"server RSS before any page: {idle.RssBytes / MB:0} MB"));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                // Keep every page rendering, as a wall of screens would.
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"],
        });
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
        context.SetDefaultTimeout(60_000);
        var batches = new long[options.Circuits];
        var windowStart = long.MaxValue;
        var windowEnd = long.MaxValue;
        var pages = new List<IPage>();
        var url = await AccessAsync(context, ct);
        var open = Stopwatch.StartNew();
        for (var p = 0; p < options.Circuits; p++)
        {
            var index = p;
            var page = await context.NewPageAsync();
            var interactive = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            page.WebSocket += (_, socket) =>
            {
                if (!socket.Url.Contains("/_blazor", StringComparison.Ordinal)) return;
                socket.FrameReceived += (_, frame) =>
                {
                    var bytes = frame.Binary ?? Encoding.UTF8.GetBytes(frame.Text ?? "");
                    if (bytes.AsSpan().IndexOf(RenderBatch) < 0) return;
                    interactive.TrySetResult();
                    var now = Stopwatch.GetTimestamp();
                    if (now >= Volatile.Read(ref windowStart) && now < Volatile.Read(ref windowEnd)) Interlocked.Increment(ref batches[index]);
                };
            };
            await page.GotoAsync(url);
            await interactive.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
            pages.Add(page);
            await EnsureBoardAsync(page, index);
        }
        var opened = ProcSample.Read(server.Pid)!.Value;
        Console.WriteLine(string.Create(i, $"{pages.Count} circuits interactive after {open.Elapsed.TotalSeconds:0.0} s; server RSS {opened.RssBytes / MB:0} MB"));

        await using var monitor = new ProcMonitor(server.Pid, options.Timeline, () => $"render batches in window {batches.Sum():N0}");
        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref windowStart, start + (long)(options.WarmupSeconds * Stopwatch.Frequency));
        Volatile.Write(ref windowEnd, start + (long)((options.WarmupSeconds + options.Seconds) * Stopwatch.Frequency));
        ProcSample? atWindowStart = null;
        var warm = Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds), ct).ContinueWith(_ => atWindowStart = ProcSample.Read(server.Pid), TaskScheduler.Default);
        Console.WriteLine(string.Create(i,
            $"traffic: {options.Rate:0.##} changes/s per queue ({options.Rate * queues.Count:0.#} POSTs/s), {options.WarmupSeconds:0} s warm-up + {options.Seconds:0} s measured …"));
        await traffic.RunAsync(TimeSpan.FromSeconds(options.WarmupSeconds + options.Seconds), ct);
        var atWindowEnd = ProcSample.Read(server.Pid)!.Value;
        await warm;

        var broken = 0;
        foreach (var page in pages)
        {
            if (await page.EvaluateAsync<bool>("() => !!document.querySelector('#components-reconnect-modal[class*=components-reconnect-]') || !document.querySelector('.board')"))
                broken++;
        }
        var perPage = batches.Select(b => b / options.Seconds).ToArray();
        var cpu = atWindowStart is { } a ? (atWindowEnd.Cpu - a.Cpu).TotalSeconds / options.Seconds * 100 : double.NaN;
        var peak = Math.Max(monitor.PeakRss, atWindowEnd.RssBytes);
        var perCircuit = (peak - idle.RssBytes) / (double)pages.Count;
        var hwm = ProcSample.Read(server.Pid)?.PeakRssBytes ?? 0;

        Console.WriteLine();
        Console.WriteLine(string.Create(i, $"circuits                {pages.Count} pages of /wallboard/{options.Board} in one chromium ({broken} disconnected or without a board at the end)"));
        Console.WriteLine(string.Create(i, $"renders per page        {perPage.Average():0.0}/s mean, {perPage.Min():0.0}/s min (render batches received; the board throttles to 4/s)"));
        Console.WriteLine(string.Create(i, $"server RSS              {idle.RssBytes / MB:0} MB before, {opened.RssBytes / MB:0} MB with the circuits open, {atWindowEnd.RssBytes / MB:0} MB after the traffic, peak {peak / MB:0} MB (VmHWM since start {hwm / MB:0} MB)"));
        Console.WriteLine(string.Create(i, $"per circuit             {perCircuit / MB:0.0} MB (peak − before) / circuits"));
        Console.WriteLine(string.Create(i, $"server CPU              {cpu:0} % of one core during the window; {poster.Errors} POST errors; load average {ProcSample.LoadAverage()}"));
        Console.WriteLine();
        Console.WriteLine(string.Create(i,
            $"SUMMARY circuits: {pages.Count} open /wallboard/{options.Board} circuits with live traffic ({options.Rate:0.##} changes/s on each of {queues.Count} queues, {perPage.Average():0.0} renders/s per page): server peak RSS {peak / MB:0} MB ({idle.RssBytes / MB:0} MB before, ≈{perCircuit / MB:0.0} MB per circuit), CPU {cpu:0} % of one core; {Environment.ProcessorCount} cores shared with chromium, load {ProcSample.LoadAverage()}"));

        await context.CloseAsync();
        return broken == 0 && poster.Errors == 0 ? 0 : 1;
    }

    /// <summary>The address every page opens: the kiosk link, or the board after signing the context in.</summary>
    private async Task<string> AccessAsync(IBrowserContext context, CancellationToken ct)
    {
        var board = new Uri(server.Url, "wallboard/" + Uri.EscapeDataString(options.Board)).ToString();
        if (options.Access == "kiosk")
        {
            using var admin = await server.AdminAsync(ct);
            var link = await AppSessions.IssueKioskLinkAsync(admin, $"hubload {options.Circuits} circuits", options.Board, ct);
            Console.WriteLine($"opening {options.Circuits} pages of {board} through a kiosk link issued by {Server.AdminUser} …");
            return link;
        }

        // One sign-in through the form; the context's pages share the session cookie.
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(server.Url, $"account/login?returnUrl={Uri.EscapeDataString("/wallboard/" + options.Board)}").ToString());
        await page.Locator("form.login-form input[name=userName]").FillAsync(Server.AdminUser);
        await page.Locator("form.login-form input[name=password]").FillAsync(server.AdminPassword);
        await page.Locator("form.login-form button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(u => !new Uri(u).AbsolutePath.StartsWith("/account/login", StringComparison.Ordinal) || u.Contains("error=", StringComparison.Ordinal));
        if (new Uri(page.Url).AbsolutePath.StartsWith("/account/", StringComparison.Ordinal))
            throw new InvalidOperationException($"signing in as {Server.AdminUser} did not lead to the board: {page.Url}");
        await page.CloseAsync();
        Console.WriteLine($"opening {options.Circuits} pages of {board} signed in as {Server.AdminUser} …");
        return board;
    }

    /// <summary>A page that shows no board (a refused kiosk link, the sign-in page) would measure nothing: stop at once.</summary>
    private async Task EnsureBoardAsync(IPage page, int index)
    {
        if (await page.Locator(".board").CountAsync() > 0) return;
        var heading = await page.Locator("h1").AllTextContentsAsync();
        var path = new Uri(page.Url).AbsolutePath;
        throw new InvalidOperationException(
            $"page {index + 1} ({options.Access}) shows no board at {path}: \"{string.Join(" / ", heading)}\"; nothing would be measured"
            + (options.Access == "kiosk" ? " (if it says \"Not allowed\", the app refuses kiosk tokens on board pages; --access sign-in measures signed-in circuits)" : ""));
    }
}
