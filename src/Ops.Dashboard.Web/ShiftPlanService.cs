using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>
/// The shift plan (planned agents per shift template and day) and the day's recommendation against it. The API
/// and the forecast page both go through it, so both validate and audit alike.
/// </summary>
/// <remarks>Refusals are <see cref="StaffingInputException"/>s naming the field.</remarks>
public sealed class ShiftPlanService(IForecasts forecasts, ForecastSettings settings, ReadModel read, IGrainFactory grains,
    OpsOptions options, SiteClock clock, AuditLog audit, TimeProvider time)
{
    /// <summary>How many days after today a recommendation reaches (the forecast's reach).</summary>
    public const int DaysAhead = 13;

    public const int MaxPlannedAgents = 10_000;

    /// <summary>The site's date now.</summary>
    public DateOnly Today => clock.LocalDate(clock.Now);

    /// <summary>The site's required agents per local hour of <paramref name="day"/> over all forecast queues, against the day's shift plan.</summary>
    /// <remarks>A queue without a forecast (no history, no model) is skipped with the reason rather than failing the whole day.</remarks>
    public async Task<ShiftRecommendationDto> RecommendAsync(DateOnly day, CancellationToken ct = default)
    {
        var ahead = day.DayNumber - Today.DayNumber;
        if (ahead is < 0 or > DaysAhead) throw new StaffingInputException("date", $"must be today or within the next {DaysAhead} days (the forecast's reach)");

        var required = new double[24];
        var used = new List<string>();
        var skipped = new List<SkippedQueueDto>();
        foreach (var queue in options.Queues)
        {
            try
            {
                var plan = await forecasts.StaffingAsync(queue.Id, ahead + 1, ct);
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
        var shrinkage = settings.ShrinkagePercent;
        return new ShiftRecommendationDto(day, shrinkage, used, skipped, required, ShiftRecommendation.Recommend(required, shifts, shrinkage / 100));
    }

    /// <summary>The planned agents if they are 0–10000 (the page checks every row with it before saving any).</summary>
    /// <exception cref="StaffingInputException">Missing or out of range.</exception>
    public static int CheckPlanned(int? plannedAgents) =>
        plannedAgents is { } planned and >= 0 and <= MaxPlannedAgents
            ? planned
            : throw new StaffingInputException("plannedAgents", $"must be 0–{MaxPlannedAgents}");

    /// <summary>Sets the planned agents of one shift of one day, persists it at once and audits it as <see cref="AuditActions.ShiftPlan"/>.</summary>
    /// <param name="plannedAgents">0–10000; null (missing) is refused like a number out of range.</param>
    public async Task<ShiftSnapshot> SetPlannedAsync(DateOnly day, string template, int? plannedAgents, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (options.Shifts.All(s => s.Id != template))
            throw new StaffingInputException("template", $"'{template}' is not one of {string.Join(", ", options.Shifts.Select(s => s.Id))}");
        var planned = CheckPlanned(plannedAgents);
        var key = $"{day:yyyy-MM-dd}/{template}";
        var shift = grains.GetGrain<IShiftGrain>(key);
        await shift.SetPlannedAsync(planned);
        // Persisted now: the dispatcher checkpoints only the shifts that events touched.
        await shift.CheckpointAsync();
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.ShiftPlan, key, $"planned agents {planned}", actor.Address);
        return await shift.GetAsync();
    }
}
