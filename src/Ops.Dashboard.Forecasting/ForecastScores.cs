namespace Ops.Dashboard.Forecasting;

/// <summary>
/// Accuracy over the scored (present) hours: MAE, RMSE, MAPE (mean of |e|/actual over hours with
/// actual &gt; 0, as a fraction) and WAPE = Σ|e| / Σactual (fraction).
/// </summary>
public sealed record ForecastScores(int Hours, double Mae, double Rmse, double Mape, double Wape)
{
    public static ForecastScores Compute(IEnumerable<(double Actual, double Forecast)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var n = 0;
        var mapeN = 0;
        double abs = 0, sq = 0, ape = 0, actual = 0;
        foreach (var (a, f) in pairs)
        {
            var e = f - a;
            n++;
            abs += Math.Abs(e);
            sq += e * e;
            actual += a;
            if (a > 0)
            {
                ape += Math.Abs(e) / a;
                mapeN++;
            }
        }
        return n == 0
            ? new ForecastScores(0, double.NaN, double.NaN, double.NaN, double.NaN)
            : new ForecastScores(n, abs / n, Math.Sqrt(sq / n), mapeN == 0 ? double.NaN : ape / mapeN, actual == 0 ? double.NaN : abs / actual);
    }
}

/// <summary>The point-forecast methods compared by backtest.</summary>
public enum ForecastTrainer
{
    /// <summary>Baseline: the same hour 7 days earlier (the latest such week before the origin); 0 if it was closed.</summary>
    SeasonalNaive,

    /// <summary>Baseline: the mean of the same hour on the last 4 same weekdays before the origin (present ones).</summary>
    SameWeekdayMean4,

    /// <summary>ML.NET LbfgsPoissonRegression on one-hot hour×weekday, holiday flags and log lags.</summary>
    PoissonRegression,

    /// <summary>ML.NET FastTree regression of the ratio count / recent level, multiplied back by the level.</summary>
    FastTreeRatio,
}

/// <summary>How far ahead the features may look: the origin is the target day's start, or a 14-day block start.</summary>
public enum ForecastHorizon
{
    DayAhead,
    FourteenDaysAhead,
}
