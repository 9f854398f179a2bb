using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// GET /api/v1/forecast/accuracy on ten weeks of imported history: the trained model's backtest hours against the
/// imported actuals, per-day figures that follow from those hours, today so far, the CSV, and bad input named.
/// </summary>
[Collection(AccessHostCollection.Name)]
public sealed class AccuracyApiTests(AccessTestHost host)
{
    /// <summary>No other test of this host sends or imports anything for it.</summary>
    private const string Queue = "tech";

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private async Task<HttpClient> ManagerAsync()
    {
        var (user, password) = await host.EnsureUserAsync("accuracy-manager", Role.Management);
        return await host.SignedInClientAsync(user, password);
    }

    private static async Task<string> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return body;
    }

    private static DateTime Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Berlin).DateTime;

    private static double? Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();

    [Fact]
    public async Task The_backtest_hours_match_the_imported_actuals_and_every_days_figures_follow_from_them()
    {
        var today = DateOnly.FromDateTime(Local(DateTimeOffset.UtcNow));
        var csv = ForecastApiTests.TenWeeks(today);
        var imported = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))
            .ToDictionary(p => DateTime.ParseExact(p[0], "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), p => double.Parse(p[1], CultureInfo.InvariantCulture));
        using (var import = await host.Api.Http.PostAsync($"/api/v1/history/volume?queue={Queue}", new StringContent(csv, Encoding.UTF8, "text/csv")))
            await OkAsync(import);
        using var manager = await ManagerAsync();

        // No model yet: the first read trains one, as GET /api/v1/forecast does.
        using var response = await manager.GetAsync($"/api/v1/forecast/accuracy?queue={Queue}");
        var accuracy = JsonDocument.Parse(await OkAsync(response)).RootElement;

        Assert.Equal(Queue, accuracy.GetProperty("queue").GetString());
        Assert.True(accuracy.GetProperty("hasBacktest").GetBoolean());
        Assert.Equal(JsonValueKind.Null, accuracy.GetProperty("note").ValueKind);
        var model = accuracy.GetProperty("model");
        var holdoutDays = model.GetProperty("holdoutDays").GetInt32();
        var dataTo = DateOnly.Parse(model.GetProperty("dataTo").GetString()!, CultureInfo.InvariantCulture);
        var hours = accuracy.GetProperty("hours").EnumerateArray()
            .Select(h => (Start: h.GetProperty("start").GetDateTimeOffset(), Actual: Number(h.GetProperty("actual")), P10: h.GetProperty("p10").GetDouble(),
                P50: h.GetProperty("p50").GetDouble(), P90: h.GetProperty("p90").GetDouble(), Closed: h.GetProperty("closed").GetBoolean()))
            .ToList();
        var days = accuracy.GetProperty("days").EnumerateArray().ToList();

        // The held-out days, in order, ending with the model's last data day, then today once an hour of it is complete.
        var expectedDays = Enumerable.Range(0, holdoutDays).Select(i => dataTo.AddDays(i + 1 - holdoutDays)).ToList();
        var todayRow = Local(DateTimeOffset.UtcNow).Hour >= 1;
        if (todayRow) expectedDays.Add(today);
        Assert.Equal(expectedDays, days.Select(d => DateOnly.Parse(d.GetProperty("day").GetString()!, CultureInfo.InvariantCulture)));
        Assert.Equal(days.Select((_, i) => todayRow && i == days.Count - 1), days.Select(d => d.GetProperty("today").GetBoolean()));

        // Hours: ordered, ordered quantiles; each actual is the imported count, and every imported hour of the holdout is there.
        Assert.Equal(hours.Select(h => h.Start).Order(), hours.Select(h => h.Start));
        Assert.All(hours, h => Assert.True(h.P10 <= h.P50 && h.P50 <= h.P90, h.ToString()));
        Assert.All(hours.Where(h => h.Closed), h => Assert.Equal((0.0, 0.0, 0.0), (h.P10, h.P50, h.P90)));
        foreach (var h in hours)
            Assert.Equal(imported.TryGetValue(Local(h.Start), out var count) ? count : (double?)null, h.Actual);
        var firstDay = expectedDays[0].ToDateTime(TimeOnly.MinValue);
        Assert.Equal(imported.Keys.Where(k => k >= firstDay).Order(), hours.Where(h => h.Actual is not null).Select(h => Local(h.Start)));

        // Every day's figures follow from its hours (over those with an actual).
        foreach (var day in days)
        {
            var date = DateOnly.Parse(day.GetProperty("day").GetString()!, CultureInfo.InvariantCulture);
            var scored = hours.Where(h => DateOnly.FromDateTime(Local(h.Start)) == date && h.Actual is not null).ToList();
            Assert.Equal(scored.Count, day.GetProperty("hours").GetInt32());
            var actual = scored.Sum(h => h.Actual!.Value);
            Close(actual, day.GetProperty("actual").GetDouble(), 1e-6);
            Close(scored.Sum(h => h.P50), day.GetProperty("forecast").GetDouble(), 0.01 + 0.0005 * scored.Count);
            var wape = Number(day.GetProperty("wape"));
            if (actual == 0)
            {
                Assert.Null(wape);
                continue;
            }
            Close(scored.Sum(h => Math.Abs(h.P50 - h.Actual!.Value)) / actual, wape!.Value, 1e-3);
            Assert.Contains(day.GetProperty("betterBaseline").GetString(), new[] { "SeasonalNaive", "SameWeekdayMean4" });
            Assert.True(Number(day.GetProperty("baselineWape")) > 0, day.ToString());
        }
        // Sundays were closed: no hours scored, no WAPE.
        Assert.All(days.Where(d => DateOnly.Parse(d.GetProperty("day").GetString()!, CultureInfo.InvariantCulture).DayOfWeek == DayOfWeek.Sunday),
            d => Assert.Equal(0, d.GetProperty("hours").GetInt32()));
        // The held-out hours are the model's backtest: together they give its WAPE.
        var holdout = hours.Where(h => DateOnly.FromDateTime(Local(h.Start)) < today && h.Actual is not null).ToList();
        Close(model.GetProperty("backtest").GetProperty("wape").GetDouble(),
            holdout.Sum(h => Math.Abs(h.P50 - h.Actual!.Value)) / holdout.Sum(h => h.Actual!.Value), 1e-3);

        // Today so far: its complete hours only, none of them with live data for this queue.
        var now = DateTimeOffset.UtcNow;
        var todayHours = hours.Where(h => DateOnly.FromDateTime(Local(h.Start)) == today).ToList();
        Assert.All(todayHours, h => Assert.True(h.Start.AddHours(1) <= now, h.ToString()));
        Assert.All(todayHours, h => Assert.Null(h.Actual));

        // CSV: one row per hour, start at site time, actual empty when there was none.
        using var csvResponse = await manager.GetAsync($"/api/v1/forecast/accuracy?queue={Queue}&format=csv");
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        var lines = (await OkAsync(csvResponse)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("start,actual,p10,p50,p90,closed", lines[0]);
        Assert.Equal(1 + hours.Count, lines.Length);
        var i = hours.FindIndex(h => h.Actual is not null);
        var row = hours[i];
        var start = TimeZoneInfo.ConvertTime(row.Start, Berlin).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        Assert.Equal(string.Join(',', start, Csv(row.Actual!.Value), Csv(row.P10), Csv(row.P50), Csv(row.P90), row.Closed ? "true" : "false"), lines[1 + i]);
        Assert.Contains(lines.Skip(1), l => l.Split(',')[1] == "");

        static string Csv(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
    }

    private static void Close(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected} ± {tolerance}, got {actual}");

    [Fact]
    public async Task Bad_input_is_a_400_naming_the_field_and_a_team_lead_is_refused()
    {
        using var manager = await ManagerAsync();
        foreach (var (query, field, detail) in new[]
        {
            ("queue=nope", "queue", "queue: unknown queue 'nope'"),
            ("", "queue", "queue: required"),
            ($"queue={Queue}&format=xml", "format", "format: 'xml' is not json or csv"),
            // No history and no model: the same answer as GET /api/v1/forecast.
            ("queue=tickets", "queue", "queue: queue tickets has 0 days of history and no trained model"),
        })
        {
            using var bad = await manager.GetAsync($"/api/v1/forecast/accuracy?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(field, problem.GetProperty("field").GetString());
            Assert.StartsWith(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var (lead, password) = await host.EnsureUserAsync("accuracy-lead", Role.TeamLead);
        using var leadClient = await host.SignedInClientAsync(lead, password);
        using var refused = await leadClient.GetAsync($"/api/v1/forecast/accuracy?queue={Queue}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
