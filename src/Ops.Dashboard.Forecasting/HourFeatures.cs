namespace Ops.Dashboard.Forecasting;

/// <summary>
/// The features of one target hour, computed only from data strictly before <see cref="Origin"/>
/// (the forecast origin, a local day start). NaN marks a history value with no data behind it.
/// </summary>
public sealed record HourFeatures(
    DateTime LocalHour,
    DateTime Origin,
    int HourOfDay,
    int Weekday,
    bool IsHoliday,
    bool IsDayBeforeHoliday,
    bool IsDayAfterHoliday,
    /// <summary>Whole days between the origin's day and the target's day (0 = day-ahead).</summary>
    int LeadDays,
    /// <summary>The same weekday and hour in the most recent week before the origin (t − 7k days, smallest k); NaN if closed then.</summary>
    double SameHourLastWeek,
    bool LastWeekWasHoliday,
    /// <summary>Mean of the present values of the same hour on the last 4 same weekdays before the origin; NaN if all 4 were closed.</summary>
    double SameHourMean4,
    /// <summary>How many of those 4 same-weekday hours were present.</summary>
    int SameHourPresent4,
    /// <summary>Mean count of the present hours in the 7 days before the origin; NaN if none.</summary>
    double RecentLevel)
{
    /// <summary>Hour-of-week index 0..167 (weekday × 24 + hour).</summary>
    public int HourOfWeek => Weekday * 24 + HourOfDay;

    /// <summary>Closed = the same weekday/hour had no rows in the last 4 weeks before the origin.</summary>
    public bool KnownClosed => SameHourPresent4 == 0;

    /// <summary>Recent level with fallbacks (the 4-week mean, then 0) so ratios stay defined.</summary>
    public double LevelOrFallback => !double.IsNaN(RecentLevel) && RecentLevel > 0 ? RecentLevel : (double.IsNaN(SameHourMean4) ? 0 : SameHourMean4);

    /// <summary>Last week's value with fallbacks (the 4-week mean, then the level).</summary>
    public double LastWeekOrFallback => !double.IsNaN(SameHourLastWeek) ? SameHourLastWeek : !double.IsNaN(SameHourMean4) ? SameHourMean4 : LevelOrFallback;

    public double Mean4OrFallback => !double.IsNaN(SameHourMean4) ? SameHourMean4 : LevelOrFallback;
}

/// <summary>Computes <see cref="HourFeatures"/> from a series without looking at or after the origin.</summary>
public static class FeatureBuilder
{
    /// <summary>
    /// Features of <paramref name="localHour"/> for a forecast made at <paramref name="origin"/> (a local
    /// instant ≤ the hour; only data strictly before it is read).
    /// </summary>
    public static HourFeatures Compute(HourlySeries series, DateTime localHour, DateTime origin)
    {
        ArgumentNullException.ThrowIfNull(series);
        localHour = HourlySeries.TruncateToHour(localHour);
        if (origin > localHour)
        {
            throw new ArgumentOutOfRangeException(nameof(origin), "The origin must not be after the forecast hour.");
        }
        var day = DateOnly.FromDateTime(localHour);
        var originDay = DateOnly.FromDateTime(origin);

        // smallest k ≥ 1 with t − 7k days strictly before the origin
        var k0 = (int)Math.Floor((localHour - origin).TotalDays / 7) + 1;
        while (localHour.AddDays(-7 * k0) >= origin)
        {
            k0++;
        }
        var lastWeekHour = localHour.AddDays(-7 * k0);
        var lastWeek = series.At(lastWeekHour) ?? double.NaN;

        double sum = 0;
        var present = 0;
        for (var k = k0; k < k0 + 4; k++)
        {
            if (series.At(localHour.AddDays(-7 * k)) is { } v)
            {
                sum += v;
                present++;
            }
        }

        // recent level: the present hours in the 7 days before the origin (whole days before the
        // origin's day, plus the hours of the origin's day before the origin itself)
        double levelSum = 0;
        var levelCount = 0;
        for (var d = 1; d <= 7; d++)
        {
            var (s, c) = series.Day(originDay.AddDays(-d));
            levelSum += s;
            levelCount += c;
        }
        for (var h = originDay.ToDateTime(TimeOnly.MinValue); h < origin; h = h.AddHours(1))
        {
            if (series.At(h) is { } v)
            {
                levelSum += v;
                levelCount++;
            }
        }

        return new HourFeatures(
            localHour,
            origin,
            localHour.Hour,
            (int)localHour.DayOfWeek,
            series.IsHoliday(day),
            series.IsHoliday(day.AddDays(1)),
            series.IsHoliday(day.AddDays(-1)),
            day.DayNumber - originDay.DayNumber,
            lastWeek,
            series.IsHoliday(DateOnly.FromDateTime(lastWeekHour)),
            present == 0 ? double.NaN : sum / present,
            present,
            levelCount == 0 ? double.NaN : levelSum / levelCount);
    }
}
