using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>An incident in the API; status is open, resolved or reviewed; TTA and TTR are counted from detection.</summary>
public sealed record IncidentDto(
    long Id, string Title, string? Queue, string? AlarmId, string Severity, string? Description, string Status,
    DateTimeOffset DetectedAt, DateTimeOffset OpenedAt, string OpenedBy,
    DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy,
    DateTimeOffset? CustomersInformedAt, DateTimeOffset? CustomerEta, string? CustomerMessage,
    DateTimeOffset? EscalatedToTechAt, string? TechPriority,
    DateTimeOffset? ResolvedAt, string? ResolvedBy,
    string? RootCause, string? LessonsLearned, bool KnowledgeBaseUpdated, DateTimeOffset? ReviewedAt, string? ReviewedBy,
    double? TtaSeconds, double? TtrSeconds)
{
    public static IncidentDto From(IncidentRecord i) => new(
        i.Id, i.Title, i.Queue, i.AlarmId, i.Severity, i.Description, IncidentEndpoints.StatusName(i.Status),
        i.DetectedAt, i.OpenedAt, i.OpenedBy, i.AcknowledgedAt, i.AcknowledgedBy,
        i.CustomersInformedAt, i.CustomerEta, i.CustomerMessage, i.EscalatedToTechAt, i.TechPriority,
        i.ResolvedAt, i.ResolvedBy, i.RootCause, i.LessonsLearned, i.KnowledgeBaseUpdated, i.ReviewedAt, i.ReviewedBy,
        i.TimeToAcknowledge?.TotalSeconds, i.TimeToResolve?.TotalSeconds);
}

/// <summary>One timeline entry; step is detected, acknowledged, customersInformed, escalatedToTech, resolved, reviewed or note.</summary>
public sealed record IncidentEntryDto(long Id, string Step, DateTimeOffset At, string By, string? Note, DateTimeOffset? Eta)
{
    public static IncidentEntryDto From(IncidentTimelineEntry e) =>
        new(e.Id, JsonNamingPolicy.CamelCase.ConvertName(e.Step.ToString()), e.At, e.By, e.Note, e.Eta);
}

public sealed record IncidentDetailDto(IncidentDto Incident, IReadOnlyList<IncidentEntryDto> Timeline);

/// <summary>Either an alarm to open the incident from, or title, severity and optionally queue and description.</summary>
public sealed record OpenIncidentRequest(string? AlarmId, string? Title, string? Queue, string? Severity, string? Description);

public sealed record IncidentNoteRequest(string? Note);

public sealed record CustomersInformedRequest(string? Eta, string? Message);

public sealed record EscalateRequest(string? Priority, string? Note);

public sealed record ReviewRequest(string? RootCause, string? LessonsLearned, bool? KnowledgeBaseUpdated);

/// <summary>
/// The incident runbook over HTTP, for TeamLead and above (signed in). Bad input is a 400 naming the field, an unknown
/// incident or alarm a 404, a step the incident's state does not allow a 409 with the store's reason.
/// </summary>
public static class IncidentEndpoints
{
    public const string Path = "/api/v1/incidents";

    /// <summary>The incident runbook's service, with the alarm grain for opening incidents from alarms.</summary>
    public static WebApplicationBuilder AddOpsIncidents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IAlarmLookup, GrainAlarmLookup>();
        builder.Services.AddSingleton<IncidentService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapOpsIncidents(this IEndpointRouteBuilder app)
    {
        var incidents = app.MapGroup(Path).RequireAuthorization(Policies.Acknowledge);
        incidents.MapGet("", ListAsync);
        incidents.MapPost("", OpenAsync);
        incidents.MapGet("/{id:long}", GetAsync);
        incidents.MapPost("/{id:long}/acknowledge", (long id, IncidentNoteRequest? body, HttpContext http, IncidentService service) =>
            Step(() => service.AcknowledgeAsync(id, body?.Note, AccessExtensions.ActorOf(http), http.RequestAborted)));
        incidents.MapPost("/{id:long}/customers-informed", InformCustomersAsync);
        incidents.MapPost("/{id:long}/escalate", (long id, EscalateRequest body, HttpContext http, IncidentService service) =>
            Step(() => service.EscalateToTechAsync(id, body.Priority, body.Note, AccessExtensions.ActorOf(http), http.RequestAborted)));
        incidents.MapPost("/{id:long}/resolve", (long id, IncidentNoteRequest? body, HttpContext http, IncidentService service) =>
            Step(() => service.ResolveAsync(id, body?.Note, AccessExtensions.ActorOf(http), http.RequestAborted)));
        incidents.MapPost("/{id:long}/review", (long id, ReviewRequest body, HttpContext http, IncidentService service) =>
            body.KnowledgeBaseUpdated is not { } kb
                ? Task.FromResult(Problems.Invalid("knowledgeBaseUpdated", "required (true or false)"))
                : Step(() => service.ReviewAsync(id, body.RootCause, body.LessonsLearned, kb, AccessExtensions.ActorOf(http), http.RequestAborted)));
        incidents.MapPost("/{id:long}/notes", (long id, IncidentNoteRequest body, HttpContext http, IncidentService service) =>
            Step(() => service.AddNoteAsync(id, body.Note, AccessExtensions.ActorOf(http), http.RequestAborted)));
        return app;
    }

    /// <summary>The status as the API writes and filters it.</summary>
    public static string StatusName(IncidentStatus status) => status.ToString().ToLowerInvariant();

    private static async Task<IResult> ListAsync(
        [FromQuery] string? status, [FromQuery] string? queue, [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? text,
        [FromQuery] int? limit, IncidentService service, OpsOptions options, HttpContext http)
    {
        IncidentStatus? statusFilter = null;
        if (!string.IsNullOrEmpty(status))
        {
            statusFilter = Enum.GetValues<IncidentStatus>().Cast<IncidentStatus?>()
                .FirstOrDefault(s => string.Equals(StatusName(s!.Value), status, StringComparison.OrdinalIgnoreCase));
            if (statusFilter is null) return Problems.Invalid("status", $"'{status}' is not one of open, resolved, reviewed");
        }
        if (!string.IsNullOrEmpty(queue) && options.FindQueue(queue) is null) return Problems.Invalid("queue", $"unknown queue '{queue}'");
        if (!TryTime(from, out var fromAt)) return Problems.Invalid("from", $"'{from}' is not an RFC 3339 timestamp");
        if (!TryTime(to, out var toAt)) return Problems.Invalid("to", $"'{to}' is not an RFC 3339 timestamp");
        if (fromAt >= toAt) return Problems.Invalid("to", "must be after from");
        if (limit is < 1 or > IncidentStore.MaxLimit) return Problems.Invalid("limit", $"must be 1–{IncidentStore.MaxLimit}");
        var query = new IncidentQuery(statusFilter, string.IsNullOrEmpty(queue) ? null : queue, fromAt, toAt,
            string.IsNullOrWhiteSpace(text) ? null : text.Trim(), limit ?? 200);
        return Results.Ok((await service.QueryAsync(query, http.RequestAborted)).Select(IncidentDto.From));
    }

    private static async Task<IResult> GetAsync(long id, IncidentService service, HttpContext http)
    {
        var incident = await service.FindAsync(id, http.RequestAborted);
        if (incident is null) return Results.Problem(title: "Not found", detail: $"There is no incident #{id}.", statusCode: 404);
        var timeline = await service.TimelineAsync(id, http.RequestAborted);
        return Results.Ok(new IncidentDetailDto(IncidentDto.From(incident), timeline.Select(IncidentEntryDto.From).ToList()));
    }

    private static Task<IResult> OpenAsync(OpenIncidentRequest body, HttpContext http, IncidentService service) => Rejections(async () =>
    {
        var actor = AccessExtensions.ActorOf(http);
        IncidentRecord opened;
        if (body.AlarmId is not null)
        {
            if (body.Title is not null || body.Queue is not null || body.Severity is not null || body.Description is not null)
                return Problems.Invalid("alarmId", "an incident from an alarm takes title, queue and severity from the alarm; send alarmId alone");
            opened = await service.OpenFromAlarmAsync(body.AlarmId, actor, http.RequestAborted);
        }
        else
        {
            opened = await service.OpenAsync(new NewIncident(body.Title, body.Queue, body.Severity, body.Description), actor, http.RequestAborted);
        }
        return Results.Created($"{Path}/{opened.Id}", IncidentDto.From(opened));
    });

    private static Task<IResult> InformCustomersAsync(long id, CustomersInformedRequest body, HttpContext http, IncidentService service)
    {
        if (string.IsNullOrWhiteSpace(body.Eta)) return Task.FromResult(Problems.Invalid("eta", "required (RFC 3339, the expected recovery time)"));
        if (!TryTime(body.Eta, out var eta)) return Task.FromResult(Problems.Invalid("eta", $"'{body.Eta}' is not an RFC 3339 timestamp"));
        return Step(() => service.InformCustomersAsync(id, eta!.Value, body.Message, AccessExtensions.ActorOf(http), http.RequestAborted));
    }

    private static Task<IResult> Step(Func<Task<IncidentRecord>> step) => Rejections(async () => Results.Ok(IncidentDto.From(await step())));

    // A step that does not fit the incident's state is a conflict, not bad input.
    private static Task<IResult> Rejections(Func<Task<IResult>> action) =>
        Problems.RejectionsAsync(action, e => IncidentService.IsConflict(e) ? ("Refused", 409) : null);

    /// <summary>An optional timestamp: absent is fine (null), present must be RFC 3339 (without an offset: UTC).</summary>
    private static bool TryTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        value = parsed;
        return true;
    }
}
