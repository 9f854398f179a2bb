using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Domain.Tests;

public class ConfigSiteClockTests
{
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static SiteClock Berlin(DateTimeOffset? now = null) => new(
        new FixedTime(now ?? new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero)),
        new SiteOptions
        {
            Name = "Test",
            TimeZoneId = "Europe/Berlin",
            BusinessHours = new BusinessHoursOptions
            {
                Monday = "08:00-20:00",
                Tuesday = "08:00-20:00",
                Wednesday = "08:00-20:00",
                Thursday = "08:00-20:00",
                Friday = "08:00-20:00",
                Saturday = "09:00-14:00",
                Sunday = "",
            },
            Holidays = [new HolidayOptions { Date = "2026-12-25", Name = "1. Weihnachtsfeiertag" }, new HolidayOptions { Date = "bad" }],
        });

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Fact]
    public void Now_is_the_provider_time_in_site_offset()
    {
        var clock = Berlin(Utc(2026, 6, 1, 22, 30));
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 0, 30, 0, TimeSpan.FromHours(2)), clock.Now);
        Assert.Equal(TimeSpan.FromHours(2), clock.Now.Offset);
    }

    [Fact]
    public void Local_date_changes_at_local_midnight_not_utc_midnight()
    {
        var clock = Berlin();
        Assert.Equal(new DateOnly(2026, 1, 2), clock.LocalDate(Utc(2026, 1, 1, 23, 0)));
        Assert.Equal(new DateOnly(2026, 1, 1), clock.LocalDate(Utc(2026, 1, 1, 22, 59)));
    }

    [Fact]
    public void A_normal_day_has_24_hours()
    {
        var (start, end) = Berlin().DayBounds(new DateOnly(2026, 1, 15));
        Assert.Equal(Utc(2026, 1, 14, 23), start);
        Assert.Equal(Utc(2026, 1, 15, 23), end);
        Assert.Equal(TimeSpan.Zero, start.Offset);
    }

    [Fact]
    public void The_spring_forward_day_has_23_hours()
    {
        var (start, end) = Berlin().DayBounds(new DateOnly(2026, 3, 29));
        Assert.Equal(Utc(2026, 3, 28, 23), start);
        Assert.Equal(Utc(2026, 3, 29, 22), end);
        Assert.Equal(TimeSpan.FromHours(23), end - start);
    }

    [Fact]
    public void The_fall_back_day_has_25_hours()
    {
        var (start, end) = Berlin().DayBounds(new DateOnly(2026, 10, 25));
        Assert.Equal(Utc(2026, 10, 24, 22), start);
        Assert.Equal(Utc(2026, 10, 25, 23), end);
        Assert.Equal(TimeSpan.FromHours(25), end - start);
    }

    [Fact]
    public void Consecutive_days_tile_the_time_line()
    {
        var clock = Berlin();
        for (var d = new DateOnly(2026, 3, 25); d < new DateOnly(2026, 11, 1); d = d.AddDays(1))
        {
            Assert.Equal(clock.DayBounds(d).EndUtc, clock.DayBounds(d.AddDays(1)).StartUtc);
            Assert.Equal(d, clock.LocalDate(clock.DayBounds(d).StartUtc));
        }
    }

    [Fact]
    public void A_day_starting_in_a_dst_gap_starts_at_the_first_existing_time()
    {
        // Santiago de Chile springs forward at local midnight: 2026-09-06 00:00 does not exist.
        var clock = new SiteClock(TimeProvider.System, new SiteOptions { Name = "CL", TimeZoneId = "America/Santiago" });
        var (start, end) = clock.DayBounds(new DateOnly(2026, 9, 6));
        Assert.Equal(new DateOnly(2026, 9, 6), clock.LocalDate(start));
        Assert.Equal(new DateOnly(2026, 9, 5), clock.LocalDate(start.AddTicks(-1)));
        Assert.Equal(TimeSpan.FromHours(23), end - start);
    }

    [Theory]
    [InlineData(10, 7, 10, 0)]
    [InlineData(10, 14, 10, 0)]
    [InlineData(10, 15, 10, 15)]
    [InlineData(10, 59, 10, 45)]
    public void Interval_start_floors_to_15_minutes_in_utc(int h, int m, int eh, int em)
    {
        var at = new DateTimeOffset(2026, 3, 29, h, m, 42, TimeSpan.FromHours(2));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, eh, em, 0, TimeSpan.FromHours(2)), SiteClock.IntervalStart(at, TimeSpan.FromMinutes(15)));
        Assert.Equal(TimeSpan.Zero, SiteClock.IntervalStart(at, TimeSpan.FromMinutes(15)).Offset);
    }

    [Fact]
    public void Interval_length_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SiteClock.IntervalStart(DateTimeOffset.UnixEpoch, TimeSpan.Zero));

    [Fact]
    public void Local_hour_start_is_a_utc_instant()
    {
        var start = Berlin().LocalHourStart(new DateTimeOffset(2026, 6, 1, 10, 47, 13, TimeSpan.FromHours(2)));
        Assert.Equal(Utc(2026, 6, 1, 8), start);
        Assert.Equal(TimeSpan.Zero, start.Offset);
    }

    [Fact]
    public void Local_hour_start_keeps_the_repeated_fall_back_hour_apart()
    {
        var clock = Berlin();
        // 02:30 local occurs twice on 2026-10-25: first at 00:30 UTC (+02:00), then at 01:30 UTC (+01:00).
        Assert.Equal(Utc(2026, 10, 25, 0), clock.LocalHourStart(Utc(2026, 10, 25, 0, 30)));
        Assert.Equal(Utc(2026, 10, 25, 1), clock.LocalHourStart(Utc(2026, 10, 25, 1, 30)));
    }

    [Fact]
    public void Local_hour_start_across_spring_forward()
    {
        var clock = Berlin();
        // 01:59 local (+01:00) is 00:59 UTC; one minute later it is 03:00 local (+02:00) = 01:00 UTC.
        Assert.Equal(Utc(2026, 3, 29, 0), clock.LocalHourStart(Utc(2026, 3, 29, 0, 59)));
        Assert.Equal(Utc(2026, 3, 29, 1), clock.LocalHourStart(Utc(2026, 3, 29, 1, 0)));
    }

    [Fact]
    public void Local_hour_start_in_a_half_hour_zone_floors_the_local_clock()
    {
        var clock = new SiteClock(TimeProvider.System, new SiteOptions { Name = "IN", TimeZoneId = "Asia/Kolkata" });
        // 10:20 UTC is 15:50 local; the local hour began at 15:00 local = 09:30 UTC.
        Assert.Equal(Utc(2026, 6, 1, 9, 30), clock.LocalHourStart(Utc(2026, 6, 1, 10, 20)));
    }

    [Fact]
    public void Holidays_are_local_dates_and_invalid_entries_are_ignored()
    {
        var clock = Berlin();
        Assert.True(clock.IsHoliday(new DateOnly(2026, 12, 25)));
        Assert.False(clock.IsHoliday(new DateOnly(2026, 12, 24)));
    }

    [Theory]
    [InlineData("2026-06-01T07:59:00+02:00", false)] // Monday before opening
    [InlineData("2026-06-01T08:00:00+02:00", true)]
    [InlineData("2026-06-01T19:59:59+02:00", true)]
    [InlineData("2026-06-01T20:00:00+02:00", false)] // end is exclusive
    [InlineData("2026-06-01T06:30:00Z", true)] // 08:30 local
    [InlineData("2026-06-06T10:00:00+02:00", true)] // Saturday 09-14
    [InlineData("2026-06-06T14:00:00+02:00", false)]
    [InlineData("2026-06-07T10:00:00+02:00", false)] // Sunday closed
    [InlineData("2026-12-25T10:00:00+01:00", false)] // Friday, but a holiday
    [InlineData("2026-12-24T23:30:00Z", false)] // 00:30 local on the holiday
    public void Business_hours_follow_local_weekday_hours_and_holidays(string at, bool open) =>
        Assert.Equal(open, Berlin().IsBusinessHour(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
}

public sealed class ShiftForLoginTests
{
    private static readonly OpsOptions Site = new OpsOptions().ApplyDefaults();

    [Theory]
    [InlineData("07:55", "frueh")]   // a little early for Früh
    [InlineData("09:20", "frueh")]   // late, still Früh
    [InlineData("12:00", "frueh")]   // far from any start: the shift running then
    [InlineData("15:40", "spaet")]
    [InlineData("23:50", "nacht")]   // early for Nacht, which starts at midnight
    [InlineData("03:00", "nacht")]
    public void A_log_in_belongs_to_the_shift_starting_nearest_or_else_the_one_running(string time, string shift) =>
        Assert.Equal(shift, Site.ShiftForLogin(TimeOnly.Parse(time, System.Globalization.CultureInfo.InvariantCulture))?.Id);
}
