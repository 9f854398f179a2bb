using System.Globalization;
using Ops.Dashboard.Domain;

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

    private static async Task<IResult> SetPlannedAsync(string date, string template, PlannedAgentsRequest body, HttpContext http, ShiftPlanService plans)
    {
        if (!TryParseDay(date, out var day)) return NotADate(date);
        return await Refusals(async () => Results.Ok(await plans.SetPlannedAsync(day, template, body.PlannedAgents, AccessExtensions.ActorOf(http))));
    }

    private static async Task<IResult> RecommendAsync(string? date, ShiftPlanService plans)
    {
        var day = plans.Today;
        if (date is not null && !TryParseDay(date, out day)) return NotADate(date);
        return await Refusals(async () => Results.Ok(await plans.RecommendAsync(day)));
    }

    private static bool TryParseDay(string date, out DateOnly day) =>
        DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private static IResult NotADate(string date) => Problems.Invalid("date", $"'{date}' is not a date (yyyy-MM-dd)");

    private static async Task<IResult> Refusals(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (StaffingInputException e)
        {
            return Problems.Invalid(e.Field, e.Reason);
        }
    }
}
