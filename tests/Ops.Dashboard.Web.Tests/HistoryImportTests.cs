using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// Contact-volume history imported as CSV over the API: hours stored and replaced, a bad file refused with its row
/// numbers and nothing stored, only Management/Admin sessions and API keys admitted, every attempt audited.
/// </summary>
[Collection(AccessHostCollection.Name)]
public sealed class HistoryImportTests(AccessTestHost host)
{
    private const string Path = "/api/v1/history/volume";

    /// <summary>15-minute rows of one local (CET) day from <paramref name="fromHour"/> for <paramref name="hours"/> hours, counts 1, 2, 3, …</summary>
    internal static string QuarterHours(string day, int fromHour, int hours, int countOffset = 0)
    {
        var text = new StringBuilder("timestamp,count\r\n");
        for (var i = 0; i < hours * 4; i++)
            text.Append($"{day} {fromHour + i / 4:00}:{i % 4 * 15:00},{i + 1 + countOffset}\r\n");
        return text.ToString();
    }

    private static Task<HttpResponseMessage> PostCsvAsync(HttpClient client, string queue, string csv, string contentType = "text/csv") =>
        client.PostAsync($"{Path}?queue={queue}", new StringContent(csv, Encoding.UTF8, contentType));

    private async Task<List<(DateTimeOffset Hour, long Count)>> StoredAsync(string queue, string from, string to)
    {
        var hours = await host.Api.Http.GetFromJsonAsync<JsonElement>($"{Path}?queue={queue}&from={from}&to={to}");
        return hours.EnumerateArray().Select(h => (h.GetProperty("hourStartUtc").GetDateTimeOffset(), h.GetProperty("count").GetInt64())).ToList();
    }

    private static DateTimeOffset Utc(int day, int hour) => new(2025, 3, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_15_minute_file_is_stored_as_hours_a_re_import_replaces_them_and_both_are_audited()
    {
        // 3 Mar 2025, CET: local 08:00–09:45 are 07:00Z and 08:00Z.
        using var first = await PostCsvAsync(host.Api.Http, "billing", QuarterHours("2025-03-03", 8, 2));

        var body = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.OK, body);
        var summary = JsonDocument.Parse(body).RootElement;
        Assert.Equal("billing", summary.GetProperty("queue").GetString());
        Assert.Equal((2, 8), (summary.GetProperty("hours").GetInt32(), summary.GetProperty("rowsRead").GetInt32()));
        Assert.Equal((Utc(3, 7), Utc(3, 9)), (summary.GetProperty("from").GetDateTimeOffset(), summary.GetProperty("to").GetDateTimeOffset()));
        Assert.Equal([(Utc(3, 7), 10L), (Utc(3, 8), 26L)], await StoredAsync("billing", "2025-03-03T00:00:00Z", "2025-03-04T00:00:00Z"));

        // Local 09:00–10:45 again with other counts: 08:00Z replaced, 09:00Z added, 07:00Z kept.
        using var second = await PostCsvAsync(host.Api.Http, "billing", QuarterHours("2025-03-03", 9, 2, countOffset: 100));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(
            [(Utc(3, 7), 10L), (Utc(3, 8), 410L), (Utc(3, 9), 426L)],
            await StoredAsync("billing", "2025-03-03T00:00:00Z", "2025-03-04T00:00:00Z"));
        var entries = await host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.HistoryImport, Text: "2025-03-03T"));
        Assert.Equal(2, entries.Count(e => e.Target == "billing" && e.Success));
        Assert.Contains(entries, e => e.Detail == "2 hours from 8 rows (15-minute), 2025-03-03T08:00Z – 2025-03-03T10:00Z");
    }

    [Fact]
    public async Task A_file_with_bad_rows_is_a_400_naming_each_row_and_stores_nothing()
    {
        var csv = "timestamp,count\n2025-03-04 08:00,5\n2025-03-04 08:15,-3\n2025-03-04 08:30,2\n2025-13-04 08:45,1\n";

        using var response = await PostCsvAsync(host.Api.Http, "billing", csv);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString(), e.GetProperty("message").GetString())).ToList();
        Assert.Equal(
            [(3, "count", "count -3 must be a whole number ≥ 0"), (5, "timestamp", "timestamp '2025-13-04 08:45' is not RFC 3339 or yyyy-MM-dd HH:mm")],
            errors);
        Assert.Empty(await StoredAsync("billing", "2025-03-04T00:00:00Z", "2025-03-05T00:00:00Z"));
        Assert.Contains(await host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.HistoryImport, Text: "row 3: count -3")),
            e => !e.Success && e.Target == "billing");
    }

    [Fact]
    public async Task Management_may_import_a_team_lead_may_not_and_an_anonymous_caller_is_refused()
    {
        var csv = QuarterHours("2025-03-05", 8, 1);
        var (lead, leadPassword) = await host.EnsureUserAsync("history-lead", Role.TeamLead);
        var (manager, managerPassword) = await host.EnsureUserAsync("history-manager", Role.Management);
        using var leadClient = await host.SignedInClientAsync(lead, leadPassword);
        using var managerClient = await host.SignedInClientAsync(manager, managerPassword);
        using var anonymous = host.CreateClient(null);

        using var refused = await PostCsvAsync(leadClient, "billing", csv);
        using var unknown = await PostCsvAsync(anonymous, "billing", csv);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Empty(await StoredAsync("billing", "2025-03-05T00:00:00Z", "2025-03-06T00:00:00Z"));

        using var accepted = await PostCsvAsync(managerClient, "billing", csv);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal([(Utc(5, 7), 10L)], await StoredAsync("billing", "2025-03-05T00:00:00Z", "2025-03-06T00:00:00Z"));
        Assert.Contains(await host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.HistoryImport, Actor: "history-manager")),
            e => e.Success && e.Detail!.Contains("2025-03-05T07:00Z", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_content_type_is_415_and_an_unknown_or_missing_queue_is_a_400_naming_it()
    {
        var csv = QuarterHours("2025-03-06", 8, 1);

        using var json = await PostCsvAsync(host.Api.Http, "billing", csv, "application/json");
        using var unknown = await PostCsvAsync(host.Api.Http, "nope", csv);
        using var missing = await host.Api.Http.PostAsync(Path, new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("queue: unknown queue 'nope'", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("queue: required", await missing.Content.ReadAsStringAsync());
        Assert.Empty(await StoredAsync("billing", "2025-03-06T00:00:00Z", "2025-03-07T00:00:00Z"));
    }
}

/// <summary>`Ops.Dashboard.Web import-volume`: the same import from the command line, the dashboard itself not started.</summary>
public sealed class HistoryImportCommandTests : IDisposable
{
    private readonly string _directory = SupportNet.NewTempDirectory("ops-import-cmd-");

    private string DatabasePath => System.IO.Path.Combine(_directory, "ops.db");

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = SupportNet.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { AppProcess.WebDll() }.Concat(args)) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task Import_volume_stores_the_hours_prints_a_summary_and_refuses_a_bad_file_with_its_rows()
    {
        var good = System.IO.Path.Combine(_directory, "good.csv");
        var bad = System.IO.Path.Combine(_directory, "bad.csv");
        await File.WriteAllTextAsync(good, HistoryImportTests.QuarterHours("2025-03-03", 8, 2));
        await File.WriteAllTextAsync(bad, "timestamp,count\n2025-03-04 08:00,5\n2025-03-04 08:15,x\n");
        var storage = $"--Storage:Path={DatabasePath}";

        var (code, output) = await RunAsync("import-volume", "--queue", "billing", "--file", good, storage);

        Assert.True(code == 0, output);
        Assert.Contains("Imported 2 hours of 'billing' from 8 rows (15-minute): 2025-03-03T07:00Z – 2025-03-03T09:00Z.", output);
        var db = new OpsDatabase(DatabasePath);
        var day = new DateTimeOffset(2025, 3, 3, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal([new HourVolume(day.AddHours(7), 10), new HourVolume(day.AddHours(8), 26)],
            await new VolumeHistoryStore(db).ReadAsync("billing", day, day.AddDays(1)));
        Assert.Contains(await new AuditLog(db).QueryAsync(new AuditQuery(Action: AuditActions.HistoryImport)),
            e => e.Actor == "import-volume command" && e.Success);

        var (refused, errors) = await RunAsync("import-volume", "--queue", "billing", "--file", bad, storage);
        Assert.Equal(1, refused);
        Assert.Contains("row 3: count 'x' must be a whole number ≥ 0", errors);
        Assert.Empty(await new VolumeHistoryStore(db).ReadAsync("billing", day.AddDays(1), day.AddDays(2)));

        var (usage, text) = await RunAsync("import-volume", "--queue", "billing", storage);
        Assert.Equal(2, usage);
        Assert.Contains("usage: import-volume --queue <queue> --file <file.csv>", text);
        Assert.Equal(2, (await RunAsync("import-volume", "--queue", "nope", "--file", good, storage)).ExitCode);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
