using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.Web.Tests;

/// <summary>An alarm's life through the API and the hub: raised, acknowledged (TeamLead and above), cleared; notified by webhook.</summary>
[Collection(AccessHostCollection.Name)]
public sealed class AlarmApiTests(AccessTestHost host)
{
    [Fact]
    public async Task An_alarm_is_raised_on_the_hub_and_the_api_acknowledged_by_a_team_lead_and_cleared()
    {
        await using var hub = await HubClient.ConnectAsync(host);
        await hub.SubscribeAsync("SubscribeAll");
        var now = DateTimeOffset.UtcNow;
        var c1 = WireEvents.NewId("al-");
        var c2 = WireEvents.NewId("al-");
        await host.Api.IngestAsync([WireEvents.Created(c1, AccessTestHost.AlarmQueue, now.AddSeconds(-20), "social"), WireEvents.Created(c2, AccessTestHost.AlarmQueue, now.AddSeconds(-10), "social")]);

        var raised = await hub.WaitAsync("AlarmRaised", a => a.GetProperty("rule").GetString() == "test-waiting");
        var id = raised.GetProperty("id").GetString()!;
        Assert.Equal((AccessTestHost.AlarmQueue, "critical"), (raised.GetProperty("queue").GetString(), raised.GetProperty("severity").GetString()));

        var active = await host.Api.Http.GetFromJsonAsync<JsonElement>("/api/v1/alarms");
        var listed = active.EnumerateArray().Single(a => a.GetProperty("id").GetString() == id);
        foreach (var field in new[] { "id", "queue", "rule", "severity", "raisedAt", "acknowledgedBy", "acknowledgedAt", "escalated" })
            Assert.True(listed.TryGetProperty(field, out _), $"GET /api/v1/alarms lacks {field}");
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("acknowledgedBy").ValueKind);
        Assert.False(listed.GetProperty("escalated").GetBoolean());

        var (hook, headers) = await host.Receiver.WaitForAsync(b => b.Contains(id) && b.Contains("\"raised\""), TimeSpan.FromSeconds(20));
        Assert.Equal(WebhookSender.Sign(AccessTestHost.WebhookSecret, hook), headers[WebhookSender.SignatureHeader]);

        var (agentUser, agentPassword) = await host.EnsureUserAsync("alarm-agent", Role.Agent);
        using var agent = await host.SignedInClientAsync(agentUser, agentPassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync($"/api/v1/alarms/{id}/ack", null)).StatusCode);

        var (leadUser, leadPassword) = await host.EnsureUserAsync("alarm-lead", Role.TeamLead);
        using var lead = await host.SignedInClientAsync(leadUser, leadPassword);
        using var ack = await lead.PostAsync($"/api/v1/alarms/{id}/ack", null);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.Equal("alarm-lead", (await ack.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("acknowledgedBy").GetString());
        await hub.WaitAsync("AlarmAcknowledged", a => a.GetProperty("id").GetString() == id);
        Assert.Equal(HttpStatusCode.OK, (await lead.PostAsync($"/api/v1/alarms/{id}/ack", null)).StatusCode);
        Assert.Single(await host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.AlarmAcknowledge, Text: id)));

        await host.Api.IngestAsync([WireEvents.Abandoned(c1, DateTimeOffset.UtcNow), WireEvents.Abandoned(c2, DateTimeOffset.UtcNow)]);
        await hub.WaitAsync("AlarmCleared", a => a.GetProperty("id").GetString() == id);
        Assert.DoesNotContain((await host.Api.Http.GetFromJsonAsync<JsonElement>("/api/v1/alarms")).EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        var recent = await host.Api.Http.GetFromJsonAsync<JsonElement>("/api/v1/alarms?recent=true");
        Assert.NotEqual(JsonValueKind.Null, recent.EnumerateArray().Single(a => a.GetProperty("id").GetString() == id).GetProperty("clearedAt").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await lead.PostAsync($"/api/v1/alarms/{id}/ack", null)).StatusCode);
    }

    [Fact]
    public async Task The_surge_switch_says_plainly_when_no_simulator_runs()
    {
        var (user, password) = await host.EnsureUserAsync("surge-manager", Role.ShiftManager);
        using var manager = await host.SignedInClientAsync(user, password);

        using var response = await manager.PostAsJsonAsync("/api/v1/simulator/surge", new { factor = 3 });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("simulator is not running", await response.Content.ReadAsStringAsync());
    }
}
