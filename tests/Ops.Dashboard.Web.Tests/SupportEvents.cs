using System.Globalization;

namespace Ops.Dashboard.Web.Tests;

/// <summary>Site-local times (Europe/Berlin, the site of config/site.json).</summary>
public static class SiteTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>A local wall-clock time on the site, with the offset in force then.</summary>
    public static DateTimeOffset Local(int year, int month, int day, int hour, int minute, int second = 0)
    {
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>Local midnight starting <paramref name="date"/>, with its offset.</summary>
    public static DateTimeOffset DayStart(DateOnly date) => Local(date.Year, date.Month, date.Day, 0, 0);

    public static DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Zone).DateTime);

    public static DateTimeOffset ToSite(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    /// <summary>Now, truncated to whole seconds, with the site's offset.</summary>
    public static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return ToSite(new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero));
    }
}
