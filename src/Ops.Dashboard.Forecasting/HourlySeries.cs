using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Forecasting;

/// <summary>One observed hour: the site-local wall-clock start of the hour and its contact count.</summary>
public readonly record struct HourlyPoint(DateTime LocalHour, double Count);

/// <summary>
/// Hourly contact volume of one queue in the site's time zone. An hour that is ABSENT means the
/// queue was closed: it is never a training row, is not scored and is forecast as 0. Points are
/// kept as site-local wall-clock hours (the two UTC hours of a DST fall-back hour are summed).
/// </summary>
public sealed class HourlySeries
{
    private readonly Dictionary<DateTime, double> _byHour;
    private readonly Dictionary<DateOnly, (double Sum, int Count)> _byDay;

    public HourlySeries(string queue, IEnumerable<HourlyPoint> localPoints, TimeZoneInfo? timeZone = null, IEnumerable<DateOnly>? holidays = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        ArgumentNullException.ThrowIfNull(localPoints);
        Queue = queue;
        TimeZone = timeZone ?? TimeZoneInfo.Utc;
        Holidays = (holidays ?? []).ToHashSet();
        _byHour = new Dictionary<DateTime, double>();
        foreach (var p in localPoints)
        {
            if (double.IsNaN(p.Count) || p.Count < 0)
            {
                throw new ArgumentException($"Count at {p.LocalHour:O} must be a non-negative number.", nameof(localPoints));
            }
            var hour = TruncateToHour(p.LocalHour);
            _byHour[hour] = _byHour.GetValueOrDefault(hour) + p.Count;
        }
        Points = _byHour.OrderBy(kv => kv.Key).Select(kv => new HourlyPoint(kv.Key, kv.Value)).ToArray();
        _byDay = Points.GroupBy(p => DateOnly.FromDateTime(p.LocalHour))
            .ToDictionary(g => g.Key, g => (g.Sum(p => p.Count), g.Count()));
    }

    /// <summary>Builds a series from instants (any offset): each is converted to the site's local hour.</summary>
    public static HourlySeries FromInstants(string queue, IEnumerable<(DateTimeOffset HourStart, double Count)> points, TimeZoneInfo timeZone, IEnumerable<DateOnly>? holidays = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(timeZone);
        return new HourlySeries(queue, points.Select(p => new HourlyPoint(TimeZoneInfo.ConvertTime(p.HourStart, timeZone).DateTime, p.Count)), timeZone, holidays);
    }

    /// <summary>Uses the site's configured time zone and holidays.</summary>
    public static HourlySeries FromSite(string queue, IEnumerable<(DateTimeOffset HourStart, double Count)> points, SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return FromInstants(queue, points, site.TimeZone, site.HolidayDates());
    }

    public string Queue { get; }

    public TimeZoneInfo TimeZone { get; }

    public IReadOnlySet<DateOnly> Holidays { get; }

    /// <summary>The present (open) hours, sorted by local hour.</summary>
    public IReadOnlyList<HourlyPoint> Points { get; }

    public bool IsEmpty => Points.Count == 0;

    public DateOnly FirstDay => DateOnly.FromDateTime(Points[0].LocalHour);

    public DateOnly LastDay => DateOnly.FromDateTime(Points[^1].LocalHour);

    /// <summary>The count of a local hour, or null when that hour is absent (closed).</summary>
    public double? At(DateTime localHour) => _byHour.TryGetValue(localHour, out var v) ? v : null;

    internal (double Sum, int Count) Day(DateOnly day) => _byDay.GetValueOrDefault(day);

    public bool IsHoliday(DateOnly day) => Holidays.Contains(day);

    /// <summary>A copy holding only the hours before <paramref name="localEnd"/> (exclusive).</summary>
    public HourlySeries Before(DateTime localEnd) => new(Queue, Points.Where(p => p.LocalHour < localEnd), TimeZone, Holidays);

    /// <summary>A copy holding only the hours at or after <paramref name="localStart"/>.</summary>
    public HourlySeries From(DateTime localStart) => new(Queue, Points.Where(p => p.LocalHour >= localStart), TimeZone, Holidays);

    /// <summary>A copy with one hour's count replaced (or removed with null); used by what-if checks and tests.</summary>
    public HourlySeries With(DateTime localHour, double? count)
    {
        var hour = TruncateToHour(localHour);
        var points = Points.Where(p => p.LocalHour != hour).ToList();
        if (count is { } c)
        {
            points.Add(new HourlyPoint(hour, c));
        }
        return new HourlySeries(Queue, points, TimeZone, Holidays);
    }

    internal static DateTime TruncateToHour(DateTime t) =>
        new(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Unspecified);
}
