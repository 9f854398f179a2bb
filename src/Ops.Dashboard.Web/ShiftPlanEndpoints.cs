using System.Globalization;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

public sealed record PlannedAgentsRequest(int? PlannedAgents);

public sealed record SkippedQueueDto(string Queue, string Reason);

/// <summary>A day's shift recommendation: the site's required agents by local hour (all forecast queues together) against the plan.</summary>
public sealed record ShiftRecommendationDto(DateOnly Date, double ShrinkagePercent, IReadOnlyList<string> Queues,
    IReadOnlyList<SkippedQueueDto> Skipped, IReadOnlyList<double> RequiredByHour, ShiftPlan Plan);

/// <summary>
/// The shift plan (planned agents per shift template and day; the default comes from config/shifts.json)
/// and the recommendation that covers every hour of a day's forecast. Management and Admin.
/// </summary>
public static class ShiftPlanEndpoints
{
    public static IEndpointRouteBuilder MapOpsShiftPlan(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/v1/shifts/{date}/{template}", SetPlannedAsync).RequireAuthorization(Policies.Planning);
        app.MapGet("/api/v1/staffing/shifts", RecommendAsync).RequireAuthorization(Policies.Planning);
        return app;
    }

    private static async Task<IResult> SetPlannedAsync(string date, string template, PlannedAgentsRequest body, HttpContext http,
        IGrainFactory grains, OpsOptions options, AuditLog audit, TimeProvider time)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return Problems.Invalid("date", $"'{date}' is not a date (yyyy-MM-dd)");
        if (options.Shifts.All(s => s.Id != template))
            return Problems.Invalid("template", $"'{template}' is not one of {string.Join(", ", options.Shifts.Select(s => s.Id))}");
        if (body.PlannedAgents is not (>= 0 and <= 10_000)) return Problems.Invalid("plannedAgents", "must be 0–10000");
        var shift = grains.GetGrain<IShiftGrain>($"{day:yyyy-MM-dd}/{template}");
        await shift.SetPlannedAsync(body.PlannedAgents.Value);
        // Persisted now: the dispatcher checkpoints only the shifts that events touched.
        await shift.CheckpointAsync();
        var actor = AccessExtensions.ActorOf(http);
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.ShiftPlan, $"{day:yyyy-MM-dd}/{template}",
            $"planned agents {body.PlannedAgents}", actor.Address);
        return Results.Ok(await shift.GetAsync());
    }

    private static async Task<IResult> RecommendAsync(string? date, ForecastService forecasts, ReadModel read, OpsOptions options, SiteClock clock)
    {
        var today = clock.LocalDate(clock.Now);
        var day = today;
        if (date is not null && !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            return Problems.Invalid("date", $"'{date}' is not a date (yyyy-MM-dd)");
        var ahead = day.DayNumber - today.DayNumber;
        if (ahead is < 0 or > 13) return Problems.Invalid("date", "must be today or within the next 13 days (the forecast's reach)");

        var required = new double[24];
        var used = new List<string>();
        var skipped = new List<SkippedQueueDto>();
        foreach (var queue in options.Queues)
        {
            try
            {
                var plan = await forecasts.StaffingAsync(queue.Id, ahead + 1);
                foreach (var h in plan.Hours)
                {
                    var local = clock.ToLocal(h.Start);
                    if (DateOnly.FromDateTime(local.DateTime) == day) required[local.Hour] += h.RequiredAgents;
                }
                used.Add(queue.Id);
            }
            catch (ForecastInputException e)
            {
                skipped.Add(new SkippedQueueDto(queue.Id, e.Message));
            }
        }
        // The day's plan: what was set for that day, or the template's default.
        var planned = (await read.ShiftsAsync(day)).ToDictionary(s => s.Template, s => s.PlannedAgents);
        var shifts = options.Shifts.Select(s => new ShiftOptions
        {
            Id = s.Id, Name = s.Name, Start = s.Start, End = s.End, PlannedAgents = planned.GetValueOrDefault(s.Id, s.PlannedAgents),
        }).ToList();
        var shrinkage = forecasts.Settings.ShrinkagePercent;
        return Results.Ok(new ShiftRecommendationDto(day, shrinkage, used, skipped, required,
            ShiftRecommendation.Recommend(required, shifts, shrinkage / 100)));
    }
}
