using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ops.Dashboard.E2E;

/// <summary>A host of its own for the forecast page: its models directory and volume history are the test's alone.</summary>
public sealed class ForecastHost : HostFixture;

[CollectionDefinition(Name)]
public sealed class ForecastHostCollection : ICollectionFixture<ForecastHost>
{
    public const string Name = "E2E forecast host";
}

/// <summary>
/// A planner imports nine weeks of hourly history for one queue, opens the forecast page in a real browser and chooses
/// the queue: the model trains, the charts draw (the p50 line included) and the scores table shows WAPE.
/// </summary>
[Collection(ForecastHostCollection.Name)]
public sealed class ForecastBrowserTests(ForecastHost host)
{
    private const string Queue = "sales";

    /// <summary>Site-local hourly rows (Europe/Berlin) for the 63 days before today: 08–19 Mon–Sat, a daily hump, Saturdays quieter, Sundays closed.</summary>
    private static string History()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
        var csv = new StringBuilder("timestamp,count\n");
        var random = new Random(42);
        for (var day = today.AddDays(-63); day < today; day = day.AddDays(1))
        {
            if (day.DayOfWeek == DayOfWeek.Sunday) continue;
            var weekday = day.DayOfWeek switch { DayOfWeek.Monday => 1.3, DayOfWeek.Saturday => 0.5, _ => 1.0 };
            for (var hour = 8; hour < 20; hour++)
            {
                var shape = Math.Sin(Math.PI * (hour - 7.5) / 12.5); // a hump peaking around 14:00
                var count = (int)Math.Round(40 * weekday * shape + random.Next(-3, 4));
                csv.Append(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd} {hour:00}:00,{Math.Max(0, count)}\n");
            }
        }
        return csv.ToString();
    }

    [Fact]
    public async Task A_planner_sees_the_forecast_charts_and_the_wape_of_an_imported_queue()
    {
        using (var response = await host.App.Http.PostAsync($"/api/v1/history/volume?queue={Queue}",
                   new StringContent(History(), Encoding.UTF8, "text/csv")))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/history/volume: {(int)response.StatusCode} {body}");
        }

        var planner = await host.AccountAsync("Management");
        var page = await host.Chromium.NewPageAsync(1920, 1080);
        await page.SignInAndOpenInteractiveAsync(host.Url("/forecast"), planner);
        await page.Locator("select[name=queue]").SelectOptionAsync(Queue);

        // The first forecast of the queue trains a model first: allow for it.
        var volume = page.Locator(".forecast-volume");
        await Expect(volume.Locator("svg.apexcharts-svg")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 180_000 });
        await page.WaitForFunctionAsync("""
            () => [...document.querySelectorAll('.forecast-volume .apexcharts-series')]
                .some(g => g.getAttribute('seriesName') === 'p50'
                    && [...g.querySelectorAll('path')].some(p => (p.getAttribute('d') || '').length > 20))
            """, null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        await Expect(page.Locator(".forecast-agents svg.apexcharts-svg")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 60_000 });

        var scores = page.Locator("table.forecast-scores");
        await Expect(scores.Locator("thead")).ToContainTextAsync("WAPE");
        await Expect(scores.Locator("tr.model td.wape")).ToHaveCountAsync(1);
        await Expect(scores.Locator("tr.model td.wape")).ToContainTextAsync("%");

        var shot = await page.ScreenshotAsync("forecast-sales-1080p");
        Assert.True(new FileInfo(shot).Length > 10_000, shot);

        // Forecast vs actual over the model's held-out days, with the accuracy per day.
        await Expect(page.Locator(".forecast-vs-actual svg.apexcharts-svg")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 60_000 });
        Assert.True(await page.Locator("table.accuracy-days tbody tr").CountAsync() >= 7);

        // The shift plan: its chart draws, and a planner's new figure for the early shift is saved and shown after a reload.
        var plan = page.Locator("section.shift-plan");
        await Expect(plan.Locator(".shift-plan-chart svg.apexcharts-svg")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 60_000 });
        await plan.Locator("input[name=planned-frueh]").FillAsync("17");
        await plan.Locator("input[name=planned-frueh]").DispatchEventAsync("change");
        await plan.Locator("button.shift-plan-save").ClickAsync();
        await Expect(plan.Locator(".shift-plan-saved")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("section.shift-plan tr[data-shift=frueh] td.planned input")).ToHaveValueAsync("17", new LocatorAssertionsToHaveValueOptions { Timeout = 60_000 });
        await page.Locator("section.shift-plan").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync("forecast-shift-plan-1080p");
    }
}
