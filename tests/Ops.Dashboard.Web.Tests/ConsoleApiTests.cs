using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using Microsoft.AspNetCore.SignalR.Client;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// Reallocation and agent state control through the API: the live state changes at once, the audit
/// log records who did it, and the control command reaches the hub and the routing system's webhook.
/// Also kiosk tokens and issued keys, which stop working the moment they are revoked.
/// </summary>
[Collection(AccessHostCollection.Name)]
public sealed class ConsoleApiTests(AccessTestHost host)
{
    private async Task<string> NewAgentAsync(params string[] queues)
    {
        var agent = WireEvents.NewId("ca-");
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        await host.Api.IngestAsync([WireEvents.AgentState(agent, "available", at, name: "Ada " + agent[^4..], team: "Früh"), WireEvents.AgentQueues(agent, at, queues)]);
        return agent;
    }

    private async Task<JsonElement> AgentAsync(string id)
    {
        var agents = await host.Api.Http.GetFromJsonAsync<JsonElement>("/api/v1/agents");
        return agents.EnumerateArray().Single(a => a.GetProperty("id").GetString() == id);
    }

    private async Task<HttpClient> ManagerAsync()
    {
        var (user, password) = await host.EnsureUserAsync("floor-manager", Role.ShiftManager);
        return await host.SignedInClientAsync(user, password);
    }

    [Fact]
    public async Task Moving_an_agent_changes_its_queues_at_once_is_audited_and_is_sent_to_the_hub_and_the_webhook()
    {
        var agent = await NewAgentAsync("billing", "chat");
        using var manager = await ManagerAsync();
        await using var hub = await HubClient.ConnectAsync(host);
        await hub.Connection.InvokeAsync("SubscribeControl");

        using var response = await manager.PostAsJsonAsync($"/api/v1/agents/{agent}/queues", new { queues = new[] { "tech" }, mode = "replace" });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var change = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["billing", "chat"], change.GetProperty("queuesBefore").EnumerateArray().Select(q => q.GetString()));
        Assert.Equal(["tech"], change.GetProperty("queuesAfter").EnumerateArray().Select(q => q.GetString()));
        // The answer comes once the live state shows it: no waiting for the next poll.
        Assert.Equal(["tech"], (await AgentAsync(agent)).GetProperty("queues").EnumerateArray().Select(q => q.GetString()));

        var entry = Assert.Single(await host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.AgentQueues, Text: agent)));
        Assert.Equal("floor-manager", entry.Actor);
        Assert.Contains("billing, chat → tech", entry.Detail);

        var control = await hub.WaitAsync("ControlIssued", c => c.GetProperty("agentId").GetString() == agent);
        Assert.Equal("agent.queues", control.GetProperty("type").GetString());
        Assert.Equal("floor-manager", control.GetProperty("requestedBy").GetString());
        Assert.Equal(["tech"], control.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));

        var (hook, headers) = await host.Receiver.WaitForAsync(b => b.Contains(agent), TimeSpan.FromSeconds(20));
        Assert.Equal(WebhookSender.Sign(AccessTestHost.WebhookSecret, hook), headers[WebhookSender.SignatureHeader]);
        Assert.Equal("control", headers[WebhookSender.EventHeader]);
        Assert.Equal("agent.queues", JsonNode.Parse(hook)!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Adding_and_removing_queues_keep_the_others()
    {
        var agent = await NewAgentAsync("billing");
        using var manager = await ManagerAsync();

        using var add = await manager.PostAsJsonAsync($"/api/v1/agents/{agent}/queues", new { queues = new[] { "tech", "chat" }, mode = "add" });
        Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        Assert.Equal(["billing", "tech", "chat"], (await AgentAsync(agent)).GetProperty("queues").EnumerateArray().Select(q => q.GetString()));

        using var remove = await manager.PostAsJsonAsync($"/api/v1/agents/{agent}/queues", new { queues = new[] { "billing" }, mode = "remove" });
        Assert.Equal(HttpStatusCode.OK, remove.StatusCode);
        Assert.Equal(["tech", "chat"], (await AgentAsync(agent)).GetProperty("queues").EnumerateArray().Select(q => q.GetString()));

        // An agent must keep a queue: removing the last ones is refused and changes nothing.
        using var empty = await manager.PostAsJsonAsync($"/api/v1/agents/{agent}/queues", new { queues = new[] { "tech", "chat" }, mode = "remove" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("would serve no queue", await empty.Content.ReadAsStringAsync());
        Assert.Equal(["tech", "chat"], (await AgentAsync(agent)).GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
    }

    [Fact]
    public async Task Bad_reallocations_name_what_is_wrong_and_change_nothing()
    {
        var agent = await NewAgentAsync("billing");
        using var manager = await ManagerAsync();
        var before = await host.Service<AuditLog>().QueryAsync(new AuditQuery(Text: agent));

        using var unknownQueue = await manager.PostAsJsonAsync($"/api/v1/agents/{agent}/queues", new { queues = new[] { "tech", "nope" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknownQueue.StatusCode);
        Assert.Contains("queues[1]: unknown queue 'nope'", await unknownQueue.Content.ReadAsStringAsync());

        using var unknownAgent = await manager.PostAsJsonAsync("/api/v1/agents/ghost-agent/queues", new { queues = new[] { "tech" } });
        Assert.Equal(HttpStatusCode.NotFound, unknownAgent.StatusCode);
        Assert.Contains("ghost-agent", await unknownAgent.Content.ReadAsStringAsync());

        using var badMode = await manager.PostAsJsonAsync($"/api/v1/agents/{agent}/queues", new { queues = new[] { "tech" }, mode = "swap" });
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);
        Assert.Contains("mode", await badMode.Content.ReadAsStringAsync());

        using var badState = await manager.PostAsJsonAsync($"/api/v1/agents/{agent}/state", new { state = "asleep" });
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
        Assert.Contains("state", await badState.Content.ReadAsStringAsync());

        Assert.Equal(["billing"], (await AgentAsync(agent)).GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
        Assert.Equal(before.Count, (await host.Service<AuditLog>().QueryAsync(new AuditQuery(Text: agent))).Count);
    }

    [Fact]
    public async Task Ending_a_break_sets_the_state_at_once_and_is_audited_and_published()
    {
        var agent = WireEvents.NewId("cb-");
        await host.Api.IngestAsync([WireEvents.AgentState(agent, "break", DateTimeOffset.UtcNow.AddMinutes(-3)), WireEvents.AgentQueues(agent, DateTimeOffset.UtcNow.AddMinutes(-3), "billing")]);
        using var manager = await ManagerAsync();

        using var response = await manager.PostAsJsonAsync($"/api/v1/agents/{agent}/state", new { state = "available" });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("available", (await AgentAsync(agent)).GetProperty("state").GetString());
        var entry = Assert.Single(await host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.AgentState, Text: agent)));
        Assert.Equal("floor-manager", entry.Actor);
        Assert.Contains("break → available", entry.Detail);
        var (hook, _) = await host.Receiver.WaitForAsync(b => b.Contains(agent) && b.Contains("\"agent.state\""), TimeSpan.FromSeconds(20));
        Assert.Equal("available", JsonNode.Parse(hook)!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_what_if_projects_each_affected_queue_with_and_without_the_move()
    {
        var a1 = await NewAgentAsync("billing");
        var a2 = await NewAgentAsync("billing");
        using var manager = await ManagerAsync();

        using var response = await manager.PostAsJsonAsync("/api/v1/agents/what-if", new { agentIds = new[] { a1, a2 }, mode = "replace", queues = new[] { "tech" } });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var projections = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
        Assert.Equal(["billing", "tech"], projections.Select(p => p.GetProperty("queue").GetString()));
        var billing = projections[0];
        var tech = projections[1];
        // Two agents leave billing and join tech.
        Assert.Equal(billing.GetProperty("without").GetProperty("agents").GetDouble() - 2, billing.GetProperty("with").GetProperty("agents").GetDouble(), 6);
        Assert.Equal(tech.GetProperty("without").GetProperty("agents").GetDouble() + 2, tech.GetProperty("with").GetProperty("agents").GetDouble(), 6);
        Assert.Contains(billing.GetProperty("model").GetString(), new[] { "Erlang C", "Erlang A" });
        // Nothing was changed by asking.
        Assert.Equal(["billing"], (await AgentAsync(a1)).GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
    }

    [Fact]
    public async Task A_kiosk_token_shows_its_board_only_and_stops_working_the_moment_it_is_revoked()
    {
        var (admin, password) = await host.EnsureUserAsync("kiosk-admin", Role.Admin);
        using var adminClient = await host.SignedInClientAsync(admin, password);
        using var issue = await adminClient.PostAsJsonAsync("/api/v1/admin/kiosk-tokens", new { name = "TV 3rd floor", board = "floor" });
        Assert.Equal(HttpStatusCode.Created, issue.StatusCode);
        var issued = await issue.Content.ReadFromJsonAsync<JsonElement>();
        var secret = issued.GetProperty("secret").GetString()!;
        Assert.Contains("/wallboard/floor?kiosk=" + secret, issued.GetProperty("url").GetString());

        using var tv = host.CreateClient(null);
        Assert.Equal(HttpStatusCode.OK, (await tv.GetAsync("/wallboard/floor?kiosk=" + secret)).StatusCode);
        // The cookie set by the first visit carries the token for the page's own requests.
        Assert.Equal(HttpStatusCode.OK, (await tv.GetAsync("/wallboard/floor")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tv.GetAsync("/wallboard/team-billing")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tv.GetAsync("/api/v1/queues")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tv.GetAsync("/")).StatusCode);

        using var revoke = await adminClient.PostAsync($"/api/v1/admin/kiosk-tokens/{issued.GetProperty("token").GetProperty("id").GetInt64()}/revoke", null);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await tv.GetAsync("/wallboard/floor?kiosk=" + secret)).StatusCode);
        Assert.Single(await host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.KioskRevoke, Actor: admin)));
    }

    [Fact]
    public async Task An_issued_ingestion_key_works_until_it_is_revoked_and_is_stored_only_as_a_hash()
    {
        var (admin, password) = await host.EnsureUserAsync("key-admin", Role.Admin);
        using var adminClient = await host.SignedInClientAsync(admin, password);
        using var issue = await adminClient.PostAsJsonAsync("/api/v1/admin/keys", new { name = "ticketing" });
        var issued = await issue.Content.ReadFromJsonAsync<JsonElement>();
        var secret = issued.GetProperty("secret").GetString()!;
        var id = issued.GetProperty("token").GetProperty("id").GetInt64();

        using var source = host.CreateClient(secret);
        var ev = WireEvents.AgentState(WireEvents.NewId("key-"), "available", DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.Accepted, (await source.PostAsync("/api/v1/events", new StringContent(WireEvents.Body([ev]), System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        var stored = await host.Service<AccessTokenStore>().FindAsync(id);
        Assert.NotNull(stored);
        Assert.DoesNotContain(secret, stored!.SecretHash);
        Assert.Equal(AccessTokens.Hash(secret), stored.SecretHash);

        Assert.Equal(HttpStatusCode.NoContent, (await adminClient.PostAsync($"/api/v1/admin/keys/{id}/revoke", null)).StatusCode);

        using var after = await source.PostAsync("/api/v1/events", new StringContent(WireEvents.Body([ev]), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Single(await host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.KeyCreate, Actor: admin)));
    }

    [Fact]
    public async Task Reading_agents_and_contacts_is_recorded_as_a_view_of_personal_data()
    {
        var (lead, password) = await host.EnsureUserAsync("reading-lead", Role.TeamLead);
        using var client = await host.SignedInClientAsync(lead, password);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/contacts/c-private-1")).StatusCode);

        var audit = host.Service<AuditLog>();
        Assert.Single(await audit.QueryAsync(new AuditQuery(Action: AuditActions.ViewAgents, Actor: lead)));
        var contact = Assert.Single(await audit.QueryAsync(new AuditQuery(Action: AuditActions.ViewContact, Actor: lead)));
        Assert.Equal("c-private-1", contact.Target);
    }
}
