using System.Reflection;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using Ops.Dashboard.Web.Components.Pages.Admin;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The administrators' pages against a real SQLite database (users, tokens and the audit log as the host stores them),
/// signed in as <see cref="AdminName"/> from <see cref="Address"/>. Not a <see cref="UiTestBase"/>: these pages need
/// services of their own, and that base has started its service provider by the time a subclass could add them.
/// </summary>
public sealed class UiAdminTests : BunitContext
{
    private static readonly DateTimeOffset Start = UiTestBase.Start;
    private const string AdminName = "root-admin";
    private const string Address = "10.1.2.3";
    private static readonly Actor Setup = new("setup", null);

    private readonly string _path = Path.Combine(Path.GetTempPath(), "ops-ui-admin-tests", $"{Guid.NewGuid():N}.db");
    private readonly OpsDatabase _db;

    public UiAdminTests()
    {
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        var time = new FakeTimeProvider(Start);
        var options = UiData.Options();
        Boards = new UiData.BoardDirectory();
        _db = new OpsDatabase(_path);
        _db.Migrate();
        Audit = new AuditLog(_db);
        Accounts = new UserAccounts(new UserStore(_db), Audit, options, time);
        Tokens = new AccessTokens(new AccessTokenStore(_db), Audit, time);
        Services.AddSingleton<TimeProvider>(time);
        Services.AddSingleton(options);
        Services.AddSingleton(new SiteClock(time, options.Site));
        Services.AddSingleton(new BoardCatalog(Boards.Path, options));
        Services.AddSingleton(Audit);
        Services.AddSingleton(Accounts);
        Services.AddSingleton(Tokens);
        var auth = AddAuthorization();
        auth.SetAuthorized(AdminName);
        auth.SetRoles(nameof(Role.Admin));
        JSInterop.Mode = JSRuntimeMode.Loose;
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private UiData.BoardDirectory Boards { get; }

    private AuditLog Audit { get; }

    private UserAccounts Accounts { get; }

    private AccessTokens Tokens { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        Boards.Dispose();
        // Pooled connections keep the file open; release only this file's pool, other tests run in parallel.
        using (var connection = new SqliteConnection(_db.ConnectionString)) SqliteConnection.ClearPool(connection);
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }

    private IRenderedComponent<T> RenderAdmin<T>() where T : IComponent =>
        Render<T>(p => p.AddCascadingValue(new ClientAddress(Address)));

    private Task<IReadOnlyList<AuditEntry>> EntriesAsync(string action) => Audit.QueryAsync(new AuditQuery(Action: action));

    private static Task ClickAsync(IElement element) => element.ClickAsync(new MouseEventArgs());

    private static Task SubmitAsync(IElement form) => form.SubmitAsync(EventArgs.Empty);

    [Theory]
    [InlineData(typeof(UsersPage), "/admin/users")]
    [InlineData(typeof(KeysPage), "/admin/keys")]
    [InlineData(typeof(KioskPage), "/admin/kiosk")]
    [InlineData(typeof(AuditPage), "/admin/audit")]
    public void Every_admin_page_is_routed_and_open_to_administrators_only(Type page, string route)
    {
        Assert.Equal(route, Assert.Single(page.GetCustomAttributes<RouteAttribute>()).Template);
        Assert.Equal(Policies.Admin, Assert.Single(page.GetCustomAttributes<AuthorizeAttribute>()).Policy);
    }

    // ---- users ----

    [Fact]
    public async Task Creating_a_user_stores_it_and_audits_the_acting_admin_and_address()
    {
        var cut = RenderAdmin<UsersPage>();

        cut.Find("input[name=userName]").Change("bob");
        cut.Find("input[name=displayName]").Change("Bob Builder");
        cut.Find("select[name=role]").Change(nameof(Role.TeamLead));
        cut.Find("input[name=password]").Change("a-long-password");
        await SubmitAsync(cut.Find("form.user-create"));

        var stored = Assert.Single(await Accounts.ListAsync());
        Assert.Equal(("bob", "Bob Builder", Role.TeamLead, false), (stored.UserName, stored.DisplayName, stored.Role, stored.Disabled));
        Assert.NotNull(await Accounts.FindAsync(stored.Id));
        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Created 'bob' (TeamLead)", cut.Find(".admin-notice").TextContent);
            Assert.Contains("Bob Builder", cut.Find("tr[data-user=bob]").TextContent);
            // The form is cleared, the password first of all.
            Assert.Equal("", cut.Find("input[name=password]").GetAttribute("value") ?? "");
            Assert.Equal("", cut.Find("input[name=userName]").GetAttribute("value") ?? "");
        });
        var entry = Assert.Single(await EntriesAsync(AuditActions.UserCreate));
        Assert.Equal((AdminName, "bob", Address), (entry.Actor, entry.Target, entry.Address));
        Assert.Contains("TeamLead", entry.Detail);
    }

    [Theory]
    [InlineData("carol", "short", "at least 10 characters")]
    [InlineData("EXISTING", "a-long-password", "already taken")]
    [InlineData("no spaces allowed", "a-long-password", "must be 2–64 letters")]
    public async Task A_rejected_create_shows_the_reason_next_to_the_form_and_stores_nothing(string userName, string password, string reason)
    {
        await Accounts.CreateAsync("existing", null, Role.Agent, "a-long-password", Setup);
        var cut = RenderAdmin<UsersPage>();

        cut.Find("input[name=userName]").Change(userName);
        cut.Find("input[name=password]").Change(password);
        await SubmitAsync(cut.Find("form.user-create"));

        cut.WaitForAssertion(() => Assert.Contains(reason, cut.Find(".create-error").TextContent));
        Assert.Empty(cut.FindAll(".admin-notice"));
        // What was typed stays for correcting, except the password.
        Assert.Equal(userName, cut.Find("input[name=userName]").GetAttribute("value"));
        Assert.Equal("existing", Assert.Single(await Accounts.ListAsync()).UserName);
        Assert.Equal("setup", Assert.Single(await EntriesAsync(AuditActions.UserCreate)).Actor);
    }

    [Fact]
    public async Task Editing_a_role_saves_it_and_writes_user_update_by_the_acting_admin()
    {
        var dave = await Accounts.CreateAsync("dave", "Dave", Role.Agent, "a-long-password", Setup);
        var cut = RenderAdmin<UsersPage>();

        await ClickAsync(cut.Find("tr[data-user=dave] button.edit"));
        cut.Find("tr.editing select.edit-role").Change(nameof(Role.ShiftManager));
        cut.Find("tr.editing input.edit-display-name").Change("Dave Shift");
        await ClickAsync(cut.Find("tr.editing button.save"));

        var saved = await Accounts.FindAsync(dave.Id);
        Assert.Equal((Role.ShiftManager, "Dave Shift", false), (saved!.Role, saved.DisplayName, saved.Disabled));
        cut.WaitForAssertion(() =>
        {
            Assert.Empty(cut.FindAll("tr.editing"));
            Assert.Contains("ShiftManager", cut.Find("tr[data-user=dave]").TextContent);
            Assert.Contains("Saved 'dave'", cut.Find(".admin-notice").TextContent);
        });
        var entry = Assert.Single(await EntriesAsync(AuditActions.UserUpdate));
        Assert.Equal((AdminName, "dave", Address), (entry.Actor, entry.Target, entry.Address));
        Assert.Contains("role Agent → ShiftManager", entry.Detail);
    }

    [Fact]
    public async Task Demoting_the_last_active_admin_is_refused_in_its_row_and_changes_nothing()
    {
        var admin = await Accounts.CreateAsync(AdminName, null, Role.Admin, "a-long-password", Setup);
        var cut = RenderAdmin<UsersPage>();

        await ClickAsync(cut.Find($"tr[data-user={AdminName}] button.edit"));
        cut.Find("tr.editing select.edit-role").Change(nameof(Role.TeamLead));
        await ClickAsync(cut.Find("tr.editing button.save"));

        cut.WaitForAssertion(() => Assert.Contains("last active administrator", cut.Find(".admin-row-note .admin-error").TextContent));
        Assert.Single(cut.FindAll("tr.editing"));
        Assert.Equal(Role.Admin, (await Accounts.FindAsync(admin.Id))!.Role);
        Assert.Empty(await EntriesAsync(AuditActions.UserUpdate));
    }

    [Fact]
    public async Task Setting_a_new_password_lets_the_user_sign_in_with_it_and_is_audited()
    {
        await Accounts.CreateAsync("erin", null, Role.Agent, "first-password-1", Setup);
        var cut = RenderAdmin<UsersPage>();

        await ClickAsync(cut.Find("tr[data-user=erin] button.set-password"));
        cut.Find("form.password-form input.new-password").Change("second-password-2");
        await SubmitAsync(cut.Find("form.password-form"));

        cut.WaitForAssertion(() => Assert.Contains("New password set for 'erin'", cut.Find(".admin-notice").TextContent));
        Assert.Empty(cut.FindAll("form.password-form"));
        Assert.True((await Accounts.SignInAsync("erin", "second-password-2", null)).Ok);
        Assert.False((await Accounts.SignInAsync("erin", "first-password-1", null)).Ok);
        var entry = Assert.Single(await EntriesAsync(AuditActions.UserPassword));
        Assert.Equal((AdminName, "erin"), (entry.Actor, entry.Target));
    }

    // ---- ingestion keys ----

    [Fact]
    public async Task Creating_an_ingestion_key_shows_its_secret_once_and_that_secret_is_accepted()
    {
        var cut = RenderAdmin<KeysPage>();

        cut.Find("form.token-create input[name=name]").Change("ACD production");
        await SubmitAsync(cut.Find("form.token-create"));

        var secret = "";
        cut.WaitForAssertion(() => secret = cut.Find(".admin-secret .secret").TextContent.Trim());
        Assert.StartsWith(AccessTokens.IngestionPrefix, secret);
        Assert.Contains("Copy it now, it is not shown again", cut.Find(".admin-secret").TextContent);
        var record = await Tokens.ValidateAsync(AccessTokenKind.Ingestion, secret);
        Assert.Equal(("ACD production", AdminName), (record!.Name, record.CreatedBy));
        // The list shows only the start of it.
        var row = cut.Find($"tr[data-token='{record.Id}']");
        Assert.Contains(secret[..12] + "…", row.TextContent);
        Assert.DoesNotContain(secret, row.TextContent);
        Assert.Equal(AdminName, Assert.Single(await EntriesAsync(AuditActions.KeyCreate)).Actor);

        await ClickAsync(cut.Find(".admin-secret button.done"));
        Assert.Empty(cut.FindAll(".admin-secret"));
        Assert.DoesNotContain(secret, cut.Markup);
        Assert.DoesNotContain(secret, RenderAdmin<KeysPage>().Markup);
    }

    [Fact]
    public async Task Revoking_a_key_takes_a_confirmation_then_its_secret_is_refused_and_key_revoke_is_written()
    {
        var issued = await Tokens.IssueAsync(AccessTokenKind.Ingestion, "ticketing", null, Setup);
        var cut = RenderAdmin<KeysPage>();
        var row = $"tr[data-token='{issued.Record.Id}']";

        await ClickAsync(cut.Find($"{row} button.revoke"));
        // Asking is not doing.
        Assert.Contains("Revoke “ticketing”?", cut.Find(".admin-confirm").TextContent);
        Assert.NotNull(await Tokens.ValidateAsync(AccessTokenKind.Ingestion, issued.Secret));
        Assert.Empty(await EntriesAsync(AuditActions.KeyRevoke));

        await ClickAsync(cut.Find(".admin-confirm button.confirm-revoke"));

        Assert.Null(await Tokens.ValidateAsync(AccessTokenKind.Ingestion, issued.Secret));
        var entry = Assert.Single(await EntriesAsync(AuditActions.KeyRevoke));
        Assert.Equal((AdminName, Address), (entry.Actor, entry.Address));
        cut.WaitForAssertion(() =>
        {
            Assert.Contains("revoked", cut.Find(row).TextContent);
            Assert.Contains(AdminName, cut.Find(row).TextContent);
            Assert.Empty(cut.FindAll($"{row} button.revoke"));
            Assert.Contains("Revoked “ticketing”", cut.Find(".admin-notice").TextContent);
        });
    }

    [Fact]
    public async Task Cancelling_the_revoke_confirmation_keeps_the_key_active()
    {
        var issued = await Tokens.IssueAsync(AccessTokenKind.Ingestion, "bridge", null, Setup);
        var cut = RenderAdmin<KeysPage>();

        await ClickAsync(cut.Find($"tr[data-token='{issued.Record.Id}'] button.revoke"));
        await ClickAsync(cut.Find(".admin-confirm button.cancel"));

        Assert.Empty(cut.FindAll(".admin-confirm"));
        Assert.NotNull(await Tokens.ValidateAsync(AccessTokenKind.Ingestion, issued.Secret));
        Assert.Empty(await EntriesAsync(AuditActions.KeyRevoke));
    }

    // ---- kiosk tokens ----

    [Fact]
    public async Task Issuing_a_kiosk_token_shows_the_board_link_once_and_the_token_opens_that_board()
    {
        Boards.Write("floor-2", "{}");
        Boards.Write("lobby", "{}");
        var cut = RenderAdmin<KioskPage>();
        Assert.Equal(["floor-2", "lobby"], cut.FindAll("select[name=board] option").Select(o => o.GetAttribute("value")));

        cut.Find("form.token-create input[name=name]").Change("TV lobby");
        cut.Find("select[name=board]").Change("lobby");
        await SubmitAsync(cut.Find("form.token-create"));

        var link = "";
        cut.WaitForAssertion(() => link = cut.Find(".admin-secret .secret").TextContent.Trim());
        Assert.StartsWith("http://localhost/wallboard/lobby?kiosk=" + AccessTokens.KioskPrefix, link);
        Assert.Contains("not shown again", cut.Find(".admin-secret").TextContent);
        var secret = link[(link.IndexOf("?kiosk=", StringComparison.Ordinal) + "?kiosk=".Length)..];
        var record = await Tokens.ValidateAsync(AccessTokenKind.Kiosk, secret);
        Assert.Equal(("TV lobby", "lobby"), (record!.Name, record.Board));
        Assert.Contains("lobby", cut.Find($"tr[data-token='{record.Id}']").TextContent);
        var entry = Assert.Single(await EntriesAsync(AuditActions.KioskIssue));
        Assert.Equal((AdminName, Address), (entry.Actor, entry.Address));
    }

    // ---- audit log ----

    [Fact]
    public async Task Audit_page_lists_newest_first_filters_by_action_and_records_one_view_per_query()
    {
        await Audit.AppendAsync(Start, "alice", AuditActions.SignIn, "alice", null, "10.0.0.1");
        await Audit.AppendAsync(Start.AddMinutes(1), "alice", AuditActions.KeyCreate, "ingestion key #1", "name 'acd'", "10.0.0.1");
        await Audit.AppendAsync(Start.AddMinutes(2), "bob", AuditActions.SignInFailed, "bob", "wrong password", "10.0.0.2", success: false);
        var newest = await Audit.AppendAsync(Start.AddMinutes(3), "alice", AuditActions.KeyCreate, "ingestion key #2", "name 'crm'", "10.0.0.1");

        var cut = RenderAdmin<AuditPage>();

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("table.audit tbody tr").Count));
        var ids = cut.FindAll("table.audit tbody tr").Select(r => long.Parse(r.GetAttribute("data-id")!)).ToList();
        Assert.Equal(newest.Id, ids[0]);
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Contains("✖ failed", cut.Find("tr.is-failed").TextContent);
        var view = Assert.Single(await EntriesAsync(AuditActions.ViewAudit));
        Assert.Equal((AdminName, Address, "audit log"), (view.Actor, view.Address, view.Target));

        cut.Find("select[name=action]").Change(AuditActions.KeyCreate);
        await SubmitAsync(cut.Find("form.audit-filter"));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("table.audit tbody tr").Count));
        Assert.All(cut.FindAll("td.audit-action"), a => Assert.Equal(AuditActions.KeyCreate, a.TextContent));
        Assert.Equal("/api/v1/admin/audit?format=csv&limit=1000&action=key.create", cut.Find("a.csv-link").GetAttribute("href"));
        var views = await EntriesAsync(AuditActions.ViewAudit);
        Assert.Equal(2, views.Count);
        Assert.Contains("2 entries", views[0].Detail);
        Assert.Contains("action=key.create", views[0].Detail);

        // Rendering again is not reading again.
        cut.Render();
        Assert.Equal(2, (await EntriesAsync(AuditActions.ViewAudit)).Count);
    }

    [Fact]
    public async Task Audit_page_reads_the_time_filter_in_the_site_time_zone_and_passes_it_to_the_csv_link()
    {
        // 10:00, 12:00 and 14:00 in Berlin.
        await Audit.AppendAsync(Start, "alice", AuditActions.SignIn, "early", null, null);
        await Audit.AppendAsync(Start.AddHours(2), "alice", AuditActions.SignIn, "midday", null, null);
        await Audit.AppendAsync(Start.AddHours(4), "alice", AuditActions.SignIn, "late", null, null);
        var cut = RenderAdmin<AuditPage>();

        cut.Find("input[name=from]").Change("2026-11-23T11:00");
        cut.Find("input[name=to]").Change("2026-11-23T13:00:00");
        cut.Find("input[name=actor]").Change("ALICE");
        await SubmitAsync(cut.Find("form.audit-filter"));

        cut.WaitForAssertion(() => Assert.Equal("midday", Assert.Single(cut.FindAll("table.audit tbody tr")).Children[3].TextContent));
        Assert.Equal("2026-11-23 12:00:00", cut.Find("td.audit-at").TextContent);
        var href = cut.Find("a.csv-link").GetAttribute("href")!;
        Assert.Contains("from=" + Uri.EscapeDataString("2026-11-23T10:00:00.000Z"), href);
        Assert.Contains("to=" + Uri.EscapeDataString("2026-11-23T12:00:00.000Z"), href);
        Assert.Contains("actor=ALICE", href);
    }

    [Fact]
    public async Task Audit_page_refuses_a_time_range_that_ends_before_it_starts()
    {
        var cut = RenderAdmin<AuditPage>();

        cut.Find("input[name=from]").Change("2026-11-23T13:00");
        cut.Find("input[name=to]").Change("2026-11-23T11:00");
        await SubmitAsync(cut.Find("form.audit-filter"));

        cut.WaitForAssertion(() => Assert.Contains("later than from", cut.Find(".admin-error").TextContent));
        Assert.Single(await EntriesAsync(AuditActions.ViewAudit));
    }

    [Fact]
    public async Task Audit_page_pages_to_older_entries_and_back()
    {
        for (var i = 0; i < AuditPage.PageSize + 10; i++)
            await Audit.AppendAsync(Start.AddSeconds(i), "alice", AuditActions.AgentState, $"agent {i}", null, null);
        var cut = RenderAdmin<AuditPage>();
        cut.WaitForAssertion(() => Assert.Equal(AuditPage.PageSize, cut.FindAll("table.audit tbody tr").Count));
        var firstPageOldest = cut.FindAll("table.audit tbody tr").Min(r => long.Parse(r.GetAttribute("data-id")!));
        Assert.Empty(cut.FindAll("button.newer"));

        await ClickAsync(cut.Find("button.older"));

        cut.WaitForAssertion(() => Assert.Equal(10, cut.FindAll("table.audit tbody tr").Count));
        Assert.All(cut.FindAll("table.audit tbody tr"), r => Assert.True(long.Parse(r.GetAttribute("data-id")!) < firstPageOldest));
        Assert.Empty(cut.FindAll("button.older"));
        Assert.Contains("before=", (await EntriesAsync(AuditActions.ViewAudit))[0].Detail);

        await ClickAsync(cut.Find("button.newer"));

        // Back on the newest page, which now starts with the two views of the log just made.
        cut.WaitForAssertion(() => Assert.Equal(AuditPage.PageSize, cut.FindAll("table.audit tbody tr").Count));
        Assert.Equal([AuditActions.ViewAudit, AuditActions.ViewAudit, AuditActions.AgentState],
            cut.FindAll("td.audit-action").Take(3).Select(a => a.TextContent));
        Assert.Equal(3, (await EntriesAsync(AuditActions.ViewAudit)).Count);
    }

    [Fact]
    public async Task Prerendering_the_audit_page_reads_and_records_nothing()
    {
        await Audit.AppendAsync(Start, "alice", AuditActions.SignIn, "alice", null, null);
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));

        var cut = RenderAdmin<AuditPage>();

        Assert.Contains("Loading", cut.Markup);
        Assert.Empty(await EntriesAsync(AuditActions.ViewAudit));
    }
}
