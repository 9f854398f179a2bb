namespace Ops.Dashboard.Forecasting;

/// <summary>One hour of a backtest: its actual (null = absent, i.e. closed, not scored) and the forecasts.</summary>
public sealed record BacktestHour(DateTime LocalHour, double? Actual, bool KnownClosed, double Forecast, double SeasonalNaive, double SameWeekdayMean4)
{
    /// <summary>An hour scored against both baselines read from its features (a baseline with no data behind it forecasts 0).</summary>
    public static BacktestHour From(HourFeatures features, double? actual, double forecast)
    {
        ArgumentNullException.ThrowIfNull(features);
        return new BacktestHour(features.LocalHour, actual, features.KnownClosed, forecast,
            double.IsNaN(features.SameHourLastWeek) ? 0 : features.SameHourLastWeek,
            double.IsNaN(features.SameHourMean4) ? 0 : features.SameHourMean4);
    }
}

/// <summary>The outcome of a backtest: the scores of the trainer and of both baselines over the same hours.</summary>
public sealed record BacktestResult(
    ForecastTrainer Trainer,
    ForecastHorizon Horizon,
    DateOnly HoldoutFirstDay,
    DateOnly HoldoutLastDay,
    ForecastScores Model,
    ForecastScores SeasonalNaive,
    ForecastScores SameWeekdayMean4,
    IReadOnlyList<BacktestHour> Hours,
    TimeSpan TrainingTime)
{
    /// <summary>WAPE improvement of the model over the better baseline, in percent (positive = better).</summary>
    public double WapeImprovementPercent => 100 * (1 - Model.Wape / Math.Min(SeasonalNaive.Wape, SameWeekdayMean4.Wape));
}

/// <summary>
/// Rolling-origin backtest over the last <c>holdoutDays</c> local days of a series. The ML model is
/// trained ONCE on the data before the holdout (retraining per day is too slow for the benefit);
/// what rolls is the origin of the features. Day-ahead: each held-out day is forecast from features
/// computed with only the data before that day. Fourteen-days-ahead: the holdout is cut into
/// 14-day blocks and every hour of a block is forecast from data before the block's first day.
/// Only hours present in the data are scored; absent (closed) hours are forecast but not scored.
/// </summary>
public static class Backtest
{
    /// <summary>History needed before the first origin of a training row (4 same-weekday lags + 1 week).</summary>
    internal const int WarmUpDays = 28;

    public static BacktestResult Run(HourlySeries series, int holdoutDays, ForecastHorizon horizon, ForecastTrainer trainer, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(holdoutDays, 1);
        if (series.IsEmpty)
        {
            throw new ArgumentException("The series has no data.", nameof(series));
        }
        var first = series.LastDay.AddDays(1 - holdoutDays);
        if (first.DayNumber - series.FirstDay.DayNumber < WarmUpDays + 7)
        {
            throw new ArgumentException($"The series needs at least {WarmUpDays + 7} days before a {holdoutDays}-day holdout.", nameof(series));
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var training = series.Before(first.ToDateTime(TimeOnly.MinValue));
        var model = PointModels.Fit(trainer, TrainingRows(training, horizon, first), seed);
        var trainingTime = started.Elapsed;

        var features = new List<HourFeatures>();
        for (var day = first; day <= series.LastDay; day = day.AddDays(1))
        {
            var origin = Origin(day, horizon, first);
            foreach (var hour in HoursOf(day))
            {
                features.Add(FeatureBuilder.Compute(series, hour, origin));
            }
        }
        var open = features.Where(f => !f.KnownClosed).ToList();
        var predicted = model.Predict(open);
        var byHour = new Dictionary<DateTime, double>();
        for (var i = 0; i < open.Count; i++)
        {
            byHour[open[i].LocalHour] = predicted[i];
        }

        var hours = features.Select(f => BacktestHour.From(f, series.At(f.LocalHour), byHour.GetValueOrDefault(f.LocalHour))).ToList();
        var (modelScores, naive, mean4) = ForecastAccuracy.Score(hours);
        return new BacktestResult(trainer, horizon, first, series.LastDay, modelScores, naive, mean4, hours, trainingTime);
    }

    /// <summary>
    /// The forecast origin of a target day: its own start for day-ahead; for 14 days ahead the start
    /// of its 14-day block, blocks being aligned on <paramref name="anchor"/> (the first forecast day).
    /// </summary>
    internal static DateTime Origin(DateOnly day, ForecastHorizon horizon, DateOnly anchor)
    {
        if (horizon == ForecastHorizon.DayAhead)
        {
            return day.ToDateTime(TimeOnly.MinValue);
        }
        var offset = day.DayNumber - anchor.DayNumber;
        var block = (int)Math.Floor(offset / 14.0);
        return anchor.AddDays(block * 14).ToDateTime(TimeOnly.MinValue);
    }

    internal static IEnumerable<DateTime> HoursOf(DateOnly day)
    {
        var start = day.ToDateTime(TimeOnly.MinValue);
        for (var h = 0; h < 24; h++)
        {
            yield return start.AddHours(h);
        }
    }

    /// <summary>
    /// Training rows: every present hour whose origin has <see cref="WarmUpDays"/> of history before it,
    /// with features built for the same horizon (and block alignment) as the forecasts.
    /// Hours that the closed rule would forecast as 0 are left out.
    /// </summary>
    internal static List<(HourFeatures Features, double Actual)> TrainingRows(HourlySeries training, ForecastHorizon horizon, DateOnly anchor)
    {
        var rows = new List<(HourFeatures, double)>();
        if (training.IsEmpty)
        {
            return rows;
        }
        var earliestOrigin = training.FirstDay.AddDays(WarmUpDays).ToDateTime(TimeOnly.MinValue);
        foreach (var p in training.Points)
        {
            var origin = Origin(DateOnly.FromDateTime(p.LocalHour), horizon, anchor);
            if (origin < earliestOrigin)
            {
                continue;
            }
            var f = FeatureBuilder.Compute(training, p.LocalHour, origin);
            if (!f.KnownClosed)
            {
                rows.Add((f, p.Count));
            }
        }
        return rows;
    }
}
