using Dapper;
using Microsoft.Data.Sqlite;

namespace Ops.Dashboard.Storage.Tests;

public sealed class IncidentStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 3, 9, 0, 0, 250, TimeSpan.FromHours(1));

    private readonly TempDatabase _temp = new();
    private readonly IncidentStore _incidents;

    public IncidentStoreTests() => _incidents = new IncidentStore(_temp.Db);

    public void Dispose() => _temp.Dispose();

    private Task<IncidentRecord> Open(string title = "Telephony down", string? queue = "billing", string? alarmId = "alarm-1",
        string severity = "critical", string? description = "No calls reach the ACD", int minute = 0) =>
        _incidents.OpenAsync(title, queue, alarmId, severity, description, T0.AddMinutes(minute), "monitoring", T0.AddMinutes(minute + 1));

    private async Task<(IncidentRecord?, IReadOnlyList<IncidentTimelineEntry>)> Snapshot(long id) =>
        (await _incidents.FindAsync(id), await _incidents.TimelineAsync(id));

    private async Task<IncidentInvalidException> AssertRefusedAndUnchanged(long id, Func<Task> step)
    {
        var (record, timeline) = await Snapshot(id);
        var error = await Assert.ThrowsAsync<IncidentInvalidException>(step);
        var (recordAfter, timelineAfter) = await Snapshot(id);
        Assert.Equal(record, recordAfter);
        Assert.Equal(timeline, timelineAfter);
        return error;
    }

    [Fact]
    public async Task A_full_runbook_run_records_every_milestone_and_a_timeline_in_order()
    {
        var opened = await Open();
        var acked = await _incidents.AcknowledgeAsync(opened.Id, "lead.ana", T0.AddMinutes(12), "on it");
        await _incidents.InformCustomersAsync(opened.Id, "lead.ana", T0.AddMinutes(15), T0.AddHours(1), "Phone lines disturbed, back by 11:00");
        var informed = await _incidents.InformCustomersAsync(opened.Id, "lead.ana", T0.AddMinutes(50), T0.AddHours(2), "Still disturbed, back by 12:00");
        var escalated = await _incidents.EscalateToTechAsync(opened.Id, "lead.ana", T0.AddMinutes(16), "P1", "SIP trunk");
        var resolved = await _incidents.ResolveAsync(opened.Id, "tech.bo", T0.AddMinutes(95), "trunk restarted");
        var reviewed = await _incidents.ReviewAsync(opened.Id, "lead.ana", T0.AddDays(1), "expired certificate", "monitor expiry", knowledgeBaseUpdated: true);

        Assert.Equal(IncidentStatus.Open, acked.Status);
        Assert.Equal(TimeSpan.FromMinutes(12), acked.TimeToAcknowledge);
        Assert.Null(acked.TimeToResolve);
        Assert.Equal((T0.AddMinutes(50), T0.AddHours(2), "Still disturbed, back by 12:00"),
            (informed.CustomersInformedAt!.Value, informed.CustomerEta!.Value, informed.CustomerMessage));
        Assert.Equal((T0.AddMinutes(16), "P1"), (escalated.EscalatedToTechAt!.Value, escalated.TechPriority));
        Assert.Equal((IncidentStatus.Resolved, T0.AddMinutes(95), "tech.bo"), (resolved.Status, resolved.ResolvedAt!.Value, resolved.ResolvedBy));
        Assert.Equal(TimeSpan.FromMinutes(95), resolved.TimeToResolve);

        var expected = new IncidentRecord(opened.Id, "Telephony down", "billing", "alarm-1", "critical", "No calls reach the ACD",
            IncidentStatus.Reviewed, T0, "monitoring", T0.AddMinutes(12), "lead.ana",
            T0.AddMinutes(50), T0.AddHours(2), "Still disturbed, back by 12:00", T0.AddMinutes(16), "P1", T0.AddMinutes(95), "tech.bo",
            "expired certificate", "monitor expiry", true, T0.AddDays(1), "lead.ana") { OpenedAt = T0.AddMinutes(1) };
        Assert.Equal(expected, reviewed);
        Assert.Equal(expected, await _incidents.FindAsync(opened.Id));
        Assert.Equal(TimeSpan.Zero, reviewed.DetectedAt.Offset);

        var timeline = await _incidents.TimelineAsync(opened.Id);
        Assert.Equal(
            [
                (IncidentStep.Detected, T0, "monitoring", (string?)null, (DateTimeOffset?)null),
                (IncidentStep.Acknowledged, T0.AddMinutes(12), "lead.ana", "on it", null),
                (IncidentStep.CustomersInformed, T0.AddMinutes(15), "lead.ana", "Phone lines disturbed, back by 11:00", T0.AddHours(1)),
                (IncidentStep.EscalatedToTech, T0.AddMinutes(16), "lead.ana", "SIP trunk", null),
                (IncidentStep.CustomersInformed, T0.AddMinutes(50), "lead.ana", "Still disturbed, back by 12:00", T0.AddHours(2)),
                (IncidentStep.Resolved, T0.AddMinutes(95), "tech.bo", "trunk restarted", null),
                (IncidentStep.Reviewed, T0.AddDays(1), "lead.ana", null, null),
            ],
            timeline.Select(e => (e.Step, e.At, e.By, e.Note, e.Eta)));
        Assert.All(timeline, e => Assert.Equal(opened.Id, e.IncidentId));
    }

    [Fact]
    public async Task Open_stores_an_open_incident_with_a_detected_entry_and_blank_optional_texts_as_null()
    {
        var opened = await _incidents.OpenAsync("Chat slow", " ", "", "Warning", "  ", T0, "lead.ana", T0.AddMinutes(3));

        Assert.Equal(
            new IncidentRecord(opened.Id, "Chat slow", null, null, "warning", null, IncidentStatus.Open, T0, "lead.ana",
                null, null, null, null, null, null, null, null, null, null, null, false, null, null) { OpenedAt = T0.AddMinutes(3) },
            opened);
        Assert.Null(opened.TimeToAcknowledge);
        var entry = Assert.Single(await _incidents.TimelineAsync(opened.Id));
        Assert.Equal(new IncidentTimelineEntry(entry.Id, opened.Id, IncidentStep.Detected, T0, "lead.ana", null), entry);
        Assert.Null(await _incidents.FindAsync(opened.Id + 1));
        Assert.Empty(await _incidents.TimelineAsync(opened.Id + 1));
    }

    [Theory]
    [InlineData("", "critical", "title")]
    [InlineData("   ", "critical", "title")]
    [InlineData("Down", "major", "'major'")]
    [InlineData("Down", "", "severity")]
    public async Task Open_refuses_a_missing_title_or_an_unknown_severity_and_stores_nothing(string title, string severity, string named)
    {
        var error = await Assert.ThrowsAsync<IncidentInvalidException>(
            () => _incidents.OpenAsync(title, null, null, severity, null, T0, "lead.ana", T0));

        Assert.Contains(named, error.Message);
        Assert.Empty(await _incidents.QueryAsync(new IncidentQuery()));
    }

    [Fact]
    public async Task Open_accepts_a_title_of_200_characters_and_refuses_201()
    {
        await _incidents.OpenAsync(new string('x', 200), null, null, "info", null, T0, "lead.ana", T0);

        var error = await Assert.ThrowsAsync<IncidentInvalidException>(
            () => _incidents.OpenAsync(new string('y', 201), null, null, "info", null, T0, "lead.ana", T0));

        Assert.Contains("201", error.Message);
        Assert.Single(await _incidents.QueryAsync(new IncidentQuery()));
    }

    [Fact]
    public async Task A_second_open_incident_for_one_alarm_is_refused_until_the_first_is_resolved()
    {
        var first = await Open(alarmId: "sl-billing");

        var error = await Assert.ThrowsAsync<IncidentInvalidException>(() => Open(title: "Again", alarmId: "sl-billing", minute: 5));

        Assert.Contains("'sl-billing'", error.Message);
        Assert.Contains($"#{first.Id}", error.Message);
        Assert.Single(await _incidents.QueryAsync(new IncidentQuery()));
        Assert.Single(await _incidents.TimelineAsync(first.Id));
        Assert.Equal(first, await _incidents.FindOpenByAlarmAsync("sl-billing"));

        await _incidents.ResolveAsync(first.Id, "lead.ana", T0.AddMinutes(30), null);
        Assert.Null(await _incidents.FindOpenByAlarmAsync("sl-billing"));
        var second = await Open(title: "Again", alarmId: "sl-billing", minute: 40);

        Assert.Equal(second, await _incidents.FindOpenByAlarmAsync("sl-billing"));
        // Incidents without an alarm never block each other.
        await Open(alarmId: null);
        await Open(alarmId: null);
    }

    [Fact]
    public async Task The_schema_itself_refuses_a_second_open_incident_for_one_alarm()
    {
        await Open(alarmId: "a7");

        using var connection = _temp.Db.Open();
        var error = Assert.Throws<SqliteException>(() => connection.Execute(
            """
            INSERT INTO incidents (title, alarm_id, severity, status, detected_utc_ms, opened_utc_ms, opened_by)
            VALUES ('x', 'a7', 'info', 'Open', 0, 0, 'x');
            """));

        Assert.Contains("UNIQUE", error.Message);
    }

    [Fact]
    public async Task Acknowledging_twice_is_refused_naming_who_acknowledged_and_when()
    {
        var opened = await Open();
        await _incidents.AcknowledgeAsync(opened.Id, "lead.ana", T0.AddMinutes(4), null);

        var error = await AssertRefusedAndUnchanged(opened.Id, () => _incidents.AcknowledgeAsync(opened.Id, "lead.bo", T0.AddMinutes(6), "me too"));

        Assert.Contains("lead.ana", error.Message);
        Assert.Contains("2026-11-03 08:04:00Z", error.Message);
    }

    [Fact]
    public async Task Review_before_resolve_is_refused()
    {
        var opened = await Open();

        var error = await AssertRefusedAndUnchanged(
            opened.Id, () => _incidents.ReviewAsync(opened.Id, "lead.ana", T0.AddHours(1), "cause", "lessons", true));

        Assert.Contains("still open", error.Message);
    }

    [Theory]
    [InlineData("", "lessons", "root cause")]
    [InlineData("  ", "lessons", "root cause")]
    [InlineData("cause", "", "lessons learned")]
    [InlineData("cause", "\t", "lessons learned")]
    public async Task Review_without_root_cause_or_lessons_is_refused(string rootCause, string lessons, string named)
    {
        var opened = await Open();
        await _incidents.ResolveAsync(opened.Id, "lead.ana", T0.AddMinutes(20), null);

        var error = await AssertRefusedAndUnchanged(
            opened.Id, () => _incidents.ReviewAsync(opened.Id, "lead.ana", T0.AddHours(1), rootCause, lessons, false));

        Assert.Contains(named, error.Message);
        Assert.Equal(IncidentStatus.Resolved, (await _incidents.FindAsync(opened.Id))!.Status);
    }

    [Fact]
    public async Task Reviewing_twice_is_refused()
    {
        var opened = await Open();
        await _incidents.ResolveAsync(opened.Id, "lead.ana", T0.AddMinutes(20), null);
        await _incidents.ReviewAsync(opened.Id, "lead.ana", T0.AddHours(1), "cause", "lessons", false);

        var error = await AssertRefusedAndUnchanged(
            opened.Id, () => _incidents.ReviewAsync(opened.Id, "lead.bo", T0.AddHours(2), "other", "other", true));

        Assert.Contains("already reviewed by lead.ana", error.Message);
    }

    [Theory]
    [InlineData("P5")]
    [InlineData("P0")]
    [InlineData("high")]
    [InlineData("")]
    public async Task Escalating_with_a_priority_outside_P1_to_P4_is_refused(string priority)
    {
        var opened = await Open();

        var error = await AssertRefusedAndUnchanged(
            opened.Id, () => _incidents.EscalateToTechAsync(opened.Id, "lead.ana", T0.AddMinutes(5), priority, null));

        Assert.Contains("P1, P2, P3, P4", error.Message);
    }

    [Fact]
    public async Task Escalation_accepts_a_lower_case_priority_stores_it_upper_case_and_happens_once()
    {
        var opened = await Open();
        var escalated = await _incidents.EscalateToTechAsync(opened.Id, "lead.ana", T0.AddMinutes(5), "p2", null);

        var error = await AssertRefusedAndUnchanged(
            opened.Id, () => _incidents.EscalateToTechAsync(opened.Id, "lead.ana", T0.AddMinutes(9), "P1", "worse now"));

        Assert.Equal("P2", escalated.TechPriority);
        Assert.Contains("already escalated to tech as P2", error.Message);
    }

    [Fact]
    public async Task Informing_customers_with_an_eta_before_the_message_is_refused_and_an_eta_of_now_is_accepted()
    {
        var opened = await Open();

        var error = await AssertRefusedAndUnchanged(
            opened.Id, () => _incidents.InformCustomersAsync(opened.Id, "lead.ana", T0.AddMinutes(10), T0.AddMinutes(9), "soon"));
        await AssertRefusedAndUnchanged(
            opened.Id, () => _incidents.InformCustomersAsync(opened.Id, "lead.ana", T0.AddMinutes(10), T0.AddHours(1), " "));
        var informed = await _incidents.InformCustomersAsync(opened.Id, "lead.ana", T0.AddMinutes(10), T0.AddMinutes(10), "now");

        Assert.Contains("ETA", error.Message);
        Assert.Equal(T0.AddMinutes(10), informed.CustomerEta);
    }

    [Fact]
    public async Task Steps_on_an_unknown_incident_throw_KeyNotFoundException_and_write_nothing()
    {
        var opened = await Open();
        const long unknown = 4711;
        var steps = new Func<Task>[]
        {
            () => _incidents.AcknowledgeAsync(unknown, "lead.ana", T0, null),
            () => _incidents.InformCustomersAsync(unknown, "lead.ana", T0, T0.AddHours(1), "msg"),
            () => _incidents.EscalateToTechAsync(unknown, "lead.ana", T0, "P1", null),
            () => _incidents.ResolveAsync(unknown, "lead.ana", T0, null),
            () => _incidents.ReviewAsync(unknown, "lead.ana", T0, "cause", "lessons", false),
            () => _incidents.AddNoteAsync(unknown, "lead.ana", T0, "note"),
        };

        foreach (var step in steps)
        {
            var error = await Assert.ThrowsAsync<KeyNotFoundException>(step);
            Assert.Contains("no incident #4711", error.Message);
        }

        using var connection = _temp.Db.Open();
        Assert.Equal(1, connection.ExecuteScalar<long>("SELECT count(*) FROM incident_timeline;"));
        Assert.Equal(opened, await _incidents.FindAsync(opened.Id));
    }

    [Fact]
    public async Task Resolve_does_not_need_an_acknowledgement_and_leaves_none()
    {
        var opened = await Open();

        var resolved = await _incidents.ResolveAsync(opened.Id, "lead.ana", T0.AddMinutes(30), null);

        Assert.Equal(IncidentStatus.Resolved, resolved.Status);
        Assert.Null(resolved.AcknowledgedAt);
        Assert.Null(resolved.TimeToAcknowledge);
        Assert.Equal(TimeSpan.FromMinutes(30), resolved.TimeToResolve);
        Assert.Equal([IncidentStep.Detected, IncidentStep.Resolved], (await _incidents.TimelineAsync(opened.Id)).Select(e => e.Step));
    }

    [Fact]
    public async Task A_resolved_incident_refuses_the_open_only_steps()
    {
        var opened = await Open();
        await _incidents.ResolveAsync(opened.Id, "lead.ana", T0.AddMinutes(30), null);

        var resolveAgain = await AssertRefusedAndUnchanged(opened.Id, () => _incidents.ResolveAsync(opened.Id, "lead.bo", T0.AddMinutes(31), null));
        await AssertRefusedAndUnchanged(opened.Id, () => _incidents.AcknowledgeAsync(opened.Id, "lead.bo", T0.AddMinutes(31), null));
        await AssertRefusedAndUnchanged(
            opened.Id, () => _incidents.InformCustomersAsync(opened.Id, "lead.bo", T0.AddMinutes(31), T0.AddHours(1), "msg"));
        await AssertRefusedAndUnchanged(opened.Id, () => _incidents.EscalateToTechAsync(opened.Id, "lead.bo", T0.AddMinutes(31), "P1", null));

        Assert.Contains("is resolved; only an open incident can be resolved", resolveAgain.Message);
    }

    [Fact]
    public async Task Notes_are_accepted_in_every_state_but_not_blank()
    {
        var opened = await Open();
        await _incidents.AddNoteAsync(opened.Id, "agent.cy", T0.AddMinutes(2), "customers calling about it");
        await _incidents.ResolveAsync(opened.Id, "lead.ana", T0.AddMinutes(30), null);
        await _incidents.AddNoteAsync(opened.Id, "lead.ana", T0.AddMinutes(31), "vendor ticket 123");
        await _incidents.ReviewAsync(opened.Id, "lead.ana", T0.AddHours(2), "cause", "lessons", false);
        var afterReview = await _incidents.AddNoteAsync(opened.Id, "lead.ana", T0.AddHours(3), "KB article written");

        await AssertRefusedAndUnchanged(opened.Id, () => _incidents.AddNoteAsync(opened.Id, "lead.ana", T0.AddHours(4), "  "));

        Assert.Equal(IncidentStatus.Reviewed, afterReview.Status);
        Assert.Equal(
            ["customers calling about it", "vendor ticket 123", "KB article written"],
            (await _incidents.TimelineAsync(opened.Id)).Where(e => e.Step == IncidentStep.Note).Select(e => e.Note));
    }

    [Fact]
    public async Task The_timeline_is_in_time_order_even_when_steps_are_recorded_late()
    {
        var opened = await Open();
        var late = await _incidents.AcknowledgeAsync(opened.Id, "lead.ana", T0.AddMinutes(20), null);
        // Written afterwards, but about something that happened earlier; same time as the ack: order of writing decides.
        await _incidents.AddNoteAsync(opened.Id, "agent.cy", T0.AddMinutes(5), "first report by phone");
        await _incidents.AddNoteAsync(opened.Id, "agent.cy", T0.AddMinutes(20), "same minute as the ack");

        var timeline = await _incidents.TimelineAsync(opened.Id);

        Assert.Equal(["monitoring", "agent.cy", "lead.ana", "agent.cy"], timeline.Select(e => e.By));
        Assert.Equal(late.AcknowledgedAt, timeline[2].At);
    }

    [Fact]
    public async Task Two_supervisors_acknowledging_at_once_give_one_acknowledgement()
    {
        var opened = await Open();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            try
            {
                await new IncidentStore(_temp.Db).AcknowledgeAsync(opened.Id, $"lead.{i}", T0.AddMinutes(5), null);
                return true;
            }
            catch (IncidentInvalidException)
            {
                return false;
            }
        })));

        Assert.Equal(1, results.Count(r => r));
        Assert.Single(await _incidents.TimelineAsync(opened.Id), e => e.Step == IncidentStep.Acknowledged);
    }

    [Theory]
    [InlineData("UPDATE incident_timeline SET note = 'rewritten';")]
    [InlineData("DELETE FROM incident_timeline;")]
    public async Task The_schema_refuses_to_change_or_remove_timeline_entries(string sql)
    {
        var opened = await Open();
        var before = await _incidents.TimelineAsync(opened.Id);

        using var connection = _temp.Db.Open();
        var error = Assert.Throws<SqliteException>(() => connection.Execute(sql));

        Assert.Contains("append-only", error.Message);
        Assert.Equal(before, await _incidents.TimelineAsync(opened.Id));
    }

    [Fact]
    public async Task Query_filters_by_status_queue_detection_time_and_text_newest_detected_first()
    {
        var billingOld = await Open(title: "Billing hotline down", queue: "billing", alarmId: null, minute: 0);
        var chat = await Open(title: "Chat widget", queue: "chat", alarmId: null, description: "Störung beim Anbieter", minute: 10);
        var billingNew = await Open(title: "Billing SL breach", queue: "billing", alarmId: null, description: null, minute: 20);
        var tech = await Open(title: "Tech queue 100% full", queue: "tech", alarmId: null, minute: 30);
        await _incidents.ResolveAsync(chat.Id, "lead.ana", T0.AddMinutes(40), null);

        async Task<List<long>> Ids(IncidentQuery query) => (await _incidents.QueryAsync(query)).Select(i => i.Id).ToList();

        Assert.Equal([tech.Id, billingNew.Id, chat.Id, billingOld.Id], await Ids(new IncidentQuery()));
        Assert.Equal([tech.Id, billingNew.Id, billingOld.Id], await Ids(new IncidentQuery(Status: IncidentStatus.Open)));
        Assert.Equal([chat.Id], await Ids(new IncidentQuery(Status: IncidentStatus.Resolved)));
        Assert.Empty(await Ids(new IncidentQuery(Status: IncidentStatus.Reviewed)));
        Assert.Equal([billingNew.Id, billingOld.Id], await Ids(new IncidentQuery(Queue: "billing")));
        // From inclusive, To exclusive.
        Assert.Equal([billingNew.Id, chat.Id], await Ids(new IncidentQuery(From: T0.AddMinutes(10), To: T0.AddMinutes(30))));
        Assert.Equal([chat.Id], await Ids(new IncidentQuery(Text: "STÖRUNG")));
        Assert.Equal([billingNew.Id, billingOld.Id], await Ids(new IncidentQuery(Text: "billing")));
        Assert.Equal([tech.Id], await Ids(new IncidentQuery(Text: "0%")));
        Assert.Equal([billingNew.Id], await Ids(new IncidentQuery(Status: IncidentStatus.Open, Queue: "billing", From: T0.AddMinutes(5), Text: "sl")));
        Assert.Equal([tech.Id, billingNew.Id], await Ids(new IncidentQuery(Limit: 2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _incidents.QueryAsync(new IncidentQuery(Limit: 0)));
    }

    [Fact]
    public async Task Query_limit_is_capped_at_1000()
    {
        using (var connection = _temp.Db.Open())
        {
            connection.Execute(
                """
                WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005)
                INSERT INTO incidents (title, severity, status, detected_utc_ms, opened_utc_ms, opened_by)
                SELECT 'x', 'info', 'Open', i, i, 'x' FROM n;
                """);
        }

        Assert.Equal(200, (await _incidents.QueryAsync(new IncidentQuery())).Count);
        Assert.Equal(IncidentStore.MaxLimit, (await _incidents.QueryAsync(new IncidentQuery(Limit: 5000))).Count);
    }

    [Fact]
    public async Task A_blank_actor_is_an_argument_error()
    {
        var opened = await Open();

        await Assert.ThrowsAsync<ArgumentException>(() => _incidents.AcknowledgeAsync(opened.Id, " ", T0, null));
        await Assert.ThrowsAsync<ArgumentException>(() => _incidents.OpenAsync("t", null, null, "info", null, T0, "", T0));
        Assert.Equal(opened, await _incidents.FindAsync(opened.Id));
    }
}
