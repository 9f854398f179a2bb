namespace Ops.Dashboard.Domain;

/// <summary>
/// The site's wall clock: "today", local hours, holidays and business hours in the site's time zone,
/// on top of an injectable <see cref="TimeProvider"/> (tests use a fake one). Instants it returns are
/// either in site-local offset (<see cref="Now"/>, <see cref="ToLocal"/>) or UTC (offset zero).
/// </summary>
public sealed class SiteClock
{
    private readonly TimeProvider _time;
    private readonly IReadOnlySet<DateOnly> _holidays;
    private readonly DailyHours?[] _hours = new DailyHours?[7];

    public SiteClock(TimeProvider time, SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(site);
        _time = time;
        TimeZone = site.TimeZone;
        _holidays = site.HolidayDates();
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            _hours[(int)day] = site.BusinessHours.For(day);
        }
    }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>The current time with the site's UTC offset.</summary>
    public DateTimeOffset Now => ToLocal(_time.GetUtcNow());

    public DateTimeOffset ToLocal(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, TimeZone);

    public DateOnly LocalDate(DateTimeOffset at) => DateOnly.FromDateTime(ToLocal(at).DateTime);

    /// <summary>
    /// The UTC instants where a local day starts and ends; 23 or 25 hours apart on DST change days.
    /// </summary>
    public (DateTimeOffset StartUtc, DateTimeOffset EndUtc) DayBounds(DateOnly localDate) =>
        (LocalStartToUtc(localDate.ToDateTime(TimeOnly.MinValue)), LocalStartToUtc(localDate.AddDays(1).ToDateTime(TimeOnly.MinValue)));

    /// <summary>Floors to a multiple of <paramref name="length"/> on the UTC time line (15-minute statistics intervals).</summary>
    public static DateTimeOffset IntervalStart(DateTimeOffset at, TimeSpan length)
    {
        if (length <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "Interval length must be positive.");
        }
        var ticks = at.UtcTicks;
        return new DateTimeOffset(ticks - ticks % length.Ticks, TimeSpan.Zero);
    }

    /// <summary>The start of the local clock hour containing <paramref name="at"/>, as a UTC instant.</summary>
    public DateTimeOffset LocalHourStart(DateTimeOffset at)
    {
        // Flooring within the instant's own local offset keeps the repeated hour of a DST fall-back
        // distinct (02:00+02:00 and 02:00+01:00 are different hours) and works for half-hour zones.
        var local = ToLocal(at);
        var floored = local.AddTicks(-(local.Ticks % TimeSpan.TicksPerHour));
        return floored.ToUniversalTime();
    }

    public bool IsHoliday(DateOnly localDate) => _holidays.Contains(localDate);

    /// <summary>True within the site's opening hours of that weekday, and never on a holiday.</summary>
    public bool IsBusinessHour(DateTimeOffset at)
    {
        var local = ToLocal(at);
        if (IsHoliday(DateOnly.FromDateTime(local.DateTime)))
        {
            return false;
        }
        var hours = _hours[(int)local.DayOfWeek];
        return hours is { } h && h.Contains(local.TimeOfDay);
    }

    private DateTimeOffset LocalStartToUtc(DateTime localMidnight)
    {
        var local = DateTime.SpecifyKind(localMidnight, DateTimeKind.Unspecified);
        // Where DST starts at midnight the day begins at the first clock time that exists.
        while (TimeZone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }
        // Where DST ends at midnight, midnight occurs twice; the day starts at the first one,
        // which has the larger (daylight) offset.
        var offset = TimeZone.IsAmbiguousTime(local)
            ? TimeZone.GetAmbiguousTimeOffsets(local).Max()
            : TimeZone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
