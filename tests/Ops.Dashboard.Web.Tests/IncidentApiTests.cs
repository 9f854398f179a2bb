using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The incident runbook through /api/v1/incidents on a running host: every step recorded with the signed-in team lead as
/// its owner and in the audit log, TTA and TTR in the answers, bad input named by field, roles below TeamLead refused,
/// and a step out of order refused without changing anything. Each test opens its own incidents (titles with a fresh tag).
/// </summary>
[Collection(AccessHostCollection.Name)]
public sealed class IncidentApiTests(AccessTestHost host)
{
    private const string Lead = "incident-lead";

    private async Task<HttpClient> LeadAsync()
    {
        var (user, password) = await host.EnsureUserAsync(Lead, Role.TeamLead);
        return await host.SignedInClientAsync(user, password);
    }

    private static string Tag() => "inc-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
    }

    private static async Task<long> OpenAsync(HttpClient client, string title)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/incidents", new { title, queue = "billing", severity = "critical", description = "Calls drop after the IVR" });
        return (await OkAsync(response, HttpStatusCode.Created)).GetProperty("id").GetInt64();
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(long id) =>
        [.. (await host.Service<AuditLog>().QueryAsync(new AuditQuery(Text: $"incident #{id}"))).Where(e => e.Target == $"incident #{id}").Reverse()];

    [Fact]
    public async Task Running_an_incident_through_the_runbook_records_each_step_by_the_lead_with_tta_ttr_and_audit()
    {
        using var lead = await LeadAsync();
        var title = $"Billing hotline unreachable {Tag()}";

        using var created = await lead.PostAsJsonAsync("/api/v1/incidents", new { title, queue = "billing", severity = "Critical", description = "Calls drop after the IVR" });
        var incident = await OkAsync(created, HttpStatusCode.Created);
        var id = incident.GetProperty("id").GetInt64();
        Assert.Equal($"/api/v1/incidents/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(("open", "critical", "billing", Lead), (incident.GetProperty("status").GetString(), incident.GetProperty("severity").GetString(),
            incident.GetProperty("queue").GetString(), incident.GetProperty("openedBy").GetString()));
        Assert.Equal(JsonValueKind.Null, incident.GetProperty("ttaSeconds").ValueKind);

        using var ack = await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/acknowledge", new { note = "on it" });
        Assert.Equal(Lead, (await OkAsync(ack)).GetProperty("acknowledgedBy").GetString());

        var eta = DateTimeOffset.UtcNow.AddHours(2);
        using var informed = await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/customers-informed",
            new { eta = eta.ToString("O"), message = "Our hotline is down; we expect it back within two hours." });
        var afterInform = await OkAsync(informed);
        Assert.Equal(eta.ToUnixTimeMilliseconds(), afterInform.GetProperty("customerEta").GetDateTimeOffset().ToUnixTimeMilliseconds());

        using var escalated = await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/escalate", new { priority = "p1", note = "SIP trunk down" });
        Assert.Equal("P1", (await OkAsync(escalated)).GetProperty("techPriority").GetString());

        using var resolved = await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/resolve", new { note = "carrier fixed it" });
        var afterResolve = await OkAsync(resolved);
        Assert.Equal(("resolved", Lead), (afterResolve.GetProperty("status").GetString(), afterResolve.GetProperty("resolvedBy").GetString()));

        using var reviewed = await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/review",
            new { rootCause = "Unannounced carrier maintenance", lessonsLearned = "Second carrier as fallback", knowledgeBaseUpdated = true });
        var afterReview = await OkAsync(reviewed);
        Assert.Equal(("reviewed", Lead, true), (afterReview.GetProperty("status").GetString(), afterReview.GetProperty("reviewedBy").GetString(),
            afterReview.GetProperty("knowledgeBaseUpdated").GetBoolean()));

        using var noted = await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/notes", new { note = "KB article 112 updated" });
        await OkAsync(noted);

        var detail = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
        var record = detail.GetProperty("incident");
        var tta = record.GetProperty("ttaSeconds").GetDouble();
        var ttr = record.GetProperty("ttrSeconds").GetDouble();
        Assert.InRange(tta, 0, 60);
        Assert.InRange(ttr, tta, 60);
        var timeline = detail.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(["detected", "acknowledged", "customersInformed", "escalatedToTech", "resolved", "reviewed", "note"],
            timeline.Select(e => e.GetProperty("step").GetString()));
        Assert.All(timeline, e => Assert.Equal(Lead, e.GetProperty("by").GetString()));
        Assert.Equal(eta.ToUnixTimeMilliseconds(), timeline[2].GetProperty("eta").GetDateTimeOffset().ToUnixTimeMilliseconds());

        var listed = Assert.Single((await lead.GetFromJsonAsync<JsonElement>($"/api/v1/incidents?status=reviewed&queue=billing&text={Uri.EscapeDataString(title)}")).EnumerateArray());
        Assert.Equal((id, tta, ttr), (listed.GetProperty("id").GetInt64(), listed.GetProperty("ttaSeconds").GetDouble(), listed.GetProperty("ttrSeconds").GetDouble()));
        Assert.Empty((await lead.GetFromJsonAsync<JsonElement>($"/api/v1/incidents?status=open&text={Uri.EscapeDataString(title)}")).EnumerateArray());

        var audit = await AuditAsync(id);
        Assert.Equal(
            [AuditActions.IncidentOpen, AuditActions.IncidentStep, AuditActions.IncidentStep, AuditActions.IncidentStep, AuditActions.IncidentStep,
                AuditActions.IncidentReview, AuditActions.IncidentStep],
            audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal((Lead, $"incident #{id}"), (e.Actor, e.Target)));
        Assert.Equal(["Acknowledged", "CustomersInformed", "EscalatedToTech", "Resolved", "Note"],
            audit.Where(e => e.Action == AuditActions.IncidentStep).Select(e => e.Detail!.Split(':')[0]));
        Assert.Contains("Unannounced carrier maintenance", audit[5].Detail);
    }

    [Fact]
    public async Task Bad_input_is_a_400_naming_the_field_and_an_unknown_incident_or_alarm_a_404()
    {
        using var lead = await LeadAsync();
        async Task<string> PostAsync(string path, object body, HttpStatusCode expected = HttpStatusCode.BadRequest)
        {
            using var response = await lead.PostAsJsonAsync(path, body);
            return await ProblemAsync(response, expected);
        }
        async Task<string> GetAsync(string path, HttpStatusCode expected = HttpStatusCode.BadRequest)
        {
            using var response = await lead.GetAsync(path);
            return await ProblemAsync(response, expected);
        }

        Assert.StartsWith("title: required", await PostAsync("/api/v1/incidents", new { severity = "warning" }));
        Assert.StartsWith("title: has 201 characters", await PostAsync("/api/v1/incidents", new { title = new string('x', 201), severity = "warning" }));
        Assert.StartsWith("severity: 'urgent' is not one of info, warning, critical", await PostAsync("/api/v1/incidents", new { title = "x", severity = "urgent" }));
        Assert.StartsWith("queue: unknown queue 'nope'", await PostAsync("/api/v1/incidents", new { title = "x", severity = "info", queue = "nope" }));
        Assert.StartsWith("alarmId:", await PostAsync("/api/v1/incidents", new { alarmId = "a-1", title = "x" }));
        Assert.StartsWith("alarmId: no alarm 'no-such-alarm'", await PostAsync("/api/v1/incidents", new { alarmId = "no-such-alarm" }, HttpStatusCode.NotFound));

        var id = await OpenAsync(lead, $"Validation {Tag()}");
        var before = await AuditAsync(id);
        Assert.StartsWith("eta: required", await PostAsync($"/api/v1/incidents/{id}/customers-informed", new { message = "m" }));
        Assert.StartsWith("eta: 'tomorrow' is not an RFC 3339 timestamp", await PostAsync($"/api/v1/incidents/{id}/customers-informed", new { eta = "tomorrow", message = "m" }));
        Assert.StartsWith("eta:", await PostAsync($"/api/v1/incidents/{id}/customers-informed", new { eta = DateTimeOffset.UtcNow.AddHours(-1).ToString("O"), message = "m" }));
        Assert.StartsWith("message: required", await PostAsync($"/api/v1/incidents/{id}/customers-informed", new { eta = DateTimeOffset.UtcNow.AddHours(1).ToString("O"), message = " " }));
        Assert.StartsWith("priority: 'P9' is not one of P1, P2, P3, P4", await PostAsync($"/api/v1/incidents/{id}/escalate", new { priority = "P9" }));
        Assert.StartsWith("note: required", await PostAsync($"/api/v1/incidents/{id}/notes", new { note = "  " }));
        Assert.StartsWith("knowledgeBaseUpdated:", await PostAsync($"/api/v1/incidents/{id}/review", new { rootCause = "r", lessonsLearned = "l" }));
        Assert.StartsWith("status: 'closed'", await GetAsync("/api/v1/incidents?status=closed"));
        Assert.StartsWith("queue: unknown queue 'nope'", await GetAsync("/api/v1/incidents?queue=nope"));
        Assert.StartsWith("from: 'yesterday'", await GetAsync("/api/v1/incidents?from=yesterday"));
        Assert.StartsWith("to: must be after from", await GetAsync("/api/v1/incidents?from=2026-11-23T10:00:00Z&to=2026-11-23T09:00:00Z"));
        Assert.StartsWith("limit: must be 1–1000", await GetAsync("/api/v1/incidents?limit=0"));

        Assert.Contains("no incident #987654321", await GetAsync("/api/v1/incidents/987654321", HttpStatusCode.NotFound));
        Assert.Contains("no incident #987654321", await PostAsync("/api/v1/incidents/987654321/acknowledge", new { note = "x" }, HttpStatusCode.NotFound));

        // Nothing of the refused requests was recorded.
        Assert.Equal(before.Count, (await AuditAsync(id)).Count);
        var detail = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
        Assert.Equal(["detected"], detail.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("step").GetString()));
    }

    [Fact]
    public async Task Agents_and_api_keys_get_403_for_incidents()
    {
        var (user, password) = await host.EnsureUserAsync("incident-agent", Role.Agent);
        using var agent = await host.SignedInClientAsync(user, password);
        using var lead = await LeadAsync();
        var id = await OpenAsync(lead, $"Access {Tag()}");

        using (var list = await agent.GetAsync("/api/v1/incidents")) Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        using (var one = await agent.GetAsync($"/api/v1/incidents/{id}")) Assert.Equal(HttpStatusCode.Forbidden, one.StatusCode);
        using (var open = await agent.PostAsJsonAsync("/api/v1/incidents", new { title = "by an agent", severity = "info" }))
            Assert.Equal(HttpStatusCode.Forbidden, open.StatusCode);
        using (var ack = await agent.PostAsJsonAsync($"/api/v1/incidents/{id}/acknowledge", new { note = "me" }))
            Assert.Equal(HttpStatusCode.Forbidden, ack.StatusCode);
        // A source's key reads the floor; running incidents is for people.
        using (var keyed = await host.Api.Http.GetAsync("/api/v1/incidents")) Assert.Equal(HttpStatusCode.Forbidden, keyed.StatusCode);
        using (var anonymous = await host.CreateClient(null).GetAsync("/api/v1/incidents")) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var detail = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("incident").GetProperty("acknowledgedAt").ValueKind);
        Assert.Equal([AuditActions.IncidentOpen], (await AuditAsync(id)).Select(e => e.Action));
    }

    [Fact]
    public async Task A_review_before_resolving_is_refused_with_409_and_changes_nothing()
    {
        using var lead = await LeadAsync();
        var id = await OpenAsync(lead, $"Out of order {Tag()}");
        using (var ack = await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/acknowledge", new { note = "mine" })) await OkAsync(ack);
        var before = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
        var auditBefore = await AuditAsync(id);

        using var review = await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/review",
            new { rootCause = "guess", lessonsLearned = "none yet", knowledgeBaseUpdated = false });
        Assert.Equal($"Incident #{id} is still open; resolve it before the review.", await ProblemAsync(review, HttpStatusCode.Conflict));
        using var again = await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/acknowledge", new { note = "twice" });
        Assert.StartsWith($"Incident #{id} was already acknowledged by {Lead}", await ProblemAsync(again, HttpStatusCode.Conflict));

        var after = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
        Assert.Equal(before.GetRawText(), after.GetRawText());
        Assert.Equal("open", after.GetProperty("incident").GetProperty("status").GetString());
        Assert.Equal(auditBefore.Select(e => e.Id), (await AuditAsync(id)).Select(e => e.Id));
    }
}
