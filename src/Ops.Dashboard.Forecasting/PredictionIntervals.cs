namespace Ops.Dashboard.Forecasting;

/// <summary>
/// Empirical prediction intervals from backtest residuals. For every scored backtest hour with a
/// positive point forecast, the ratio actual / forecast is collected per hour of day; the 10 % and
/// 90 % quantiles of those ratios (linear interpolation) scale the point forecast: p10 = p50·q10,
/// p90 = p50·q90. The group of an hour of day is that hour widened by ±1, ±2, … neighbouring hours
/// (circularly) until it holds at least <see cref="MinSamples"/> ratios (all hours if never), so
/// quiet night hours, whose ratios spread more, keep their own wider band. q10 is capped at 1 and
/// q90 floored at 1 so that p10 ≤ p50 ≤ p90.
/// </summary>
public sealed record PredictionIntervals(double[] Low, double[] High)
{
    public const int MinSamples = 60;

    public static PredictionIntervals FromBacktest(IEnumerable<BacktestHour> hours)
    {
        ArgumentNullException.ThrowIfNull(hours);
        var ratios = hours.Where(h => h.Actual is not null && h.Forecast > 0)
            .Select(h => (h.LocalHour.Hour, Ratio: h.Actual!.Value / h.Forecast)).ToList();
        var pooled = ratios.Select(r => r.Ratio).Order().ToArray();
        var low = new double[24];
        var high = new double[24];
        for (var hour = 0; hour < 24; hour++)
        {
            var sample = pooled;
            for (var width = 0; width < 12; width++)
            {
                var group = ratios.Where(r => CircularDistance(r.Hour, hour) <= width).Select(r => r.Ratio).Order().ToArray();
                if (group.Length >= MinSamples)
                {
                    sample = group;
                    break;
                }
            }
            low[hour] = sample.Length == 0 ? 1 : Math.Min(1, Quantile(sample, 0.1));
            high[hour] = sample.Length == 0 ? 1 : Math.Max(1, Quantile(sample, 0.9));
        }
        return new PredictionIntervals(low, high);
    }

    public (double P10, double P90) Apply(int hourOfDay, double p50) => (p50 * Low[hourOfDay], p50 * High[hourOfDay]);

    private static int CircularDistance(int a, int b) => Math.Min(Math.Abs(a - b), 24 - Math.Abs(a - b));

    internal static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 1)
        {
            return sorted[0];
        }
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
