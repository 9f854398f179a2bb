using Ops.Dashboard.Forecasting;

namespace Ops.Dashboard.Forecasting.Tests;

/// <summary>
/// A seeded synthetic hourly volume series: daily shape (morning and afternoon peaks), weekday
/// factors, a linear trend, holidays at 30 % volume, a day-level noise factor and Poisson counts.
/// Opening hours: Mon/Wed/Fri 24 h, Tue/Thu 06–24 (closed nights), Sat 08–20, Sunday closed;
/// closed hours are absent from the series.
/// </summary>
public static class SyntheticSeries
{
    public static readonly DateOnly DefaultStart = new(2026, 1, 5); // a Monday

    public static HourlySeries Generate(string queue = "support", int weeks = 26, int seed = 42, double baseRate = 40, double trendPerWeek = 0.01, DateOnly? start = null)
    {
        var first = start ?? DefaultStart;
        var rng = new Random(seed);
        var days = weeks * 7;
        var holidays = Holidays(first, days).ToHashSet();
        var points = new List<HourlyPoint>();
        for (var d = 0; d < days; d++)
        {
            var date = first.AddDays(d);
            var dayNoise = Math.Exp(0.06 * Normal(rng));
            var trend = 1 + trendPerWeek * d / 7.0;
            var holiday = holidays.Contains(date) ? 0.3 : 1.0;
            for (var h = 0; h < 24; h++)
            {
                if (!IsOpen(date.DayOfWeek, h))
                {
                    continue;
                }
                var rate = baseRate * trend * holiday * dayNoise * Weekday(date.DayOfWeek) * Shape(h);
                points.Add(new HourlyPoint(date.ToDateTime(new TimeOnly(h, 0)), Poisson(rng, rate)));
            }
        }
        return new HourlySeries(queue, points, TimeZoneInfo.Utc, holidays);
    }

    public static bool IsOpen(DayOfWeek day, int hour) => day switch
    {
        DayOfWeek.Sunday => false,
        DayOfWeek.Saturday => hour is >= 8 and < 20,
        DayOfWeek.Tuesday or DayOfWeek.Thursday => hour >= 6,
        _ => true,
    };

    /// <summary>One weekday holiday about every five weeks.</summary>
    public static IEnumerable<DateOnly> Holidays(DateOnly first, int days)
    {
        for (var w = 3; w * 7 < days; w += 5)
        {
            yield return first.AddDays(w * 7 + w / 5 % 5);
        }
    }

    private static double Weekday(DayOfWeek day) => day switch
    {
        DayOfWeek.Monday => 1.25,
        DayOfWeek.Tuesday => 1.1,
        DayOfWeek.Wednesday => 1.0,
        DayOfWeek.Thursday => 1.0,
        DayOfWeek.Friday => 0.9,
        _ => 0.55,
    };

    private static double Shape(int h) =>
        0.08 + Math.Exp(-Math.Pow((h - 10) / 2.2, 2)) + 0.8 * Math.Exp(-Math.Pow((h - 15) / 2.5, 2)) + 0.25 * Math.Exp(-Math.Pow((h - 20) / 1.5, 2));

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double Poisson(Random rng, double lambda)
    {
        if (lambda > 30)
        {
            return Math.Max(0, Math.Round(lambda + Math.Sqrt(lambda) * Normal(rng)));
        }
        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = rng.NextDouble();
        while (p > limit)
        {
            k++;
            p *= rng.NextDouble();
        }
        return k;
    }
}
