using System.Globalization;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>Where incidents look alarms up: the alarm grain in the host, a fake in tests.</summary>
public interface IAlarmLookup
{
    Task<AlarmView?> GetAsync(string id);

    /// <summary>Active and recently cleared alarms, newest first.</summary>
    Task<IReadOnlyList<AlarmView>> RecentAsync(int max);
}

/// <summary>The site's alarm grain (key 0).</summary>
public sealed class GrainAlarmLookup(IGrainFactory grains) : IAlarmLookup
{
    public Task<AlarmView?> GetAsync(string id) => grains.GetGrain<IAlarmGrain>(0).GetAsync(id);

    public Task<IReadOnlyList<AlarmView>> RecentAsync(int max) => grains.GetGrain<IAlarmGrain>(0).RecentAsync(max);
}

/// <summary>What a person types to open an incident by hand.</summary>
public sealed record NewIncident(string? Title, string? Queue, string? Severity, string? Description);

/// <summary>
/// The handbook's incident runbook as commands: open (by hand or from an alarm), acknowledge, inform customers with an ETA,
/// escalate to tech, resolve, review, notes. The API and the pages both go through it, so both are checked and audited alike.
/// </summary>
/// <remarks>
/// Input is checked here first, with messages that name the field ("eta: ..."), so what the store still refuses is the
/// incident's state (already acknowledged, not yet resolved, an alarm with an open incident): <see cref="IsConflict"/> tells
/// the two apart. A refused command changes nothing and writes no audit entry, as elsewhere in the host.
/// </remarks>
public sealed class IncidentService(IncidentStore store, AuditLog audit, IAlarmLookup alarms, OpsOptions options, TimeProvider time)
{
    /// <summary>The longest description, note, message, root cause or lessons text accepted.</summary>
    public const int MaxTextLength = 4000;

    private const string ConflictKey = "ops.incident.conflict";

    /// <summary>True when the refusal is about the incident's state rather than the input (an API answers 409).</summary>
    public static bool IsConflict(CommandRejectedException e) => e.Data.Contains(ConflictKey);

    public async Task<IncidentRecord> OpenAsync(NewIncident input, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var title = Required("title", input.Title);
        if (title.Length > IncidentStore.MaxTitleLength)
            throw Invalid("title", $"has {title.Length} characters; at most {IncidentStore.MaxTitleLength} are allowed");
        var severity = Severity(input.Severity);
        var queue = Blank(input.Queue);
        if (queue is not null && options.FindQueue(queue) is null)
            throw Invalid("queue", $"unknown queue '{queue}'; use one of {string.Join(", ", options.Queues.Select(q => q.Id))}");
        var description = Optional("description", input.Description);

        var now = time.GetUtcNow();
        var opened = await Store(() => store.OpenAsync(title, queue, null, severity, description, now, actor.Name, now, ct));
        await AuditAsync(now, actor, AuditActions.IncidentOpen, opened.Id, $"{opened.Severity}: {opened.Title}" + (queue is null ? "" : $" (queue {queue})"), ct);
        return opened;
    }

    /// <summary>
    /// Opens the incident of an alarm: its message is the title, with its queue and severity; detected when it was raised.
    /// An acknowledgement the alarm already has is the incident's too (by and when).
    /// </summary>
    public async Task<IncidentRecord> OpenFromAlarmAsync(string? alarmId, Actor actor, CancellationToken ct = default)
    {
        var id = Required("alarmId", alarmId);
        var alarm = await alarms.GetAsync(id) ?? throw new CommandRejectedException($"alarmId: no alarm '{id}'", notFound: true);
        var title = alarm.Message.Trim() is { Length: > 0 } m ? m : alarm.RuleName;
        if (title.Length > IncidentStore.MaxTitleLength) title = title[..(IncidentStore.MaxTitleLength - 1)] + "…";
        // An alarm's severity is one of the incident severities; anything else is a newer alarm kind, kept as a warning.
        var severity = IncidentSeverities.All.FirstOrDefault(s => string.Equals(s, alarm.Severity, StringComparison.OrdinalIgnoreCase))
            ?? IncidentSeverities.Warning;
        var description = string.Create(CultureInfo.InvariantCulture,
            $"Alarm '{alarm.RuleName}' on {alarm.Subject}: {alarm.Value:0.##} against the threshold {alarm.Threshold:0.##}.");

        var now = time.GetUtcNow();
        var opened = await Store(() => store.OpenAsync(title, alarm.Queue, alarm.Id, severity, description, alarm.RaisedAt, actor.Name, now, ct));
        var detail = $"{opened.Severity}: {opened.Title} (from alarm {alarm.Id})";
        if (alarm is { AcknowledgedBy: { Length: > 0 } by, AcknowledgedAt: { } at })
        {
            // Whoever took the alarm took the incident: the runbook's acknowledgement happened on the alarm.
            opened = await Store(() => store.AcknowledgeAsync(opened.Id, by, at, "acknowledged on the alarm", ct));
            detail += $"; acknowledged on the alarm by {by} at {Iso(at)}";
        }

        await AuditAsync(now, actor, AuditActions.IncidentOpen, opened.Id, detail, ct);
        return opened;
    }

    public async Task<IncidentRecord> AcknowledgeAsync(long id, string? note, Actor actor, CancellationToken ct = default)
    {
        note = Optional("note", note);
        var now = time.GetUtcNow();
        var updated = await Store(() => store.AcknowledgeAsync(id, actor.Name, now, note, ct));
        await StepAuditAsync(now, actor, id, IncidentStep.Acknowledged, note, ct);
        return updated;
    }

    /// <summary>Customers were told, with the expected recovery time; may be repeated while the incident is open.</summary>
    public async Task<IncidentRecord> InformCustomersAsync(long id, DateTimeOffset eta, string? message, Actor actor, CancellationToken ct = default)
    {
        var text = Required("message", message);
        Limit("message", text);
        var now = time.GetUtcNow();
        if (eta.ToUnixTimeMilliseconds() < now.ToUnixTimeMilliseconds())
            throw Invalid("eta", $"{Iso(eta)} is in the past; the expected recovery time lies ahead");
        var updated = await Store(() => store.InformCustomersAsync(id, actor.Name, now, eta, text, ct));
        await StepAuditAsync(now, actor, id, IncidentStep.CustomersInformed, $"ETA {Iso(eta)}: {text}", ct);
        return updated;
    }

    public async Task<IncidentRecord> EscalateToTechAsync(long id, string? priority, string? note, Actor actor, CancellationToken ct = default)
    {
        var name = IncidentStore.TechPriorities.FirstOrDefault(p => string.Equals(p, priority?.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw Invalid("priority", $"'{priority}' is not one of {string.Join(", ", IncidentStore.TechPriorities)}");
        note = Optional("note", note);
        var now = time.GetUtcNow();
        var updated = await Store(() => store.EscalateToTechAsync(id, actor.Name, now, name, note, ct));
        await StepAuditAsync(now, actor, id, IncidentStep.EscalatedToTech, note is null ? name : $"{name}: {note}", ct);
        return updated;
    }

    public async Task<IncidentRecord> ResolveAsync(long id, string? note, Actor actor, CancellationToken ct = default)
    {
        note = Optional("note", note);
        var now = time.GetUtcNow();
        var updated = await Store(() => store.ResolveAsync(id, actor.Name, now, note, ct));
        await StepAuditAsync(now, actor, id, IncidentStep.Resolved, note, ct);
        return updated;
    }

    /// <summary>The post-incident review: root cause, lessons learned, and whether the knowledge base was updated.</summary>
    public async Task<IncidentRecord> ReviewAsync(long id, string? rootCause, string? lessonsLearned, bool knowledgeBaseUpdated, Actor actor,
        CancellationToken ct = default)
    {
        var cause = Required("rootCause", rootCause);
        Limit("rootCause", cause);
        var lessons = Required("lessonsLearned", lessonsLearned);
        Limit("lessonsLearned", lessons);
        var now = time.GetUtcNow();
        var updated = await Store(() => store.ReviewAsync(id, actor.Name, now, cause, lessons, knowledgeBaseUpdated, ct));
        await AuditAsync(now, actor, AuditActions.IncidentReview, id,
            $"root cause: {cause}; lessons learned: {lessons}; knowledge base {(knowledgeBaseUpdated ? "updated" : "not updated")}", ct);
        return updated;
    }

    public async Task<IncidentRecord> AddNoteAsync(long id, string? note, Actor actor, CancellationToken ct = default)
    {
        var text = Required("note", note);
        Limit("note", text);
        var now = time.GetUtcNow();
        var updated = await Store(() => store.AddNoteAsync(id, actor.Name, now, text, ct));
        await StepAuditAsync(now, actor, id, IncidentStep.Note, text, ct);
        return updated;
    }

    public Task<IncidentRecord?> FindAsync(long id, CancellationToken ct = default) => store.FindAsync(id, ct);

    public Task<IReadOnlyList<IncidentTimelineEntry>> TimelineAsync(long id, CancellationToken ct = default) => store.TimelineAsync(id, ct);

    public Task<IReadOnlyList<IncidentRecord>> QueryAsync(IncidentQuery query, CancellationToken ct = default) => store.QueryAsync(query, ct);

    /// <summary>Active and recent alarms that have no open incident yet: the ones an incident can be opened from.</summary>
    public async Task<IReadOnlyList<AlarmView>> AlarmsWithoutIncidentAsync(int max = 50, CancellationToken ct = default)
    {
        var recent = await alarms.RecentAsync(max);
        var result = new List<AlarmView>(recent.Count);
        foreach (var alarm in recent)
        {
            if (await store.FindOpenByAlarmAsync(alarm.Id, ct) is null) result.Add(alarm);
        }
        return result;
    }

    /// <summary>The store's refusals in the host's terms: not found, or a conflict with the incident's state.</summary>
    private static async Task<IncidentRecord> Store(Func<Task<IncidentRecord>> call)
    {
        try
        {
            return await call();
        }
        catch (KeyNotFoundException e)
        {
            throw new CommandRejectedException(e.Message, notFound: true);
        }
        catch (IncidentInvalidException e)
        {
            var rejected = new CommandRejectedException(e.Message);
            rejected.Data[ConflictKey] = true;
            throw rejected;
        }
    }

    private Task StepAuditAsync(DateTimeOffset at, Actor actor, long id, IncidentStep step, string? detail, CancellationToken ct) =>
        AuditAsync(at, actor, AuditActions.IncidentStep, id, detail is null ? step.ToString() : $"{step}: {detail}", ct);

    private Task AuditAsync(DateTimeOffset at, Actor actor, string action, long id, string detail, CancellationToken ct) =>
        audit.AppendAsync(at, actor.Name, action, Target(id), detail, actor.Address, ct: ct);

    /// <summary>The audit target of an incident (what the audit page's text filter finds).</summary>
    public static string Target(long id) => $"incident #{id}";

    private static string Severity(string? severity) =>
        IncidentSeverities.All.FirstOrDefault(s => string.Equals(s, severity?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw Invalid("severity", $"'{severity}' is not one of {string.Join(", ", IncidentSeverities.All)}");

    private static string Required(string field, string? value) =>
        Blank(value) ?? throw Invalid(field, "required");

    private static string? Optional(string field, string? value)
    {
        var text = Blank(value);
        if (text is not null) Limit(field, text);
        return text;
    }

    private static void Limit(string field, string text)
    {
        if (text.Length > MaxTextLength) throw Invalid(field, $"has {text.Length} characters; at most {MaxTextLength} are allowed");
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static CommandRejectedException Invalid(string field, string message) => new($"{field}: {message}");

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
