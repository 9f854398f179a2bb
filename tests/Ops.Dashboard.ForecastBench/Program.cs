using System.Diagnostics;
using System.Globalization;
using Ops.Dashboard.Forecasting;
using Ops.Dashboard.Forecasting.Tests;

// Trains per-queue forecast models on 2-year synthetic hourly series and prints training time and
// backtest scores (chosen model vs the two baselines) for day-ahead and 14-days-ahead.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var queues = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
const int Weeks = 104;

Console.WriteLine($"Ops.Dashboard.ForecastBench: {queues} queues x {Weeks} weeks hourly, holdout 28 days, {Environment.ProcessorCount} cores");
Console.WriteLine("WAPE in %, improvement = 1 - model / best baseline");
Console.WriteLine($"{"queue",-9} {"base",5} {"trend",6} | {"horizon",-8} {"chosen",-17} {"train s",7} | {"model",6} {"naive",6} {"mean4",6} {"impr%",6} | {"MAE",6} {"RMSE",6} {"MAPE%",6}");
var total = Stopwatch.StartNew();
var improvements = new Dictionary<ForecastHorizon, List<double>> { [ForecastHorizon.DayAhead] = [], [ForecastHorizon.FourteenDaysAhead] = [] };
var times = new List<double>();
for (var q = 0; q < queues; q++)
{
    var baseRate = q == 0 ? 40 : new[] { 2, 5, 10, 20, 40, 80, 150 }[q % 7];
    var trend = q == 0 ? 0.01 : new[] { 0.0, 0.005, 0.01, -0.003, 0.02 }[q % 5] / 2; // per week; 2 years
    var series = SyntheticSeries.Generate($"q{q:00}", Weeks, seed: 1000 + q, baseRate: baseRate, trendPerWeek: trend);
    foreach (var horizon in new[] { ForecastHorizon.DayAhead, ForecastHorizon.FourteenDaysAhead })
    {
        var sw = Stopwatch.StartNew();
        var model = Forecaster.Train(series, new ForecastOptions { Horizon = horizon });
        var seconds = sw.Elapsed.TotalSeconds;
        times.Add(seconds);
        var b = model.ChosenBacktest;
        var impr = 100 * (1 - b.Model.Wape / Math.Min(b.SeasonalNaive.Wape, b.SameWeekdayMean4.Wape));
        improvements[horizon].Add(impr);
        Console.WriteLine($"{series.Queue,-9} {baseRate,5} {trend,6:F4} | {(horizon == ForecastHorizon.DayAhead ? "day" : "14 days"),-8} {model.Trainer,-17} {seconds,7:F2} | {100 * b.Model.Wape,6:F2} {100 * b.SeasonalNaive.Wape,6:F2} {100 * b.SameWeekdayMean4.Wape,6:F2} {impr,6:F1} | {b.Model.Mae,6:F2} {b.Model.Rmse,6:F2} {100 * b.Model.Mape,6:F1}");
        if (q == 0)
        {
            foreach (var c in model.Meta.Backtests)
            {
                Console.WriteLine($"{"",-9} {"",5} {"",6} |   candidate {c.Trainer,-17} WAPE {100 * c.Model.Wape,6:F2}");
            }
        }
    }
}
Console.WriteLine();
Console.WriteLine($"training (4-candidate backtest + refit) per queue and horizon: mean {times.Average():F2} s, max {times.Max():F2} s; total {total.Elapsed.TotalSeconds:F1} s");
foreach (var (h, list) in improvements)
{
    Console.WriteLine($"{h}: mean WAPE improvement over the best baseline {list.Average():F1} %, queues where the model beats both baselines: {list.Count(x => x > 0)}/{list.Count}");
}
