using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>The answer to a successful import: the hours stored (from ≤ hour &lt; to, UTC) out of the rows read.</summary>
public sealed record VolumeImportDto(string Queue, int Hours, int RowsRead, DateTimeOffset From, DateTimeOffset To);

/// <summary>What an import did: refused (errors, nothing stored) or stored.</summary>
public sealed record VolumeImportOutcome(VolumeImport Parsed, VolumeImportDto? Stored);

/// <summary>
/// Contact-volume history for the forecast: a CSV import (<see cref="VolumeCsv"/>) per queue and a read of the stored
/// hours. Management and Admin sessions, and API keys (the tools that export history from the ACD), may use both.
/// </summary>
public static class HistoryEndpoints
{
    public const string VolumePath = "/api/v1/history/volume";

    /// <summary>A year of 5-minute rows is about 3 MB; 20 MB leaves room without buffering anything unreasonable.</summary>
    public const long MaxBodyBytes = 20 * 1024 * 1024;

    /// <summary>How many row errors a refused import lists; the total is in the detail.</summary>
    public const int MaxErrorsShown = 50;

    public static IEndpointRouteBuilder MapOpsHistory(this IEndpointRouteBuilder app)
    {
        // Not Policies.Planning alone: that admits signed-in people only, and imports usually come from scripts with a key.
        var history = app.MapGroup(VolumePath).RequireAuthorization(p => p.RequireAssertion(ctx =>
            AccessExtensions.IsSource(ctx.User) || AccessExtensions.HasRole(ctx.User, AccessExtensions.PlanningRoles)));
        history.MapPost("", PostVolumeAsync);
        history.MapGet("", GetVolumeAsync);
        return app;
    }

    /// <summary>
    /// Parses <paramref name="csv"/> for <paramref name="queue"/>, stores its hours when it has no errors and records the
    /// attempt (stored or refused) in the audit log. Shared by the endpoint and the import-volume command.
    /// </summary>
    public static async Task<VolumeImportOutcome> ImportAsync(string queue, string csv, TimeZoneInfo siteZone, Actor actor,
        VolumeHistoryStore store, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var parsed = VolumeCsv.Parse(csv, siteZone);
        var now = time.GetUtcNow();
        if (!parsed.Ok)
        {
            await audit.AppendAsync(now, actor.Name, AuditActions.HistoryImport, queue,
                $"refused: {parsed.Errors.Count} row errors, first: {parsed.Errors[0]}", actor.Address, success: false, ct);
            return new VolumeImportOutcome(parsed, null);
        }

        await store.ReplaceAsync(queue, parsed.Hours, now, ct);
        var result = new VolumeImportDto(queue, parsed.Hours.Count, parsed.RowsRead, parsed.Hours[0].HourStartUtc,
            parsed.Hours[^1].HourStartUtc.AddHours(1));
        await audit.AppendAsync(now, actor.Name, AuditActions.HistoryImport, queue,
            $"{result.Hours} hours from {result.RowsRead} rows ({parsed.IntervalMinutes}-minute), {Utc(result.From)} – {Utc(result.To)}",
            actor.Address, success: true, ct);
        return new VolumeImportOutcome(parsed, result);
    }

    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    private static async Task<IResult> PostVolumeAsync([FromQuery] string? queue, HttpRequest request, OpsOptions options, SiteClock clock,
        VolumeHistoryStore store, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(queue)) return Problems.Invalid("queue", "required (the queue the history belongs to)");
        if (options.FindQueue(queue) is null) return Problems.Invalid("queue", $"unknown queue '{queue}'");
        if (!IsCsv(request.ContentType))
            return Results.Problem(title: "Unsupported media type", detail: $"the body must be text/csv, not '{request.ContentType}'",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        if (request.ContentLength > MaxBodyBytes) return TooLarge();

        string csv;
        using (var body = await RequestBody.ReadAsync(request, MaxBodyBytes, ct))
        {
            if (body is null) return TooLarge();
            try
            {
                csv = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.Memory.Span);
            }
            catch (DecoderFallbackException)
            {
                return Problems.Invalid("body", "the file is not UTF-8 text");
            }
        }

        var outcome = await ImportAsync(queue, csv, clock.TimeZone, AccessExtensions.ActorOf(request.HttpContext), store, audit, time, ct);
        if (outcome.Stored is { } stored) return Results.Ok(stored);
        var errors = outcome.Parsed.Errors;
        return Results.Problem(
            title: "Invalid volume file",
            detail: $"{errors.Count} row error(s), nothing was imported: " + string.Join("; ", errors.Take(5)),
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["errors"] = errors.Take(MaxErrorsShown).ToList(), ["errorCount"] = errors.Count });
    }

    private static async Task<IResult> GetVolumeAsync([FromQuery] string? queue, [FromQuery] string? from, [FromQuery] string? to,
        OpsOptions options, VolumeHistoryStore store, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(queue)) return Problems.Invalid("queue", "required");
        if (options.FindQueue(queue) is null) return Problems.Invalid("queue", $"unknown queue '{queue}'");
        if (!TryTime(from, DateTimeOffset.UnixEpoch, out var fromUtc)) return Problems.Invalid("from", $"'{from}' is not an RFC 3339 timestamp");
        if (!TryTime(to, DateTimeOffset.MaxValue, out var toUtc)) return Problems.Invalid("to", $"'{to}' is not an RFC 3339 timestamp");
        if (toUtc <= fromUtc) return Problems.Invalid("to", "must be after from");
        return Results.Ok(await store.ReadAsync(queue, fromUtc, toUtc, ct));
    }

    private static bool IsCsv(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("text/csv", StringComparison.OrdinalIgnoreCase);

    private static bool TryTime(string? text, DateTimeOffset fallback, out DateTimeOffset value)
    {
        value = fallback;
        return string.IsNullOrEmpty(text) || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    private static IResult TooLarge() =>
        Results.Problem(title: "File too large", detail: $"at most {MaxBodyBytes} bytes are accepted per import",
            statusCode: StatusCodes.Status413PayloadTooLarge);
}
