using Ops.Dashboard.Forecasting;

namespace Ops.Dashboard.Forecasting.Tests;

/// <summary>Trains once on the 26-week synthetic series and shares the results between tests.</summary>
public sealed class TrainedFixture
{
    public TrainedFixture()
    {
        Series = SyntheticSeries.Generate();
        Poisson = Backtest.Run(Series, 28, ForecastHorizon.DayAhead, ForecastTrainer.PoissonRegression);
        FastTree = Backtest.Run(Series, 28, ForecastHorizon.DayAhead, ForecastTrainer.FastTreeRatio);
        DayAhead = Forecaster.Train(Series, new ForecastOptions { Horizon = ForecastHorizon.DayAhead });

        // trained on the first 22 weeks, checked against the next two
        TrainEnd = SyntheticSeries.DefaultStart.AddDays(22 * 7).ToDateTime(TimeOnly.MinValue);
        Early = Forecaster.Train(Series.Before(TrainEnd));
    }

    public HourlySeries Series { get; }
    public BacktestResult Poisson { get; }
    public BacktestResult FastTree { get; }
    public ForecastModel DayAhead { get; }
    public DateTime TrainEnd { get; }
    public ForecastModel Early { get; }
}

public sealed class ForecastingTests(TrainedFixture fx, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<TrainedFixture>
{
    private static double Value(int day, int hour) => 10 + day + 5 * (hour - 9);

    /// <summary>36 days, open 09–12 only; day 35 is the holdout, its 11:00 is 0, its 12:00 absent; day 21 10:00 absent.</summary>
    private static HourlySeries Tiny()
    {
        var start = new DateTime(2026, 3, 2);
        var points = new List<HourlyPoint>();
        for (var d = 0; d <= 35; d++)
        {
            for (var h = 9; h <= 12; h++)
            {
                if ((d == 21 && h == 10) || (d == 35 && h == 12))
                {
                    continue;
                }
                points.Add(new HourlyPoint(start.AddDays(d).AddHours(h), d == 35 && h == 11 ? 0 : Value(d, h)));
            }
        }
        return new HourlySeries("tiny", points);
    }

    [Fact]
    public void Baseline_metrics_equal_a_hand_computation_on_a_tiny_series()
    {
        var result = Backtest.Run(Tiny(), 1, ForecastHorizon.DayAhead, ForecastTrainer.SeasonalNaive);

        // actuals 45, 50, 0 (12:00 absent: not scored)
        double[] actual = [45, 50, 0];
        double[] naive = [Value(28, 9), Value(28, 10), Value(28, 11)];
        double[] mean4 =
        [
            (Value(28, 9) + Value(21, 9) + Value(14, 9) + Value(7, 9)) / 4,
            (Value(28, 10) + Value(14, 10) + Value(7, 10)) / 3, // day 21 10:00 was closed
            (Value(28, 11) + Value(21, 11) + Value(14, 11) + Value(7, 11)) / 4,
        ];
        AssertScores(actual, naive, result.SeasonalNaive);
        AssertScores(actual, mean4, result.SameWeekdayMean4);
        AssertScores(actual, naive, result.Model); // the trainer here is the naive baseline itself
        Assert.Equal(3, result.SeasonalNaive.Hours);

        static void AssertScores(double[] a, double[] f, ForecastScores s)
        {
            var e = a.Zip(f, (x, y) => Math.Abs(y - x)).ToArray();
            Assert.Equal(e.Average(), s.Mae, 9);
            Assert.Equal(Math.Sqrt(e.Select(x => x * x).Average()), s.Rmse, 9);
            Assert.Equal((e[0] / a[0] + e[1] / a[1]) / 2, s.Mape, 9); // the hour with actual 0 is left out
            Assert.Equal(e.Sum() / a.Sum(), s.Wape, 9);
        }
    }

    [Fact]
    public void Features_do_not_change_when_data_at_or_after_the_origin_changes()
    {
        var origin = SyntheticSeries.DefaultStart.AddDays(100).ToDateTime(TimeOnly.MinValue);
        var hours = Enumerable.Range(0, 14 * 24).Select(i => origin.AddHours(i)).ToList();
        var before = hours.Select(h => FeatureBuilder.Compute(fx.Series, h, origin)).ToList();

        var changed = fx.Series
            .With(origin, 9999)                       // the first hour at the origin
            .With(origin.AddDays(7).AddHours(10), 9999) // a week later, a lag of later hours
            .With(origin.AddDays(13).AddHours(15), null);
        var after = hours.Select(h => FeatureBuilder.Compute(changed, h, origin)).ToList();
        Assert.Equal(before, after);

        // and the day-ahead features of a later day are unchanged by that day's own values
        var dayOrigin = origin.AddDays(3);
        var dayHours = Enumerable.Range(0, 24).Select(i => dayOrigin.AddHours(i)).ToList();
        var f1 = dayHours.Select(h => FeatureBuilder.Compute(fx.Series, h, dayOrigin)).ToList();
        var f2 = dayHours.Select(h => FeatureBuilder.Compute(fx.Series.With(dayOrigin.AddHours(12), 5000), h, dayOrigin)).ToList();
        Assert.Equal(f1, f2);

        // sanity: a change before the origin does show up
        var f3 = FeatureBuilder.Compute(fx.Series.With(origin.AddDays(-7).AddHours(10), 9999), origin.AddHours(10), origin);
        Assert.Equal(9999, f3.SameHourLastWeek);
    }

    [Fact]
    public void Chosen_model_beats_both_baselines_day_ahead_on_the_synthetic_series()
    {
        foreach (var r in new[] { fx.Poisson, fx.FastTree })
        {
            output.WriteLine($"{r.Trainer}: WAPE {r.Model.Wape:P2}, naive {r.SeasonalNaive.Wape:P2}, mean4 {r.SameWeekdayMean4.Wape:P2}, trained in {r.TrainingTime.TotalSeconds:F2} s");
            Assert.True(r.Model.Wape < r.SeasonalNaive.Wape, $"{r.Trainer}: {r.Model.Wape:F4} vs naive {r.SeasonalNaive.Wape:F4}");
            Assert.True(r.Model.Wape < r.SameWeekdayMean4.Wape, $"{r.Trainer}: {r.Model.Wape:F4} vs mean4 {r.SameWeekdayMean4.Wape:F4}");
        }
        var chosen = fx.DayAhead.ChosenBacktest;
        Assert.Contains(fx.DayAhead.Trainer, new[] { ForecastTrainer.PoissonRegression, ForecastTrainer.FastTreeRatio });
        Assert.Equal(ForecastHorizon.DayAhead, chosen.Horizon);
        Assert.True(chosen.Model.Wape < chosen.SeasonalNaive.Wape);
        Assert.True(chosen.Model.Wape < chosen.SameWeekdayMean4.Wape);
        Assert.Equal(fx.DayAhead.Meta.Backtests.Min(b => b.Model.Wape), chosen.Model.Wape);
    }

    [Fact]
    public void Closed_hours_are_forecast_zero_and_not_scored()
    {
        var hours = fx.Poisson.Hours;
        var closed = hours.Where(h => h.Actual is null).ToList();
        Assert.NotEmpty(closed);
        Assert.All(closed, h => Assert.True(h.KnownClosed));
        Assert.All(closed, h => Assert.Equal(0, h.Forecast));
        Assert.All(hours.Where(h => h.LocalHour.DayOfWeek == DayOfWeek.Sunday), h => Assert.Null(h.Actual));
        Assert.Equal(hours.Count(h => h.Actual is not null), fx.Poisson.Model.Hours);
        Assert.Equal(28 * 24, hours.Count);

        var forecast = fx.DayAhead.Predict(new DateTimeOffset(fx.Series.LastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), 14 * 24);
        foreach (var f in forecast)
        {
            var open = SyntheticSeries.IsOpen(f.LocalHour.DayOfWeek, f.LocalHour.Hour);
            Assert.Equal(!open, f.Closed);
            if (!open)
            {
                Assert.Equal((0d, 0d, 0d), (f.P10, f.P50, f.P90));
            }
        }
    }

    [Fact]
    public void Intervals_are_ordered_and_cover_about_80_percent_of_later_actuals()
    {
        var forecast = fx.Early.Predict(new DateTimeOffset(fx.TrainEnd, TimeSpan.Zero), 14 * 24);
        Assert.All(forecast, f => Assert.True(f.P10 <= f.P50 && f.P50 <= f.P90, $"{f.LocalHour}: {f.P10} {f.P50} {f.P90}"));
        var scored = forecast.Select(f => (f, a: fx.Series.At(f.LocalHour))).Where(x => x.a is not null).ToList();
        Assert.True(scored.Count > 200);
        var coverage = scored.Count(x => x.a >= x.f.P10 && x.a <= x.f.P90) / (double)scored.Count;
        output.WriteLine($"{fx.Early.Trainer}: p10-p90 coverage {coverage:P1} over {scored.Count} hours");
        Assert.InRange(coverage, 0.65, 0.95);
    }

    [Fact]
    public void Save_and_load_round_trip_gives_the_same_predictions()
    {
        var root = Path.Combine(Path.GetTempPath(), "ops-forecast-" + Guid.NewGuid().ToString("N"));
        try
        {
            var dir = fx.DayAhead.Save(root);
            Assert.Equal(Path.Combine(root, "support", fx.DayAhead.TrainedAtUtc.UtcDateTime.ToString("yyyyMMddHHmmss")), dir);
            Assert.True(File.Exists(Path.Combine(dir, "model.zip")));
            Assert.True(File.Exists(Path.Combine(dir, "meta.json")));

            var loaded = ForecastModel.LoadLatest(root, "support");
            Assert.NotNull(loaded);
            Assert.Equal(fx.DayAhead.Trainer, loaded.Trainer);
            Assert.Equal(fx.DayAhead.Meta.Backtests, loaded.Meta.Backtests);
            var from = new DateTimeOffset(fx.Series.LastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            Assert.Equal(fx.DayAhead.Predict(from, 14 * 24), loaded.Predict(from, 14 * 24));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
