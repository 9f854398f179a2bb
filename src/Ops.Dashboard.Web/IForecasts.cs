namespace Ops.Dashboard.Web;

/// <summary>What the forecast page needs of <see cref="ForecastService"/>, as DTOs (so that UI tests can fake it).</summary>
public interface IForecasts
{
    /// <summary>The hourly p10/p50/p90 forecast from today's start and the model that made it.</summary>
    /// <exception cref="ForecastInputException">Unknown queue, bad days, or not enough history.</exception>
    Task<ForecastDto> ForecastAsync(string queue, int? days = null, CancellationToken ct = default);

    /// <inheritdoc cref="ForecastService.TryTodayAsync"/>
    Task<ForecastDto?> TryTodayAsync(string queue, CancellationToken ct = default);

    /// <inheritdoc cref="ForecastService.StaffingAsync"/>
    Task<StaffingPlanDto> StaffingAsync(string queue, int? days = null, CancellationToken ct = default);

    /// <inheritdoc cref="ForecastService.TwentyFourSevenAsync"/>
    Task<TwentyFourSevenDto> TwentyFourSevenAsync(int weeks = 6, CancellationToken ct = default);

    /// <inheritdoc cref="ForecastService.Train"/>
    TrainingState Train(string queue);

    /// <inheritdoc cref="ForecastService.Status"/>
    TrainingState Status(string queue);
}
