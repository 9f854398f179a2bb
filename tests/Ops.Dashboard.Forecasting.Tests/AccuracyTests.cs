using System.Text.Json.Nodes;
using Ops.Dashboard.Forecasting;

namespace Ops.Dashboard.Forecasting.Tests;

/// <summary>The backtest's hours kept with a saved model (and old files without them), and per-day accuracy.</summary>
public sealed class AccuracyTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ops-accuracy-" + Guid.NewGuid().ToString("N"));

    /// <summary>Twelve synthetic weeks and the baselines only as candidates: trains in milliseconds.</summary>
    private static (HourlySeries Series, ForecastModel Model) Train()
    {
        var series = SyntheticSeries.Generate(weeks: 12);
        var model = Forecaster.Train(series, new ForecastOptions
        {
            HoldoutDays = 14,
            Horizon = ForecastHorizon.DayAhead,
            Candidates = [ForecastTrainer.SeasonalNaive, ForecastTrainer.SameWeekdayMean4],
        });
        return (series, model);
    }

    [Fact]
    public void A_saved_model_keeps_its_chosen_backtests_hours_and_their_days_add_up_to_its_score()
    {
        var (series, model) = Train();

        var loaded = ForecastModel.Load(model.Save(_root));

        Assert.Equal(ForecastModelMeta.CurrentFormatVersion, loaded.Meta.FormatVersion);
        var expected = Backtest.Run(series, 14, ForecastHorizon.DayAhead, model.Trainer).Hours;
        Assert.Equal(14 * 24, expected.Count);
        Assert.Equal(expected, loaded.Meta.HoldoutHours);
        Assert.Contains(loaded.Meta.HoldoutHours!, h => h.Actual is null); // closed hours kept, unscored
        // The days' errors, weighted by their actuals, are the model's backtest WAPE.
        var days = ForecastAccuracy.ByDay(loaded.Meta.HoldoutHours!);
        Assert.Equal(14, days.Count);
        Assert.Equal(2, days.Count(d => d.Hours == 0)); // the Sundays
        var scored = days.Where(d => d.Actual > 0).ToList();
        Assert.Equal(loaded.ChosenBacktest.Model.Wape, scored.Sum(d => d.Model.Wape * d.Actual) / scored.Sum(d => d.Actual), 9);
    }

    [Fact]
    public void A_version_1_file_without_the_hours_still_loads_and_forecasts_and_an_unknown_version_is_refused()
    {
        var (series, model) = Train();
        var dir = model.Save(_root);
        var metaPath = Path.Combine(dir, "meta.json");
        var meta = JsonNode.Parse(File.ReadAllText(metaPath))!.AsObject();
        Assert.True(meta.Remove("holdoutHours"));
        meta["formatVersion"] = 1;
        File.WriteAllText(metaPath, meta.ToJsonString());

        var loaded = ForecastModel.Load(dir);

        Assert.Null(loaded.Meta.HoldoutHours);
        var from = new DateTimeOffset(series.LastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        Assert.Equal(model.Predict(from, 48), loaded.Predict(from, 48));

        meta["formatVersion"] = ForecastModelMeta.CurrentFormatVersion + 1;
        File.WriteAllText(metaPath, meta.ToJsonString());
        Assert.Throws<InvalidDataException>(() => ForecastModel.Load(dir));
    }

    [Fact]
    public void Per_day_totals_and_WAPE_equal_a_hand_computation()
    {
        var d1 = new DateTime(2026, 3, 2);
        var d2 = d1.AddDays(1);
        var d3 = d1.AddDays(2);
        BacktestHour[] hours =
        [
            new(d1.AddHours(9), 10, false, 12, 6, 10),
            new(d1.AddHours(10), 20, false, 15, 25, 18),
            new(d1.AddHours(11), null, true, 0, 0, 0),   // closed
            new(d1.AddHours(12), null, false, 5, 7, 7),  // no data although forecast open: not scored
            new(d2.AddHours(9), 0, false, 3, 1, 2),
            new(d2.AddHours(10), 40, false, 36, 41, 30),
            new(d3.AddHours(9), null, true, 0, 0, 0),    // closed all day
        ];

        var days = ForecastAccuracy.ByDay(hours.Reverse());

        Assert.Equal([DateOnly.FromDateTime(d1), DateOnly.FromDateTime(d2), DateOnly.FromDateTime(d3)], days.Select(d => d.Day));
        var (first, second, closed) = (days[0], days[1], days[2]);

        // Day 1, scored 09 and 10: model |12−10| + |15−20| = 7 of 30; naive 4 + 5 = 9; mean4 0 + 2 = 2.
        Assert.Equal((2, 30.0, 27.0), (first.Hours, first.Actual, first.Forecast));
        Assert.Equal(7 / 30.0, first.Model.Wape, 12);
        Assert.Equal(3.5, first.Model.Mae, 12);
        Assert.Equal(9 / 30.0, first.SeasonalNaive.Wape, 12);
        Assert.Equal(ForecastTrainer.SameWeekdayMean4, first.BetterBaseline);
        Assert.Equal(2 / 30.0, first.BetterBaselineScores.Wape, 12);

        // Day 2: model 3 + 4 = 7 of 40; naive 1 + 1 = 2; mean4 2 + 10 = 12.
        Assert.Equal((2, 40.0, 39.0), (second.Hours, second.Actual, second.Forecast));
        Assert.Equal(7 / 40.0, second.Model.Wape, 12);
        Assert.Equal(ForecastTrainer.SeasonalNaive, second.BetterBaseline);
        Assert.Equal(2 / 40.0, second.BetterBaselineScores.Wape, 12);

        // Day 3: nothing scored, no WAPE.
        Assert.Equal((0, 0.0, 0.0), (closed.Hours, closed.Actual, closed.Forecast));
        Assert.True(double.IsNaN(closed.Model.Wape));

        // Over all days: 14 of 70.
        Assert.Equal(14 / 70.0, ForecastAccuracy.Score(hours).Model.Wape, 12);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
