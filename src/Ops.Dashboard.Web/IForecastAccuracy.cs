namespace Ops.Dashboard.Web;

/// <summary>
/// One hour of forecast vs actual: <see cref="Actual"/> is null when no contact data exists for the hour (closed, not
/// scored); p10/p50/p90 are what the model forecast for it out of sample.
/// </summary>
public sealed record AccuracyHourDto(DateTimeOffset Start, double? Actual, double P10, double P50, double P90, bool Closed);

/// <summary>
/// One local day: totals and errors over its scored hours; <see cref="BaselineWape"/> is that of
/// <see cref="BetterBaseline"/>, the baseline that did better that day. A WAPE is null when nothing came that day.
/// <see cref="Today"/> marks today so far (its complete hours only).
/// </summary>
public sealed record AccuracyDayDto(DateOnly Day, bool Today, int Hours, double Actual, double Forecast, double? Mae, double? Wape,
    string BetterBaseline, double? BaselineWape);

/// <summary>
/// Forecast vs actual of a queue's current model: the hours and days of its backtest holdout and today so far.
/// <see cref="HasBacktest"/> is false for a model saved before the backtest's hours were kept (see <see cref="Note"/>).
/// </summary>
public sealed record AccuracyDto(string Queue, ModelInfoDto Model, bool HasBacktest, string? Note,
    IReadOnlyList<AccuracyHourDto> Hours, IReadOnlyList<AccuracyDayDto> Days);

/// <summary>Forecast vs actual per hour and per day (the forecast page's accuracy section).</summary>
public interface IForecastAccuracy
{
    /// <inheritdoc cref="ForecastService.AccuracyAsync"/>
    Task<AccuracyDto> AccuracyAsync(string queue, CancellationToken ct = default);
}
