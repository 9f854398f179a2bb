using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Simulator;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>An alarm in the API and on the hub.</summary>
public sealed record AlarmDto(
    string Id, string? Queue, string Rule, string RuleName, string Kind, string Subject, string Severity, DateTimeOffset RaisedAt,
    string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt, bool Escalated, DateTimeOffset? EscalatedAt, DateTimeOffset? ClearedAt,
    double Value, double Threshold, string Message)
{
    public static AlarmDto From(AlarmView a) => new(
        a.Id, a.Queue, a.RuleId, a.RuleName, a.Kind, a.Subject, a.Severity, a.RaisedAt, a.AcknowledgedBy, a.AcknowledgedAt,
        a.Escalated, a.EscalatedAt, a.ClearedAt, a.Value, a.Threshold, a.Message);
}

/// <param name="Factor">Arrivals × this from now on (1 = normal).</param>
/// <param name="Burst">This many customers arrive at once in <paramref name="Queue"/>: an overload within seconds, even at night.</param>
public sealed record SurgeRequest(double? Factor, int? Burst = null, string? Queue = null);

public sealed record SurgeDto(double Factor, int Burst = 0, string? Queue = null);

/// <summary>Alarms (read: like the read API; acknowledge: TeamLead and above) and the demo's surge switch.</summary>
public static class AlarmEndpoints
{
    public static IEndpointRouteBuilder MapOpsAlarms(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/alarms", async (IGrainFactory grains, bool? recent) => Results.Ok(
                (recent == true ? await grains.GetGrain<IAlarmGrain>(0).RecentAsync(200) : await grains.GetGrain<IAlarmGrain>(0).ListActiveAsync())
                .Select(AlarmDto.From)))
            .RequireAuthorization(Policies.Read);
        app.MapPost("/api/v1/alarms/{id}/ack", AcknowledgeAsync).RequireAuthorization(Policies.Acknowledge);
        app.MapGet("/api/v1/simulator/surge", (IServiceProvider services) =>
                services.GetService<SimulationEngine>() is { } engine ? Results.Ok(new SurgeDto(engine.SurgeFactor)) : NoSimulator())
            .RequireAuthorization(Policies.Console);
        app.MapPost("/api/v1/simulator/surge", SetSurgeAsync).RequireAuthorization(Policies.Console);
        return app;
    }

    private static async Task<IResult> AcknowledgeAsync(string id, HttpContext http, IAlarmCommands alarms) =>
        await alarms.AcknowledgeAsync(id, AccessExtensions.ActorOf(http)) is { } alarm
            ? Results.Ok(AlarmDto.From(alarm))
            : Results.Problem(title: "Not found", detail: $"no active alarm '{id}'", statusCode: 404);

    private static async Task<IResult> SetSurgeAsync(SurgeRequest body, HttpContext http, IServiceProvider services, OpsOptions options, AuditLog audit, TimeProvider time)
    {
        if (services.GetService<SimulationEngine>() is not { } engine) return NoSimulator();
        if (body.Factor is not null && (body.Factor is not (>= 0 and <= 20) || double.IsNaN(body.Factor.Value)))
            return Problems.Invalid("factor", "must be 0–20 (1 = normal traffic, 3 = three times as many arrivals)");
        if (body.Burst is < 0 or > 500) return Problems.Invalid("burst", "must be 0–500 customers");
        if (body.Burst > 0 && (body.Queue is null || options.FindQueue(body.Queue) is null))
            return Problems.Invalid("queue", $"a burst needs a configured queue ('{body.Queue}' is not one)");
        if (body.Factor is null && body.Burst is null or 0) return Problems.Invalid("factor", "give a factor, a burst, or both");
        if (body.Factor is { } factor) engine.SetSurgeFactor(factor);
        for (var i = 0; i < (body.Burst ?? 0); i++) engine.EnqueueContact(body.Queue!);
        var actor = AccessExtensions.ActorOf(http);
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.SimulatorSurge, "simulator",
            $"surge factor {body.Factor ?? engine.SurgeFactor}" + (body.Burst > 0 ? $", burst of {body.Burst} in {body.Queue}" : ""), actor.Address);
        return Results.Ok(new SurgeDto(body.Factor ?? engine.SurgeFactor, body.Burst ?? 0, body.Queue));
    }

    private static IResult NoSimulator() =>
        Results.Problem(title: "Not found", detail: "the built-in simulator is not running (Simulator:Enabled is false)", statusCode: 404);
}
