namespace Ops.Dashboard.Simulator;

/// <summary>
/// Converts the engine's UTC ticks to the site's local time. The offset is cached per UTC quarter
/// hour: real zones only change offset on quarter-hour boundaries, and conversions dominate the
/// cost of generating weeks of history.
/// </summary>
internal sealed class SimClock(TimeZoneInfo zone)
{
    private const long Slot = TimeSpan.TicksPerMinute * 15;
    private long _cachedSlot = long.MinValue;
    private long _cachedOffset;

    public TimeZoneInfo Zone { get; } = zone;

    public long OffsetTicks(long utcTicks)
    {
        var slot = utcTicks / Slot;
        if (slot != _cachedSlot)
        {
            _cachedOffset = Zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;
            _cachedSlot = slot;
        }
        return _cachedOffset;
    }

    /// <summary>Local wall-clock time (kind unspecified).</summary>
    public DateTime Local(long utcTicks) => new(utcTicks + OffsetTicks(utcTicks), DateTimeKind.Unspecified);

    /// <summary>The instant with the site's offset, as events carry it.</summary>
    public DateTimeOffset Site(long utcTicks)
    {
        var offset = OffsetTicks(utcTicks);
        return new DateTimeOffset(utcTicks + offset, new TimeSpan(offset));
    }

    /// <summary>UTC ticks of a local wall-clock time; a time skipped by a DST jump moves forward by the gap.</summary>
    public long ToUtc(DateTime local) => ToUtc(Zone, local);

    public static long ToUtc(TimeZoneInfo zone, DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }
        return (local - zone.GetUtcOffset(local)).Ticks;
    }
}
