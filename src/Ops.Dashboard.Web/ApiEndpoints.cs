using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Grains;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>Ingestion (contract v1) and the read API v1.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/events", PostEventsAsync).RequireAuthorization(Policies.Ingest);
        var read = app.MapGroup("/api/v1").RequireAuthorization(Policies.Read);
        read.MapGet("/queues", GetQueuesAsync);
        read.MapGet("/queues/{id}", GetQueueAsync);
        read.MapGet("/agents", GetAgentsAsync);
        read.MapGet("/stats", GetStatsAsync);
        read.MapGet("/contacts/{id}", GetContactAsync);
        read.MapGet("/shifts", GetShiftsAsync);
        var console = app.MapGroup("/api/v1/agents").RequireAuthorization(Policies.Console);
        console.MapPost("/{id}/queues", SetAgentQueuesAsync);
        console.MapPost("/{id}/state", SetAgentStateAsync);
        console.MapPost("/what-if", WhatIfAsync);
        app.MapGet("/healthz", (EventDispatcher d) => Results.Ok(new HealthDto(
            d.Recovered.IsCompletedSuccessfully ? "ok" : d.Recovered.IsFaulted ? "failed" : "recovering", d.AppliedSeq, d.LoggedSeq)));
        return app;
    }

    private static async Task<IResult> PostEventsAsync(HttpRequest request, OpsOptions options, IngestionService ingestion, CancellationToken ct)
    {
        var limit = options.Ingestion.MaxBatchBytes;
        if (request.ContentLength > limit) return TooLarge($"the body has {request.ContentLength} bytes; at most {limit} are accepted per batch");
        ParseResult parsed;
        using (var body = await RequestBody.ReadAsync(request, limit, ct))
        {
            if (body is null) return TooLarge($"the body is larger than {limit} bytes, the most accepted per batch");
            parsed = EventParser.Parse(body.Memory, q => options.FindQueue(q) is not null);
        }
        if (!parsed.Ok)
        {
            return Results.Problem(
                title: "Invalid events",
                detail: string.Join("; ", parsed.Errors.Take(20).Select(e => e.Index < 0 ? $"{e.Field}: {e.Message}" : $"events[{e.Index}].{e.Field}: {e.Message}")),
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = parsed.Errors });
        }
        if (parsed.Events.Count > options.Ingestion.MaxBatchEvents)
            return TooLarge($"the batch has {parsed.Events.Count} events; at most {options.Ingestion.MaxBatchEvents} are accepted per batch");

        var result = await ingestion.IngestAsync(parsed.Events, ct, request.HttpContext.User.Identity?.Name ?? "anonymous");
        return Results.Json(new IngestAccepted(result.Accepted, result.Duplicates), statusCode: StatusCodes.Status202Accepted);
    }

    private static IResult TooLarge(string detail) =>
        Results.Problem(title: "Batch too large", detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge);

    private static async Task<IResult> GetQueuesAsync(ReadModel read) => Results.Ok(await read.QueuesAsync());

    private static async Task<IResult> GetQueueAsync(string id, ReadModel read) =>
        await read.QueueAsync(id) is { } q ? Results.Ok(q) : Results.Problem(title: "Not found", detail: $"unknown queue '{id}'", statusCode: 404);

    // Agents' names and contacts' histories are personal data: every read is in the audit log.
    private static async Task<IResult> GetAgentsAsync(ReadModel read, HttpContext http, AuditLog audit, TimeProvider time)
    {
        var agents = await read.AgentsAsync();
        var actor = AccessExtensions.ActorOf(http);
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.ViewAgents, "agents", $"{agents.Count} agents via the API", actor.Address);
        return Results.Ok(agents);
    }

    private static async Task<IResult> GetContactAsync(string id, IGrainFactory grains, HttpContext http, AuditLog audit, TimeProvider time)
    {
        var contact = await ContactShards.For(grains, id).GetAsync(id);
        var actor = AccessExtensions.ActorOf(http);
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.ViewContact, id, contact is null ? "not found" : "via the API", actor.Address);
        return contact is not null
            ? Results.Ok(ContactDto.From(contact))
            : Results.Problem(title: "Not found", detail: $"no contact '{id}'", statusCode: 404);
    }

    private static Task<IResult> SetAgentQueuesAsync(string id, AgentQueuesRequest body, HttpContext http, IConsoleCommands console) => Problems.RejectionsAsync(async () =>
    {
        if (!TryMode(body.Mode, out var mode)) return Problems.Invalid("mode", $"'{body.Mode}' is not one of replace, add, remove", "Invalid query");
        var changes = await console.ReallocateAsync(new ReallocationRequest([id], mode, body.Queues ?? []), AccessExtensions.ActorOf(http), http.RequestAborted);
        return Results.Ok(changes.Single());
    });

    private static Task<IResult> SetAgentStateAsync(string id, AgentStateRequest body, HttpContext http, IConsoleCommands console) => Problems.RejectionsAsync(async () =>
    {
        if (body.State is null || !EventTypes.StatesByName.TryGetValue(body.State, out var state))
            return Problems.Invalid("state", $"'{body.State}' is not one of offline, available, on_contact, wrap_up, break, training", "Invalid query");
        await console.SetStateAsync(id, state, AccessExtensions.ActorOf(http), http.RequestAborted);
        return Results.NoContent();
    });

    private static Task<IResult> WhatIfAsync(WhatIfRequest body, HttpContext http, IConsoleCommands console) => Problems.RejectionsAsync(async () =>
    {
        if (!TryMode(body.Mode, out var mode)) return Problems.Invalid("mode", $"'{body.Mode}' is not one of replace, add, remove", "Invalid query");
        return Results.Ok(await console.ProjectAsync(new ReallocationRequest(body.AgentIds ?? [], mode, body.Queues ?? []), http.RequestAborted));
    });

    private static bool TryMode(string? text, out ReallocationMode mode)
    {
        mode = ReallocationMode.Replace;
        return text is null || (Enum.TryParse(text, ignoreCase: true, out mode) && Enum.IsDefined(mode) && !int.TryParse(text, out _));
    }

    private static async Task<IResult> GetShiftsAsync([FromQuery] string? date, ReadModel read, SiteClock clock)
    {
        var day = clock.LocalDate(clock.Now);
        if (date is not null && !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            return Problems.Invalid("date", $"'{date}' is not a date (yyyy-MM-dd)", "Invalid query");
        return Results.Ok(await read.ShiftsAsync(day));
    }

    private static async Task<IResult> GetStatsAsync(
        [FromQuery] string? queue, [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? interval,
        ReadModel read, OpsOptions options, SiteClock clock)
    {
        if (queue is not null && options.FindQueue(queue) is null) return Problems.Invalid("queue", $"unknown queue '{queue}'", "Invalid query");
        var bucket = interval ?? "15m";
        if (bucket is not ("15m" or "1h" or "1d")) return Problems.Invalid("interval", $"'{bucket}' is not one of 15m, 1h, 1d", "Invalid query");
        var (dayStart, dayEnd) = clock.DayBounds(clock.LocalDate(clock.Now));
        if (!TryTime(from, dayStart, out var fromUtc)) return Problems.Invalid("from", $"'{from}' is not an RFC 3339 timestamp", "Invalid query");
        if (!TryTime(to, dayEnd, out var toUtc)) return Problems.Invalid("to", $"'{to}' is not an RFC 3339 timestamp", "Invalid query");
        if (toUtc <= fromUtc) return Problems.Invalid("to", "must be after from", "Invalid query");
        if ((toUtc - fromUtc).TotalMinutes / 15 > ReadModel.MaxBuckets * (bucket == "15m" ? 1 : bucket == "1h" ? 4 : 96))
            return Problems.Invalid("from", $"the range holds more than {ReadModel.MaxBuckets} intervals; narrow it or use a longer interval", "Invalid query");
        return Results.Ok(await read.StatsAsync(queue, fromUtc, toUtc, bucket));
    }

    private static bool TryTime(string? text, DateTimeOffset fallback, out DateTimeOffset value)
    {
        value = fallback;
        return text is null || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }
}
