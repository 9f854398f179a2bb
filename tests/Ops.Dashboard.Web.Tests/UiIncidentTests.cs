using System.Reflection;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using Ops.Dashboard.Web.Components.Pages.Incidents;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The incident pages against a real SQLite database (incidents and the audit log as the host stores them) and a fake alarm
/// lookup, signed in as the team lead <see cref="LeadName"/> from <see cref="Address"/>. Site time is Europe/Berlin:
/// <see cref="UiTestBase.Start"/> is 10:00 there.
/// </summary>
public sealed class UiIncidentTests : BunitContext
{
    private static readonly DateTimeOffset Start = UiTestBase.Start;
    private const string LeadName = "lea-lead";
    private const string Address = "10.4.5.6";
    private static readonly Actor Monitor = new("monitoring", null);

    private readonly string _path = Path.Combine(Path.GetTempPath(), "ops-ui-incident-tests", $"{Guid.NewGuid():N}.db");
    private readonly OpsDatabase _db;

    public UiIncidentTests()
    {
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        Time = new FakeTimeProvider(Start);
        var options = UiData.Options();
        _db = new OpsDatabase(_path);
        _db.Migrate();
        Audit = new AuditLog(_db);
        Store = new IncidentStore(_db);
        Incidents = new IncidentService(Store, Audit, Alarms, options, Time);
        Services.AddSingleton<TimeProvider>(Time);
        Services.AddSingleton(options);
        Services.AddSingleton(new SiteClock(Time, options.Site));
        Services.AddSingleton(Audit);
        Services.AddSingleton(Incidents);
        Services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        var auth = AddAuthorization();
        auth.SetAuthorized(LeadName);
        auth.SetRoles(nameof(Role.TeamLead));
        JSInterop.Mode = JSRuntimeMode.Loose;
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private FakeTimeProvider Time { get; }

    private AuditLog Audit { get; }

    private IncidentStore Store { get; }

    private IncidentService Incidents { get; }

    private FakeAlarms Alarms { get; } = new();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        // Pooled connections keep the file open; release only this file's pool, other tests run in parallel.
        using (var connection = new SqliteConnection(_db.ConnectionString)) SqliteConnection.ClearPool(connection);
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }

    private IRenderedComponent<T> RenderPage<T>(Action<ComponentParameterCollectionBuilder<T>>? parameters = null) where T : IComponent =>
        Render<T>(p =>
        {
            p.AddCascadingValue(new ClientAddress(Address));
            parameters?.Invoke(p);
        });

    private IRenderedComponent<IncidentPage> RenderIncident(long id) => RenderPage<IncidentPage>(p => p.Add(x => x.Id, id));

    private async Task<IReadOnlyList<AuditEntry>> EntriesAsync(long id, string action) =>
        [.. (await Audit.QueryAsync(new AuditQuery(Action: action))).Where(e => e.Target == IncidentService.Target(id))];

    private Task<IncidentRecord> OpenAsync(string title = "Telephony provider down", string? queue = "billing") =>
        Incidents.OpenAsync(new NewIncident(title, queue, "critical", "No inbound calls since 09:58"), Monitor);

    private static Task ClickAsync(IElement element) => element.ClickAsync(new MouseEventArgs());

    private static Task SubmitAsync(IElement form) => form.SubmitAsync(EventArgs.Empty);

    private static AlarmView Alarm(string id, string? queue = "tech", string severity = "critical", string? acknowledgedBy = null,
        DateTimeOffset? acknowledgedAt = null) =>
        new(id, "waiting-phone", "Callers waiting", "waitingAbove", queue ?? "acd", queue, severity, Start.AddMinutes(-7), 12, 8,
            $"Tech: 12 callers waiting ({id})", acknowledgedBy, acknowledgedAt, false, null, null);

    [Theory]
    [InlineData(typeof(IncidentsPage), "/incidents")]
    [InlineData(typeof(IncidentPage), "/incidents/{Id:long}")]
    public void The_incident_pages_are_routed_and_open_to_team_leads_and_above(Type page, string route)
    {
        Assert.Equal(route, Assert.Single(page.GetCustomAttributes<RouteAttribute>()).Template);
        Assert.Equal(Policies.Acknowledge, Assert.Single(page.GetCustomAttributes<AuthorizeAttribute>()).Policy);
    }

    [Fact]
    public async Task Opening_an_incident_by_hand_stores_it_audits_it_and_goes_to_its_runbook()
    {
        var cut = RenderPage<IncidentsPage>();

        cut.Find("form.incident-create input[name=title]").Change("Chat widget does not load");
        cut.Find("form.incident-create select[name=queue]").Change("chat");
        cut.Find("form.incident-create select[name=severity]").Change("critical");
        cut.Find("form.incident-create textarea[name=description]").Change("Customers report a blank page");
        await SubmitAsync(cut.Find("form.incident-create"));

        var stored = Assert.Single(await Store.QueryAsync(new IncidentQuery()));
        Assert.Equal(("Chat widget does not load", "chat", "critical", "Customers report a blank page", IncidentStatus.Open, LeadName),
            (stored.Title, stored.Queue, stored.Severity, stored.Description, stored.Status, stored.OpenedBy));
        Assert.Equal(Start, stored.DetectedAt);
        var entry = Assert.Single(await EntriesAsync(stored.Id, AuditActions.IncidentOpen));
        Assert.Equal((LeadName, $"incident #{stored.Id}", Address), (entry.Actor, entry.Target, entry.Address));
        Assert.Contains("Chat widget does not load", entry.Detail);
        Assert.EndsWith($"/incidents/{stored.Id}", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task A_new_incident_without_a_title_shows_the_reason_and_stores_nothing()
    {
        var cut = RenderPage<IncidentsPage>();

        cut.Find("form.incident-create textarea[name=description]").Change("something is off");
        await SubmitAsync(cut.Find("form.incident-create"));

        cut.WaitForAssertion(() => Assert.Contains("title: required", cut.Find(".create-error").TextContent));
        Assert.Empty(await Store.QueryAsync(new IncidentQuery()));
        Assert.Empty(await Audit.QueryAsync(new AuditQuery(Action: AuditActions.IncidentOpen)));
    }

    [Fact]
    public async Task The_list_shows_time_to_acknowledge_and_resolve_flags_a_late_acknowledgement_and_filters()
    {
        var done = await OpenAsync("Billing IVR loops");
        Time.Advance(TimeSpan.FromMinutes(4));
        await Incidents.AcknowledgeAsync(done.Id, null, Monitor);
        Time.Advance(TimeSpan.FromMinutes(41));
        await Incidents.ResolveAsync(done.Id, "IVR flow rolled back", Monitor);
        var waiting = await OpenAsync("Sales CRM slow", "sales");
        Time.Advance(TimeSpan.FromMinutes(20));

        var cut = RenderPage<IncidentsPage>();

        var resolvedRow = cut.Find($"tr[data-incident='{done.Id}']");
        Assert.Equal("4 min", resolvedRow.QuerySelector("td.tta")!.TextContent.Trim());
        Assert.Equal("45 min", resolvedRow.QuerySelector("td.ttr")!.TextContent.Trim());
        Assert.Equal("2026-11-23 10:00:00", resolvedRow.Children[5].TextContent); // detected, site time
        var openRow = cut.Find($"tr[data-incident='{waiting.Id}']");
        // 20 minutes without an acknowledgement: past the 15-minute target of the runbook.
        Assert.Contains("is-late", openRow.QuerySelector("td.tta")!.ClassList);
        Assert.Contains("not acknowledged (20 min)", openRow.QuerySelector("td.tta")!.TextContent);
        Assert.Equal("—", openRow.QuerySelector("td.ttr")!.TextContent.Trim());

        cut.Find("form.incident-filter select[name=status]").Change("resolved");
        await SubmitAsync(cut.Find("form.incident-filter"));
        cut.WaitForAssertion(() => Assert.Equal([done.Id.ToString()], cut.FindAll("table.incident-list tbody tr").Select(r => r.GetAttribute("data-incident"))));

        cut.Find("form.incident-filter select[name=status]").Change("");
        cut.Find("form.incident-filter input[name=text]").Change("crm");
        await SubmitAsync(cut.Find("form.incident-filter"));
        cut.WaitForAssertion(() => Assert.Equal([waiting.Id.ToString()], cut.FindAll("table.incident-list tbody tr").Select(r => r.GetAttribute("data-incident"))));
    }

    [Fact]
    public async Task Walking_the_runbook_on_the_page_records_every_step_with_the_signed_in_user_and_shows_it()
    {
        var incident = await OpenAsync();
        var cut = RenderIncident(incident.Id);
        Assert.Contains("next", cut.Find("li[data-step=acknowledged]").ClassList);

        Time.Advance(TimeSpan.FromMinutes(4));
        cut.Find("form.ack-form input[name=ackNote]").Change("on it");
        await SubmitAsync(cut.Find("form.ack-form"));
        cut.WaitForAssertion(() =>
        {
            var step = cut.Find("li[data-step=acknowledged]");
            Assert.Contains("done", step.ClassList);
            Assert.Equal("2026-11-23 10:04:00", step.QuerySelector(".step-when")!.TextContent);
            Assert.Equal(LeadName, step.QuerySelector(".step-who")!.TextContent);
            Assert.Contains("4 min", cut.Find(".figure.tta dd").TextContent);
        });
        var acknowledged = (await Store.FindAsync(incident.Id))!;
        Assert.Equal((LeadName, (DateTimeOffset?)Start.AddMinutes(4)), (acknowledged.AcknowledgedBy, acknowledged.AcknowledgedAt));

        Time.Advance(TimeSpan.FromMinutes(2));
        cut.Find("form.customers-form input[name=eta]").Change("2026-11-23T12:30");
        cut.Find("form.customers-form textarea[name=message]").Change("Phone lines are down; we expect them back by 12:30.");
        await SubmitAsync(cut.Find("form.customers-form"));
        cut.WaitForAssertion(() =>
        {
            var step = cut.Find("li[data-step=customersInformed]");
            Assert.Contains("done", step.ClassList);
            Assert.Equal(LeadName, step.QuerySelector(".step-who")!.TextContent);
            Assert.Contains("ETA 2026-11-23 12:30:00", step.QuerySelector(".step-detail")!.TextContent);
        });
        var informed = (await Store.FindAsync(incident.Id))!;
        // 12:30 on the site's clock (Berlin, winter) is 11:30 UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 11, 30, 0, TimeSpan.Zero), informed.CustomerEta);
        Assert.Equal("Phone lines are down; we expect them back by 12:30.", informed.CustomerMessage);

        cut.Find("form.escalate-form select[name=priority]").Change("P1");
        cut.Find("form.escalate-form input[name=escalateNote]").Change("SIP trunk unreachable");
        await SubmitAsync(cut.Find("form.escalate-form"));
        cut.WaitForAssertion(() =>
        {
            var step = cut.Find("li[data-step=escalatedToTech]");
            Assert.Contains("done", step.ClassList);
            Assert.Equal(LeadName, step.QuerySelector(".step-who")!.TextContent);
            Assert.Equal("P1", step.QuerySelector(".priority")!.TextContent);
        });
        Assert.Equal("P1", (await Store.FindAsync(incident.Id))!.TechPriority);

        Time.Advance(TimeSpan.FromMinutes(30));
        cut.Find("form.resolve-form input[name=resolveNote]").Change("Carrier fixed the trunk");
        await SubmitAsync(cut.Find("form.resolve-form"));
        cut.WaitForAssertion(() =>
        {
            var step = cut.Find("li[data-step=resolved]");
            Assert.Contains("done", step.ClassList);
            Assert.Equal(LeadName, step.QuerySelector(".step-who")!.TextContent);
            Assert.Contains("36 min", cut.Find(".figure.ttr dd").TextContent);
            Assert.Contains("next", cut.Find("li[data-step=reviewed]").ClassList);
        });
        Assert.Equal((IncidentStatus.Resolved, LeadName), ((await Store.FindAsync(incident.Id))!.Status, (await Store.FindAsync(incident.Id))!.ResolvedBy));

        cut.Find("form.review-form textarea[name=rootCause]").Change("Carrier maintenance without notice");
        cut.Find("form.review-form textarea[name=lessonsLearned]").Change("Second carrier as fallback");
        cut.Find("form.review-form input[name=knowledgeBaseUpdated]").Change(true);
        await SubmitAsync(cut.Find("form.review-form"));
        cut.WaitForAssertion(() =>
        {
            var step = cut.Find("li[data-step=reviewed]");
            Assert.Contains("done", step.ClassList);
            Assert.Equal(LeadName, step.QuerySelector(".step-who")!.TextContent);
            Assert.Equal("Carrier maintenance without notice", step.QuerySelector(".root-cause")!.TextContent);
            Assert.Equal("✔ updated", step.QuerySelector(".kb")!.TextContent);
            Assert.Equal("reviewed", cut.Find(".incident-meta .incident-status").TextContent);
        });
        var reviewed = (await Store.FindAsync(incident.Id))!;
        Assert.Equal((IncidentStatus.Reviewed, LeadName, true), (reviewed.Status, reviewed.ReviewedBy, reviewed.KnowledgeBaseUpdated));

        // The timeline shows every step with its owner; the audit log has each of them by the lead, from the lead's address.
        Assert.Equal(["detected", "acknowledged", "customersInformed", "escalatedToTech", "resolved", "reviewed"],
            cut.FindAll("table.timeline tbody tr").Select(r => r.GetAttribute("data-step")));
        Assert.Equal(["monitoring", LeadName, LeadName, LeadName, LeadName, LeadName],
            cut.FindAll("table.timeline td.timeline-by").Select(c => c.TextContent));
        var steps = await EntriesAsync(incident.Id, AuditActions.IncidentStep);
        Assert.Equal(["Resolved", "EscalatedToTech", "CustomersInformed", "Acknowledged"], steps.Select(e => e.Detail!.Split(':')[0]));
        Assert.All(steps, e => Assert.Equal((LeadName, Address), (e.Actor, e.Address)));
        Assert.Contains("ETA 2026-11-23T11:30:00Z", steps[2].Detail);
        var review = Assert.Single(await EntriesAsync(incident.Id, AuditActions.IncidentReview));
        Assert.Equal((LeadName, Address), (review.Actor, review.Address));
    }

    [Fact]
    public async Task A_step_refused_by_the_incident_state_shows_the_reason_and_the_incident_as_it_now_is()
    {
        var incident = await OpenAsync();
        var cut = RenderIncident(incident.Id);
        // Another lead resolves it while this page still offers the acknowledgement.
        await Incidents.ResolveAsync(incident.Id, "fixed elsewhere", new Actor("other-lead", null));

        await SubmitAsync(cut.Find("form.ack-form"));

        cut.WaitForAssertion(() =>
        {
            Assert.Contains($"Incident #{incident.Id} is resolved; only an open incident can be acknowledged.", cut.Find(".incident-error").TextContent);
            Assert.Equal("other-lead", cut.Find("li[data-step=resolved] .step-who").TextContent);
            Assert.Empty(cut.FindAll("form.ack-form"));
        });
        Assert.Null((await Store.FindAsync(incident.Id))!.AcknowledgedAt);
        Assert.DoesNotContain(await EntriesAsync(incident.Id, AuditActions.IncidentStep), e => e.Actor == LeadName);
    }

    [Fact]
    public async Task An_eta_in_the_past_is_refused_naming_the_field_and_nothing_is_recorded()
    {
        var incident = await OpenAsync();
        var cut = RenderIncident(incident.Id);

        cut.Find("form.customers-form input[name=eta]").Change("2026-11-23T09:30"); // before 10:00 site time
        cut.Find("form.customers-form textarea[name=message]").Change("Back soon");
        await SubmitAsync(cut.Find("form.customers-form"));

        cut.WaitForAssertion(() => Assert.StartsWith("eta: 2026-11-23T08:30:00Z is in the past", cut.Find(".incident-error").TextContent));
        Assert.Null((await Store.FindAsync(incident.Id))!.CustomersInformedAt);
        Assert.Empty(await EntriesAsync(incident.Id, AuditActions.IncidentStep));
        // What was typed stays for correcting.
        Assert.Equal("Back soon", cut.Find("form.customers-form textarea[name=message]").GetAttribute("value"));
    }

    [Fact]
    public async Task A_note_goes_on_the_timeline_with_its_author()
    {
        var incident = await OpenAsync();
        var cut = RenderIncident(incident.Id);

        cut.Find("form.note-form input[name=note]").Change("Carrier ticket 4711 opened");
        await SubmitAsync(cut.Find("form.note-form"));

        cut.WaitForAssertion(() =>
        {
            var row = cut.Find("table.timeline tr[data-step=note]");
            Assert.Equal((LeadName, "Carrier ticket 4711 opened"),
                (row.QuerySelector(".timeline-by")!.TextContent, row.QuerySelector(".timeline-note")!.TextContent));
        });
        var entry = Assert.Single(await EntriesAsync(incident.Id, AuditActions.IncidentStep));
        Assert.Equal("Note: Carrier ticket 4711 opened", entry.Detail);
    }

    [Fact]
    public async Task Opening_from_an_alarm_takes_its_message_queue_severity_raise_time_and_acknowledgement()
    {
        var raisedAcknowledged = Start.AddMinutes(-3);
        Alarms.Add(Alarm("alarm-1", acknowledgedBy: "night-lead", acknowledgedAt: raisedAcknowledged));
        Alarms.Add(Alarm("alarm-2", queue: "sales", severity: "warning"));
        // An alarm that already has an open incident is not offered again.
        await Incidents.OpenFromAlarmAsync("alarm-2", Monitor);
        var cut = RenderPage<IncidentsPage>();
        Assert.Equal(["alarm-1"], cut.FindAll("table.alarm-candidates tbody tr").Select(r => r.GetAttribute("data-alarm")));

        await ClickAsync(cut.Find("tr[data-alarm=alarm-1] button.open-from-alarm"));

        var opened = Assert.Single(await Store.QueryAsync(new IncidentQuery(Text: "(alarm-1)")));
        Assert.Equal(("Tech: 12 callers waiting (alarm-1)", "tech", "critical", "alarm-1", Start.AddMinutes(-7), LeadName),
            (opened.Title, opened.Queue, opened.Severity, opened.AlarmId, opened.DetectedAt, opened.OpenedBy));
        Assert.Equal(("night-lead", (DateTimeOffset?)raisedAcknowledged), (opened.AcknowledgedBy, opened.AcknowledgedAt));
        Assert.Equal(TimeSpan.FromMinutes(4), opened.TimeToAcknowledge);
        var entry = Assert.Single(await EntriesAsync(opened.Id, AuditActions.IncidentOpen));
        Assert.Equal((LeadName, Address), (entry.Actor, entry.Address));
        Assert.Contains("from alarm alarm-1", entry.Detail);
        Assert.Contains("acknowledged on the alarm by night-lead", entry.Detail);
        Assert.EndsWith($"/incidents/{opened.Id}", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task Opening_from_an_alarm_someone_else_just_opened_names_that_incident()
    {
        Alarms.Add(Alarm("alarm-3"));
        var cut = RenderPage<IncidentsPage>();
        var theirs = await Incidents.OpenFromAlarmAsync("alarm-3", new Actor("other-lead", null));

        await ClickAsync(cut.Find("tr[data-alarm=alarm-3] button.open-from-alarm"));

        cut.WaitForAssertion(() =>
        {
            Assert.Contains($"already has the open incident #{theirs.Id}", cut.Find(".alarm-error").TextContent);
            Assert.Empty(cut.FindAll("tr[data-alarm=alarm-3]"));
        });
        Assert.Single(await Store.QueryAsync(new IncidentQuery()));
    }

    [Fact]
    public void An_unknown_incident_says_so()
    {
        var cut = RenderIncident(4711);

        cut.WaitForAssertion(() => Assert.Contains("There is no incident #4711.", cut.Find(".not-found").TextContent));
        Assert.Empty(cut.FindAll("ol.runbook"));
    }

    /// <summary>Alarms a test sets up, as the alarm grain would return them.</summary>
    private sealed class FakeAlarms : IAlarmLookup
    {
        private readonly List<AlarmView> _alarms = [];

        public void Add(AlarmView alarm) => _alarms.Add(alarm);

        public Task<AlarmView?> GetAsync(string id) => Task.FromResult(_alarms.FirstOrDefault(a => a.Id == id));

        public Task<IReadOnlyList<AlarmView>> RecentAsync(int max) =>
            Task.FromResult<IReadOnlyList<AlarmView>>([.. _alarms.OrderByDescending(a => a.RaisedAt).Take(max)]);
    }
}
