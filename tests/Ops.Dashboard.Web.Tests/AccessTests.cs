using System.Net;
using System.Text;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// Every page and endpoint, tried by each role, anonymously, with API keys and with a kiosk token:
/// the table says who may, and every other caller must be refused (401/403, or a redirect to the
/// sign-in or "not allowed" page for a browser).
/// </summary>
[Collection(AccessHostCollection.Name)]
public sealed class AccessTests(AccessTestHost host)
{
    private static readonly string[] Persons = [.. Roles.All.Select(r => r.ToString())];
    private static readonly string[] LeadAndAbove = ["TeamLead", "ShiftManager", "Management", "Admin"];
    private static readonly string[] ManagerAndAbove = ["ShiftManager", "Management", "Admin"];
    private static readonly string[] Keys = ["config-key", "issued-key"];
    private const string Kiosk = "kiosk-floor";

    private sealed record Endpoint(string Method, string Path, string? Body, string[] Allowed);

    private static readonly Endpoint[] Table =
    [
        new("GET", "/", null, Persons),
        new("GET", "/wallboard/floor", null, [.. LeadAndAbove, Kiosk]),
        new("GET", "/wallboard/team-billing", null, LeadAndAbove),
        new("GET", "/console", null, ManagerAndAbove),
        new("GET", "/incidents", null, LeadAndAbove),
        new("GET", "/incidents/1", null, LeadAndAbove),
        new("GET", "/admin/users", null, ["Admin"]),
        new("GET", "/admin/keys", null, ["Admin"]),
        new("GET", "/admin/kiosk", null, ["Admin"]),
        new("GET", "/admin/audit", null, ["Admin"]),
        new("GET", "/orleans/", null, ["Admin"]),
        new("GET", "/account/login", null, [.. Persons, .. Keys, Kiosk, "anonymous"]),
        new("GET", "/healthz", null, [.. Persons, .. Keys, Kiosk, "anonymous"]),
        new("POST", "/api/v1/events", "[]", Keys),
        new("GET", "/api/v1/queues", null, [.. Keys, .. LeadAndAbove]),
        new("GET", "/api/v1/queues/billing", null, [.. Keys, .. LeadAndAbove]),
        new("GET", "/api/v1/agents", null, [.. Keys, .. LeadAndAbove]),
        new("GET", "/api/v1/stats", null, [.. Keys, .. LeadAndAbove]),
        new("GET", "/api/v1/shifts", null, [.. Keys, .. LeadAndAbove]),
        new("GET", "/api/v1/contacts/nobody", null, [.. Keys, .. LeadAndAbove]),
        new("POST", "/api/v1/agents/nobody/queues", """{"queues":["tech"]}""", ManagerAndAbove),
        new("POST", "/api/v1/agents/nobody/state", """{"state":"available"}""", ManagerAndAbove),
        new("POST", "/api/v1/agents/what-if", """{"agentIds":["nobody"],"queues":["tech"]}""", ManagerAndAbove),
        new("GET", "/api/v1/alarms", null, [.. Keys, .. LeadAndAbove]),
        new("POST", "/api/v1/alarms/nope/ack", null, LeadAndAbove),
        new("GET", "/api/v1/incidents", null, LeadAndAbove),
        new("POST", "/api/v1/incidents", """{"title":""}""", LeadAndAbove),
        new("POST", "/api/v1/simulator/surge", """{"factor":1}""", ManagerAndAbove),
        new("GET", "/api/v1/admin/webhooks/attempts", null, ["Admin"]),
        new("GET", "/staffing", null, ["Management", "Admin"]),
        new("GET", "/forecast", null, ["Management", "Admin"]),
        new("GET", "/api/v1/decision/24x7", null, ["Management", "Admin"]),
        new("GET", "/api/v1/forecast/status?queue=billing", null, ["Management", "Admin"]),
        new("GET", "/api/v1/history/volume?queue=billing", null, [.. Keys, "Management", "Admin"]),
        new("GET", "/api/v1/erlang?contacts=100&intervalSeconds=1800&ahtSeconds=180&targetSeconds=20", null, ["Management", "Admin"]),
        new("GET", "/api/v1/admin/users", null, ["Admin"]),
        new("GET", "/api/v1/admin/keys", null, ["Admin"]),
        new("GET", "/api/v1/admin/kiosk-tokens", null, ["Admin"]),
        new("GET", "/api/v1/admin/audit", null, ["Admin"]),
        new("POST", "/hubs/wallboard/negotiate?negotiateVersion=1", null, [.. Keys, .. LeadAndAbove, Kiosk]),
    ];

    public static TheoryData<string> Callers => [.. Persons, .. Keys, Kiosk, "anonymous"];

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Each_caller_reaches_exactly_what_its_role_allows(string caller)
    {
        var (client, query) = await ClientForAsync(caller);
        var wrong = new List<string>();
        foreach (var e in Table)
        {
            var path = query is null ? e.Path : e.Path + (e.Path.Contains('?') ? "&" : "?") + query;
            using var request = new HttpRequestMessage(new HttpMethod(e.Method), path);
            if (e.Body is not null) request.Content = new StringContent(e.Body, Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            var refused = Refused(response);
            var allowed = e.Allowed.Contains(caller);
            if (allowed == refused)
                wrong.Add($"{e.Method} {e.Path}: expected {(allowed ? "allowed" : "refused")}, got {(int)response.StatusCode} {response.Headers.Location}");
            else if (refused && e.Path.StartsWith("/api", StringComparison.Ordinal) && response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
                wrong.Add($"{e.Method} {e.Path}: an API refusal must be 401 or 403, got {(int)response.StatusCode}");
        }
        Assert.True(wrong.Count == 0, $"{caller}:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public async Task An_administrator_gets_the_Orleans_dashboard_its_scripts_and_its_data()
    {
        var (admin, _) = await ClientForAsync("Admin");
        // Without the trailing slash the dashboard's relative script paths would miss: it redirects.
        using var bare = await admin.GetAsync("/orleans");
        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.Equal("/orleans/", bare.Headers.Location!.OriginalString);

        var page = await admin.GetStringAsync("/orleans/");
        Assert.Contains("Orleans Dashboard", page);
        Assert.Contains("index.min.js", page);
        using var script = await admin.GetAsync("/orleans/index.min.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000);
        using var version = await admin.GetAsync("/orleans/version");
        Assert.Equal("application/json", version.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"version\"", await version.Content.ReadAsStringAsync());

        // Paths that merely start like the dashboard's are the app's, not the dashboard's.
        using var other = await admin.GetAsync("/orleansx");
        Assert.NotEqual(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task A_browser_without_a_session_is_sent_to_the_sign_in_page_and_back_afterwards()
    {
        using var anonymous = host.CreateClient(null);
        using var page = await anonymous.GetAsync("/console");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/login", page.Headers.Location!.PathAndQuery);
        Assert.Contains("ReturnUrl=%2Fconsole", page.Headers.Location.Query, StringComparison.OrdinalIgnoreCase);

        using var api = await anonymous.GetAsync("/api/v1/queues");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_audited_and_repeated_failures_lock_the_user_name()
    {
        var (user, password) = await host.EnsureUserAsync("locky", Role.TeamLead);
        using var client = host.CreateClient(null);
        for (var i = 0; i < 5; i++)
        {
            var location = await PostSignInAsync(client, user, "wrong-password");
            Assert.Contains("error=invalid", location);
        }
        // Locked now: even the right password is refused for a while.
        Assert.Contains("error=locked", await PostSignInAsync(client, user, password));

        var audit = host.Service<AuditLog>();
        var failures = await audit.QueryAsync(new AuditQuery(Action: AuditActions.SignInFailed, Actor: user));
        Assert.True(failures.Count >= 6, $"expected six failed sign-ins in the audit log, found {failures.Count}");
        Assert.Contains(failures, f => f.Detail == "wrong password" && !f.Success);
    }

    [Fact]
    public async Task A_signed_in_user_who_is_disabled_loses_access_on_the_next_request()
    {
        var (user, password) = await host.EnsureUserAsync("leaving", Role.TeamLead);
        using var client = await host.SignedInClientAsync(user, password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/queues")).StatusCode);

        var accounts = host.Service<UserAccounts>();
        var record = (await accounts.ListAsync()).Single(u => u.UserName == user);
        await accounts.UpdateAsync(record.Id, null, Role.TeamLead, disabled: true, new Actor("test", null));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/queues")).StatusCode);
    }

    [Fact]
    public async Task The_last_active_administrator_cannot_be_demoted_or_disabled()
    {
        var accounts = host.Service<UserAccounts>();
        var (user, _) = await host.EnsureUserAsync("last-admin", Role.Admin);
        // The other tests' administrators become team leads, so this one is the last.
        var others = (await accounts.ListAsync()).Where(u => u.Role == Role.Admin && !u.Disabled && u.UserName != user).ToList();
        foreach (var admin in others) await accounts.UpdateAsync(admin.Id, null, Role.TeamLead, false, new Actor("test", null));
        try
        {
            var only = (await accounts.ListAsync()).Single(u => u.UserName == user);

            var demote = await Assert.ThrowsAsync<CommandRejectedException>(() => accounts.UpdateAsync(only.Id, null, Role.ShiftManager, false, new Actor("test", null)));
            Assert.Contains("last active administrator", demote.Message);
            var disable = await Assert.ThrowsAsync<CommandRejectedException>(() => accounts.UpdateAsync(only.Id, null, Role.Admin, true, new Actor("test", null)));
            Assert.Contains("last active administrator", disable.Message);
            Assert.Equal(Role.Admin, (await accounts.FindAsync(only.Id))!.Role);
        }
        finally
        {
            // The other tests of this host keep their administrators.
            foreach (var admin in others) await accounts.UpdateAsync(admin.Id, null, Role.Admin, false, new Actor("test", null));
        }
    }

    private async Task<string> PostSignInAsync(HttpClient client, string user, string password)
    {
        using var response = await Ops.Dashboard.Testing.AppSessions.PostSignInAsync(client, user, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    private static bool Refused(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location is { } to
            && (to.OriginalString.StartsWith(AccessExtensions.LoginPath, StringComparison.Ordinal)
                || to.OriginalString.StartsWith(AccessExtensions.DeniedPath, StringComparison.Ordinal)
                || to.AbsolutePath.StartsWith(AccessExtensions.LoginPath, StringComparison.Ordinal)
                || to.AbsolutePath.StartsWith(AccessExtensions.DeniedPath, StringComparison.Ordinal)));

    private async Task<(HttpClient Client, string? Query)> ClientForAsync(string caller)
    {
        switch (caller)
        {
            case "anonymous":
                return (host.CreateClient(null), null);
            case "config-key":
                return (host.CreateClient(host.ApiKey), null);
            case "issued-key":
                var key = await host.Service<AccessTokens>().IssueAsync(AccessTokenKind.Ingestion, "access test", null, new Actor("test", null));
                return (host.CreateClient(key.Secret), null);
            case Kiosk:
                var kiosk = await host.Service<AccessTokens>().IssueAsync(AccessTokenKind.Kiosk, "access test tv", "floor", new Actor("test", null));
                return (host.CreateClient(null), "kiosk=" + kiosk.Secret);
            default:
                Assert.True(Roles.TryParse(caller, out var role));
                var (user, password) = await host.EnsureUserAsync("as-" + caller.ToLowerInvariant(), role);
                return (await host.SignedInClientAsync(user, password), null);
        }
    }
}
