namespace Ops.Dashboard.Forecasting;

/// <summary>
/// How a forecast did on one local day: the totals and scores over the day's scored hours (those with an actual),
/// for the model and both baselines, so the three are compared on the same hours.
/// </summary>
public sealed record DayAccuracy(DateOnly Day, double Actual, double Forecast, ForecastScores Model, ForecastScores SeasonalNaive, ForecastScores SameWeekdayMean4)
{
    /// <summary>Hours scored that day (0 when the queue was closed all day).</summary>
    public int Hours => Model.Hours;

    /// <summary>The baseline with the lower WAPE that day; SeasonalNaive on a tie or when neither has one.</summary>
    public ForecastTrainer BetterBaseline =>
        !double.IsNaN(SameWeekdayMean4.Wape) && (double.IsNaN(SeasonalNaive.Wape) || SameWeekdayMean4.Wape < SeasonalNaive.Wape)
            ? ForecastTrainer.SameWeekdayMean4
            : ForecastTrainer.SeasonalNaive;

    public ForecastScores BetterBaselineScores => BetterBaseline == ForecastTrainer.SeasonalNaive ? SeasonalNaive : SameWeekdayMean4;
}

/// <summary>Scores of backtest hours, over all of them or per local day.</summary>
public static class ForecastAccuracy
{
    /// <summary>The model's and both baselines' scores over the scored hours (absent actual = closed, left out).</summary>
    public static (ForecastScores Model, ForecastScores SeasonalNaive, ForecastScores SameWeekdayMean4) Score(IEnumerable<BacktestHour> hours)
    {
        ArgumentNullException.ThrowIfNull(hours);
        var scored = hours.Where(h => h.Actual is not null).ToList();
        return (
            ForecastScores.Compute(scored.Select(h => (h.Actual!.Value, h.Forecast))),
            ForecastScores.Compute(scored.Select(h => (h.Actual!.Value, h.SeasonalNaive))),
            ForecastScores.Compute(scored.Select(h => (h.Actual!.Value, h.SameWeekdayMean4))));
    }

    /// <summary>One entry per local day present in <paramref name="hours"/>, in date order; totals are over the scored hours.</summary>
    public static IReadOnlyList<DayAccuracy> ByDay(IEnumerable<BacktestHour> hours)
    {
        ArgumentNullException.ThrowIfNull(hours);
        return [.. hours.GroupBy(h => DateOnly.FromDateTime(h.LocalHour)).OrderBy(g => g.Key).Select(g =>
        {
            var (model, naive, mean4) = Score(g);
            var scored = g.Where(h => h.Actual is not null).ToList();
            return new DayAccuracy(g.Key, scored.Sum(h => h.Actual!.Value), scored.Sum(h => h.Forecast), model, naive, mean4);
        })];
    }
}
