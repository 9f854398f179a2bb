using Ops.Dashboard.Testing;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Ops.Dashboard.Web.Tests;

/// <summary>The read and ingestion API of one running dashboard, as a source or a screen would use it.</summary>
public sealed class OpsApi(HttpClient http)
{
    /// <summary>How long a test waits for the dispatcher to catch up before it fails.</summary>
    public static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(90);

    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> PostRawAsync(string body) =>
        Http.PostAsync("/api/v1/events", new StringContent(body, Encoding.UTF8, "application/json"));

    /// <summary>Posts a batch, asserts the 202 and returns its body ({"accepted","duplicates"}).</summary>
    public async Task<(int Accepted, int Duplicates)> PostAsync(IEnumerable<JsonObject> events) => await PostBodyAsync(WireEvents.Body(events));

    public async Task<(int Accepted, int Duplicates)> PostBodyAsync(string body)
    {
        using var response = await PostRawAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/v1/events: expected 202, got {(int)response.StatusCode}: {text}");
        var json = JsonNode.Parse(text)!;
        return ((int)json["accepted"]!, (int)json["duplicates"]!);
    }

    /// <summary>Posts a batch and waits until the dispatcher has applied everything logged so far.</summary>
    public async Task<(int Accepted, int Duplicates)> IngestAsync(IEnumerable<JsonObject> events)
    {
        var result = await PostAsync(events);
        await WaitUntilAppliedAsync();
        return result;
    }

    public async Task<JsonObject> HealthAsync()
    {
        using var response = await Http.GetAsync("/healthz");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /healthz: {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Polls /healthz until status is ok and appliedSeq ≥ loggedSeq (no fixed sleeps).</summary>
    public async Task<JsonObject> WaitUntilAppliedAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? ApplyTimeout;
        var watch = Stopwatch.StartNew();
        JsonObject? last = null;
        while (true)
        {
            last = await HealthAsync();
            var status = (string?)last["status"];
            if (status == "failed") Assert.Fail($"the dispatcher failed: {last.ToJsonString()}");
            if (status == "ok" && (long)last["appliedSeq"]! >= (long)last["loggedSeq"]!) return last;
            if (watch.Elapsed > limit) Assert.Fail($"events not applied within {limit}: {last.ToJsonString()}");
            await Task.Delay(25);
        }
    }

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: expected 200, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task<JsonArray> QueuesAsync() => (await GetJsonAsync("/api/v1/queues")).AsArray();

    public async Task<JsonObject> QueueAsync(string id) => (await GetJsonAsync($"/api/v1/queues/{Uri.EscapeDataString(id)}")).AsObject();

    public async Task<JsonArray> AgentsAsync() => (await GetJsonAsync("/api/v1/agents")).AsArray();

    public async Task<JsonObject?> AgentAsync(string id) =>
        (await AgentsAsync()).Select(a => a!.AsObject()).SingleOrDefault(a => (string?)a["id"] == id);

    /// <summary>The contact record, or null on 404.</summary>
    public async Task<JsonObject?> ContactAsync(string id)
    {
        using var response = await Http.GetAsync($"/api/v1/contacts/{Uri.EscapeDataString(id)}");
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET contact {id}: {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<JsonObject> RequiredContactAsync(string id) =>
        await ContactAsync(id) ?? throw new Xunit.Sdk.XunitException($"contact {id} not found (404)");

    /// <summary>GET /api/v1/stats with explicit bounds (sent in UTC, escaped).</summary>
    public async Task<JsonArray> StatsAsync(string? queue, DateTimeOffset from, DateTimeOffset to, string interval = "15m")
    {
        var query = $"from={Q(from)}&to={Q(to)}&interval={interval}" + (queue is null ? "" : $"&queue={Uri.EscapeDataString(queue)}");
        return (await GetJsonAsync($"/api/v1/stats?{query}")).AsArray();
    }

    /// <summary>The single interval starting at <paramref name="start"/> of the given length.</summary>
    public async Task<JsonObject> IntervalAsync(string? queue, DateTimeOffset start, string interval = "15m")
    {
        var end = interval switch
        {
            "1h" => start.AddHours(1),
            "1d" => SiteTime.DayStart(DateOnly.FromDateTime(SiteTime.ToSite(start).DateTime).AddDays(1)),
            _ => start.AddMinutes(15),
        };
        var rows = await StatsAsync(queue, start, end, interval);
        var row = Assert.Single(rows)!.AsObject();
        Assert.Equal(start.UtcDateTime, Instant(row["start"]).UtcDateTime);
        return row;
    }

    private static string Q(DateTimeOffset at) => Uri.EscapeDataString(at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));

    public static DateTimeOffset Instant(JsonNode? node) =>
        DateTimeOffset.Parse((string)node!, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Reading INTERVAL objects of the read API.</summary>
public static class Figures
{
    public static readonly string[] Counts =
        ["offered", "answered", "answeredWithinThreshold", "abandoned", "shortAbandoned", "transferredOut", "handled"];

    public static readonly string[] Ratios = ["serviceLevelPercent", "asaSeconds", "ahtSeconds", "abandonRatePercent"];

    public static long Count(JsonNode interval, string field) => (long)interval[field]!;

    public static double? Ratio(JsonNode interval, string field) => interval[field] is { } v ? (double)v : null;

    public static long Sum(JsonArray intervals, string field) => intervals.Sum(i => Count(i!, field));

    /// <summary>Asserts every count of an interval; fields not given must be zero.</summary>
    public static void AssertCounts(JsonNode interval, string what, long offered = 0, long answered = 0, long answeredWithinThreshold = 0,
        long abandoned = 0, long shortAbandoned = 0, long transferredOut = 0, long handled = 0)
    {
        var expected = new Dictionary<string, long>
        {
            ["offered"] = offered, ["answered"] = answered, ["answeredWithinThreshold"] = answeredWithinThreshold,
            ["abandoned"] = abandoned, ["shortAbandoned"] = shortAbandoned, ["transferredOut"] = transferredOut, ["handled"] = handled,
        };
        var actual = Counts.ToDictionary(f => f, f => Count(interval, f));
        Assert.True(expected.SequenceEqual(actual),
            $"{what}: expected {Show(expected)}, got {Show(actual)} in {interval.ToJsonString()}");
    }

    public static void AssertRatio(double? expected, JsonNode interval, string field, string what)
    {
        var actual = Ratio(interval, field);
        if (expected is null)
        {
            Assert.True(actual is null, $"{what}: {field} expected null, got {actual} in {interval.ToJsonString()}");
            return;
        }
        Assert.True(actual is not null && Math.Abs(actual.Value - expected.Value) < 1e-6,
            $"{what}: {field} expected {expected}, got {actual?.ToString() ?? "null"} in {interval.ToJsonString()}");
    }

    private static string Show(Dictionary<string, long> d) => string.Join(", ", d.Select(kv => $"{kv.Key}={kv.Value}"));
}
