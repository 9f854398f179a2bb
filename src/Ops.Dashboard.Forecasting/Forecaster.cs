namespace Ops.Dashboard.Forecasting;

public sealed class ForecastOptions
{
    /// <summary>Days at the end of the series used to compare the candidates (and to measure the intervals).</summary>
    public int HoldoutDays { get; set; } = 28;

    /// <summary>The horizon the candidates are compared and the final model is trained for.</summary>
    public ForecastHorizon Horizon { get; set; } = ForecastHorizon.FourteenDaysAhead;

    /// <summary>The candidates; the one with the lowest backtest WAPE is chosen (baselines included).</summary>
    public IReadOnlyList<ForecastTrainer> Candidates { get; set; } =
        [ForecastTrainer.PoissonRegression, ForecastTrainer.FastTreeRatio, ForecastTrainer.SeasonalNaive, ForecastTrainer.SameWeekdayMean4];

    public int Seed { get; set; } = 1;

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>Trains a <see cref="ForecastModel"/> for one queue: backtest every candidate, keep the best, refit it on all data.</summary>
public static class Forecaster
{
    public static ForecastModel Train(HourlySeries series, ForecastOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= new ForecastOptions();
        if (options.Candidates.Count == 0)
        {
            throw new ArgumentException("At least one candidate trainer is needed.", nameof(options));
        }
        var backtests = options.Candidates.Distinct()
            .Select(t => Backtest.Run(series, options.HoldoutDays, options.Horizon, t, options.Seed))
            .ToList();
        var best = backtests.OrderBy(b => double.IsNaN(b.Model.Wape) ? double.MaxValue : b.Model.Wape).First();

        var anchor = series.LastDay.AddDays(1);
        var model = PointModels.Fit(best.Trainer, Backtest.TrainingRows(series, options.Horizon, anchor), options.Seed);
        var historyStart = series.LastDay.AddDays(-ForecastModel.HistoryDays).ToDateTime(TimeOnly.MinValue);
        return new ForecastModel(
            new ForecastModelMeta
            {
                Queue = series.Queue,
                Trainer = best.Trainer,
                Horizon = options.Horizon,
                TrainedAtUtc = options.TimeProvider.GetUtcNow(),
                DataFirstDay = series.FirstDay,
                DataLastDay = series.LastDay,
                TimeZoneId = series.TimeZone.Id,
                Holidays = series.Holidays.Order().ToList(),
                Seed = options.Seed,
                HoldoutDays = options.HoldoutDays,
                Backtests = backtests.Select(b => new BacktestSummary(b.Trainer, b.Horizon, b.HoldoutFirstDay, b.HoldoutLastDay, b.Model, b.SeasonalNaive, b.SameWeekdayMean4)).ToList(),
                Intervals = PredictionIntervals.FromBacktest(best.Hours),
                History = series.From(historyStart).Points.ToList(),
                HoldoutHours = best.Hours.ToList(),
            },
            model);
    }
}
