using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The forecast API on ten weeks of imported hourly history of one queue: backtest against the baselines, training in
/// the background, a 14-day hourly forecast with closed hours at 0, the staffing it needs, CSV exports, the 24/7
/// decision; planners only, and bad input named.
/// </summary>
[Collection(AccessHostCollection.Name)]
public sealed class ForecastApiTests(AccessTestHost host)
{
    /// <summary>No other test of this host sends or imports anything for it.</summary>
    private const string Queue = "sales";

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>
    /// Ten weeks of hourly rows up to yesterday (site time): open Monday–Saturday 08:00–19:59, Sunday closed; a morning
    /// and an afternoon peak, Mondays busiest, Saturdays quiet, a little seeded noise.
    /// </summary>
    internal static string TenWeeks(DateOnly today)
    {
        var random = new Random(7);
        var text = new StringBuilder("timestamp,count\n");
        for (var day = today.AddDays(-70); day < today; day = day.AddDays(1))
        {
            if (day.DayOfWeek == DayOfWeek.Sunday) continue;
            var level = day.DayOfWeek switch { DayOfWeek.Monday => 1.3, DayOfWeek.Saturday => 0.5, _ => 1.0 };
            for (var hour = 8; hour < 20; hour++)
            {
                var shape = 20 + 25 * Math.Exp(-Math.Pow(hour - 10.5, 2) / 3) + 18 * Math.Exp(-Math.Pow(hour - 15, 2) / 4);
                var count = (int)Math.Round(level * shape * (0.9 + 0.2 * random.NextDouble()));
                text.Append(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd} {hour:00}:00,{count}\n");
            }
        }
        return text.ToString();
    }

    private async Task<HttpClient> ManagerAsync()
    {
        var (user, password) = await host.EnsureUserAsync("forecast-manager", Role.Management);
        return await host.SignedInClientAsync(user, password);
    }

    private static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task Imported_history_is_backtested_trained_forecast_staffed_exported_and_decided()
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Berlin).DateTime);
        using (var import = await host.Api.Http.PostAsync($"/api/v1/history/volume?queue={Queue}", new StringContent(TenWeeks(today), Encoding.UTF8, "text/csv")))
            await OkJsonAsync(import);
        using var manager = await ManagerAsync();

        // Backtest, day ahead: the chosen model and both baselines over the same hours; the choice is never worse than the better baseline.
        using var backtestResponse = await manager.PostAsJsonAsync("/api/v1/forecast/backtest", new { queue = Queue, holdoutDays = 14, horizon = "dayAhead" });
        var backtest = await OkJsonAsync(backtestResponse);
        Assert.Equal((Queue, "dayAhead", 14), (backtest.GetProperty("queue").GetString(), backtest.GetProperty("horizon").GetString(), backtest.GetProperty("holdoutDays").GetInt32()));
        Assert.True(backtest.GetProperty("hours").GetInt32() > 0);
        var scores = new[] { "model", "seasonalNaive", "sameWeekdayMean4" }.ToDictionary(n => n, n => backtest.GetProperty(n));
        foreach (var (name, s) in scores)
        {
            foreach (var field in new[] { "mae", "rmse", "mape", "wape" })
                Assert.True(s.GetProperty(field).GetDouble() >= 0, $"{name}.{field}");
            Assert.True(s.GetProperty("wape").GetDouble() > 0 || name == "model", name);
        }
        Assert.False(string.IsNullOrEmpty(scores["model"].GetProperty("name").GetString()));
        var betterBaseline = Math.Min(scores["seasonalNaive"].GetProperty("wape").GetDouble(), scores["sameWeekdayMean4"].GetProperty("wape").GetDouble());
        Assert.True(scores["model"].GetProperty("wape").GetDouble() <= betterBaseline + 1e-9, backtest.ToString());
        Assert.True(backtest.GetProperty("wapeImprovementPercent").GetDouble() >= -1e-6);

        // The 14-days-ahead variant: the same held-out days and hours, every hour forecast from data before the block's first day.
        using var farResponse = await manager.PostAsJsonAsync("/api/v1/forecast/backtest", new { queue = Queue, holdoutDays = 14, horizon = "14days" });
        var far = await OkJsonAsync(farResponse);
        Assert.Equal(("14days", 14), (far.GetProperty("horizon").GetString(), far.GetProperty("holdoutDays").GetInt32()));
        foreach (var field in new[] { "hours", "holdoutFirstDay", "holdoutLastDay" })
            Assert.Equal(backtest.GetProperty(field).ToString(), far.GetProperty(field).ToString());
        // Seasonal naive looks back 7 days, so 14 days ahead its second week repeats the last known week: it differs from day-ahead.
        Assert.NotEqual(scores["seasonalNaive"].GetProperty("mae").GetDouble(), far.GetProperty("seasonalNaive").GetProperty("mae").GetDouble());
        Assert.True(far.GetProperty("model").GetProperty("wape").GetDouble() > 0);

        // Train in the background until Done.
        using var trainResponse = await manager.PostAsync($"/api/v1/forecast/train?queue={Queue}", null);
        Assert.Equal(HttpStatusCode.Accepted, trainResponse.StatusCode);
        var state = await OkJsonAsync(trainResponse);
        Assert.Contains(state.GetProperty("status").GetString(), new[] { "Running", "Done" });
        var until = DateTime.UtcNow.AddSeconds(60);
        while (state.GetProperty("status").GetString() == "Running" && DateTime.UtcNow < until)
        {
            await Task.Delay(250);
            using var statusResponse = await manager.GetAsync($"/api/v1/forecast/status?queue={Queue}");
            state = await OkJsonAsync(statusResponse);
        }
        Assert.True(state.GetProperty("status").GetString() == "Done", state.ToString());

        // The forecast: 14 × 24 hours from today, ordered quantiles, closed hours (nights, Sundays) at 0.
        using var forecastResponse = await manager.GetAsync($"/api/v1/forecast?queue={Queue}&days=14");
        var forecast = await OkJsonAsync(forecastResponse);
        var model = forecast.GetProperty("model");
        Assert.False(string.IsNullOrEmpty(model.GetProperty("trainer").GetString()));
        var lastOpenDay = today.AddDays(today.AddDays(-1).DayOfWeek == DayOfWeek.Sunday ? -2 : -1);
        Assert.Equal(lastOpenDay, DateOnly.Parse(model.GetProperty("dataTo").GetString()!, CultureInfo.InvariantCulture));
        Assert.True(model.GetProperty("backtest").GetProperty("wape").GetDouble() > 0);
        var hours = forecast.GetProperty("hours").EnumerateArray().ToList();
        Assert.Equal(14 * 24, hours.Count);
        foreach (var h in hours)
        {
            var (p10, p50, p90) = (h.GetProperty("p10").GetDouble(), h.GetProperty("p50").GetDouble(), h.GetProperty("p90").GetDouble());
            Assert.True(p10 <= p50 && p50 <= p90, h.ToString());
            var local = TimeZoneInfo.ConvertTime(h.GetProperty("start").GetDateTimeOffset(), Berlin);
            var open = local.DayOfWeek != DayOfWeek.Sunday && local.Hour is >= 8 and < 20;
            Assert.True(h.GetProperty("closed").GetBoolean() == !open, h.ToString());
            if (!open) Assert.Equal((0.0, 0.0, 0.0), (p10, p50, p90));
            else Assert.True(p50 > 0, h.ToString());
        }

        // The forecastDeviation alarm reads this hour's p50 of the saved model; a queue without a model has none.
        var expectations = host.Service<Ops.Dashboard.Grains.IForecastExpectations>();
        var hourStart = host.Service<SiteClock>().LocalHourStart(DateTimeOffset.UtcNow);
        var thisHour = hours.Single(h => h.GetProperty("start").GetDateTimeOffset() == hourStart);
        var expected = thisHour.GetProperty("closed").GetBoolean() ? 0 : thisHour.GetProperty("p50").GetDouble();
        Assert.Equal(expected, await expectations.ExpectedThisHourAsync(Queue, hourStart));
        Assert.Null(await expectations.ExpectedThisHourAsync("tickets", hourStart));

        // Staffing: agents in every open hour (Erlang C for a phone queue), more scheduled than productive after shrinkage.
        using var staffingResponse = await manager.GetAsync($"/api/v1/staffing?queue={Queue}&days=14");
        var staffing = await OkJsonAsync(staffingResponse);
        Assert.Equal(StaffingCalculator.ErlangCModel, staffing.GetProperty("model").GetString());
        var staffed = staffing.GetProperty("hours").EnumerateArray().ToList();
        Assert.Equal(14 * 24, staffed.Count);
        Assert.All(staffed.Where(h => !h.GetProperty("closed").GetBoolean()), h =>
        {
            Assert.True(h.GetProperty("requiredAgents").GetInt32() > 0, h.ToString());
            Assert.True(h.GetProperty("scheduledAgents").GetInt32() > h.GetProperty("requiredAgents").GetInt32(), h.ToString());
        });
        Assert.All(staffed.Where(h => h.GetProperty("closed").GetBoolean()), h => Assert.Equal(0, h.GetProperty("requiredAgents").GetInt32()));

        // CSV exports.
        using var forecastCsv = await manager.GetAsync($"/api/v1/forecast?queue={Queue}&format=csv");
        var forecastLines = (await forecastCsv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("text/csv", forecastCsv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("start,p10,p50,p90,closed", forecastLines[0]);
        Assert.Equal(1 + 14 * 24, forecastLines.Length);
        using var staffingCsv = await manager.GetAsync($"/api/v1/staffing?queue={Queue}&format=csv");
        var staffingLines = (await staffingCsv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("start,closed,forecast,requiredAgents,scheduledAgents", staffingLines[0]);
        Assert.Equal(1 + 14 * 24, staffingLines.Length);

        // 24/7: all sales contacts fall in the day, so no night cover for this queue.
        using var decisionResponse = await manager.GetAsync("/api/v1/decision/24x7?weeks=6");
        var decision = await OkJsonAsync(decisionResponse);
        var sales = decision.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == Queue);
        Assert.True(sales.GetProperty("totalContacts").GetInt64() > 0);
        Assert.Equal(0, sales.GetProperty("nightShare").GetDouble());
        Assert.Equal(TwentyFourSevenDecision.NotNeeded, sales.GetProperty("decision").GetString());
        Assert.True(decision.GetProperty("overall").GetProperty("totalContacts").GetInt64() >= sales.GetProperty("totalContacts").GetInt64());

        // Erlang A once the queue's own abandons measure the customers' patience: 30 callers who each waited 60 s and
        // hung up give a mean patience of 30 × 60 s / 30 abandons = 60 s; at least as few agents as Erlang C asked for.
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        await host.Api.IngestAsync(Enumerable.Range(0, 30).SelectMany(i =>
        {
            var id = WireEvents.NewId("patience-");
            var at = start.AddSeconds(i * 90);
            return new[] { WireEvents.Created(id, Queue, at), WireEvents.Abandoned(id, at.AddSeconds(60)) };
        }));
        JsonElement erlangA = default;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(500);
            using var again = await manager.GetAsync($"/api/v1/staffing?queue={Queue}&days=14");
            erlangA = await OkJsonAsync(again);
        }
        while (erlangA.GetProperty("model").GetString() != StaffingCalculator.ErlangAModel && DateTime.UtcNow < deadline);
        Assert.Equal(StaffingCalculator.ErlangAModel, erlangA.GetProperty("model").GetString());
        Assert.Equal(60, erlangA.GetProperty("patienceSeconds").GetDouble());
        Assert.True(erlangA.GetProperty("patienceMeasured").GetBoolean());
        var withPatience = erlangA.GetProperty("hours").EnumerateArray().ToList();
        Assert.Equal(staffed.Count, withPatience.Count);
        for (var i = 0; i < staffed.Count; i++)
            Assert.True(withPatience[i].GetProperty("requiredAgents").GetInt32() <= staffed[i].GetProperty("requiredAgents").GetInt32(), withPatience[i].ToString());
        Assert.True(withPatience.Sum(h => h.GetProperty("requiredAgents").GetInt32()) < staffed.Sum(h => h.GetProperty("requiredAgents").GetInt32()));
    }

    [Fact]
    public async Task An_asynchronous_queue_is_staffed_by_workload_not_by_erlang()
    {
        // "social" is the host's asynchronous queue that no other test imports history for.
        const string social = "social";
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Berlin).DateTime);
        using (var import = await host.Api.Http.PostAsync($"/api/v1/history/volume?queue={social}", new StringContent(TenWeeks(today), Encoding.UTF8, "text/csv")))
            await OkJsonAsync(import);
        using var manager = await ManagerAsync();

        using var response = await manager.GetAsync($"/api/v1/staffing?queue={social}&days=3");
        var plan = await OkJsonAsync(response);
        Assert.Equal("Workload", plan.GetProperty("model").GetString());
        var aht = plan.GetProperty("ahtSeconds").GetDouble();
        var occupancy = plan.GetProperty("maxOccupancyPercent").GetDouble() / 100;
        var hours = plan.GetProperty("hours").EnumerateArray().ToList();
        Assert.Equal(3 * 24, hours.Count);
        Assert.Contains(hours, h => h.GetProperty("requiredAgents").GetInt32() > 0);
        foreach (var h in hours)
        {
            // No queueing model: no service level; just enough agents for the hour's work at the maximum occupancy, and no more.
            Assert.Equal(JsonValueKind.Null, h.GetProperty("serviceLevel").ValueKind);
            var work = h.GetProperty("forecast").GetDouble() * aht / 3600 / occupancy;
            var required = h.GetProperty("requiredAgents").GetInt32();
            Assert.True(required >= work - 1e-3 && required < work + 1 + 1e-3, h.ToString()); // the forecast shown is rounded to 2 decimals
        }
    }

    [Fact]
    public async Task A_team_lead_is_refused_and_bad_input_is_a_400_naming_the_field()
    {
        var (lead, password) = await host.EnsureUserAsync("forecast-lead", Role.TeamLead);
        using var leadClient = await host.SignedInClientAsync(lead, password);
        using var refused = await leadClient.GetAsync($"/api/v1/forecast?queue={Queue}");
        using var refusedBacktest = await leadClient.PostAsJsonAsync("/api/v1/forecast/backtest", new { queue = Queue, holdoutDays = 7, horizon = "dayAhead" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refusedBacktest.StatusCode);

        using var manager = await ManagerAsync();
        foreach (var (holdout, field) in new[] { (0, "holdoutDays"), (91, "holdoutDays") })
        {
            using var bad = await manager.PostAsJsonAsync("/api/v1/forecast/backtest", new { queue = Queue, holdoutDays = holdout, horizon = "dayAhead" });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(field, problem.GetProperty("field").GetString());
            Assert.StartsWith("holdoutDays: ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var unknown = await manager.PostAsJsonAsync("/api/v1/forecast/backtest", new { queue = "nope", holdoutDays = 7, horizon = "dayAhead" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("queue: unknown queue 'nope'", await unknown.Content.ReadAsStringAsync());

        // A queue without history: the backtest says how much there is and how much it needs.
        using var empty = await manager.PostAsJsonAsync("/api/v1/forecast/backtest", new { queue = "tickets", holdoutDays = 14, horizon = "14days" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("queue tickets has 0 days of history; the backtest needs at least holdoutDays + 35 = 49", await empty.Content.ReadAsStringAsync());
        using var noForecast = await manager.GetAsync("/api/v1/forecast?queue=tickets");
        Assert.Equal(HttpStatusCode.BadRequest, noForecast.StatusCode);
        Assert.Contains("queue tickets has 0 days of history", await noForecast.Content.ReadAsStringAsync());
    }
}
