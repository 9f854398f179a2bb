using System.Text;

namespace Ops.Dashboard.Domain.Tests;

public sealed class VolumeCsvTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static DateTimeOffset Utc(int year, int month, int day, int hour) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    private static VolumeImport Parse(params string[] rows) => VolumeCsv.Parse("timestamp,count\n" + string.Join("\n", rows), Berlin);

    private static IReadOnlyList<HourVolume> Hours(params string[] rows)
    {
        var result = Parse(rows);
        Assert.True(result.Ok, string.Join("; ", result.Errors));
        return result.Hours;
    }

    /// <summary>Two local hours (08 and 09 CET on 2 Nov 2026) of rows every <paramref name="minutes"/>, counting 1, 2, 3, …</summary>
    [Theory]
    [InlineData(5, 78, 222)] // 1+…+12, 13+…+24
    [InlineData(15, 10, 26)] // 1+2+3+4, 5+6+7+8
    [InlineData(30, 3, 7)] // 1+2, 3+4
    [InlineData(60, 1, 2)]
    public void Rows_at_each_interval_sum_into_their_hours(int minutes, long first, long second)
    {
        var start = new DateTime(2026, 11, 2, 8, 0, 0);
        var rows = Enumerable.Range(0, 120 / minutes)
            .Select(i => $"{start.AddMinutes(i * minutes):yyyy-MM-dd HH:mm},{i + 1}").ToArray();

        var result = Parse(rows);

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Equal([new HourVolume(Utc(2026, 11, 2, 7), first), new HourVolume(Utc(2026, 11, 2, 8), second)], result.Hours);
        Assert.Equal(minutes, result.IntervalMinutes);
        Assert.Equal(rows.Length, result.RowsRead);
    }

    [Fact]
    public void Hours_without_rows_stay_absent_rather_than_zero()
    {
        var hours = Hours("2026-11-02 19:00,7", "2026-11-02 19:30,3", "2026-11-03 08:00,2", "2026-11-03 08:30,0");

        // Closed from 20:00 to 08:00: no hour in between, and an open hour with no contacts is a real zero.
        Assert.Equal([new HourVolume(Utc(2026, 11, 2, 18), 10), new HourVolume(Utc(2026, 11, 3, 7), 2)], hours);
    }

    [Fact]
    public void Local_times_across_the_spring_change_in_Berlin_map_to_the_real_utc_hours()
    {
        // 29 Mar 2026: 02:00 CET jumps to 03:00 CEST, so 01:30 and 03:00 local are only 30 minutes apart.
        var result = Parse("2026-03-29 01:00,1", "2026-03-29 01:30,2", "2026-03-29 03:00,4", "2026-03-29 03:30,8");

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Equal(30, result.IntervalMinutes);
        Assert.Equal([new HourVolume(Utc(2026, 3, 29, 0), 3), new HourVolume(Utc(2026, 3, 29, 1), 12)], result.Hours);
    }

    [Fact]
    public void A_local_time_the_clocks_skip_is_an_error()
    {
        var error = Assert.Single(Parse("2026-03-29 01:45,1", "2026-03-29 02:15,1").Errors);

        Assert.Equal((3, "timestamp"), (error.Row, error.Field));
        Assert.Equal("row 3: timestamp '2026-03-29 02:15' does not exist in Europe/Berlin (the clocks skip it)", error.ToString());
    }

    [Fact]
    public void The_repeated_autumn_hour_is_daylight_time_first_and_standard_time_when_it_appears_again()
    {
        // 25 Oct 2026: 03:00 CEST goes back to 02:00 CET, so local 02:00 happens twice (00:00Z and 01:00Z).
        var twice = Hours("2026-10-25 01:00,1", "2026-10-25 02:00,2", "2026-10-25 02:00,4", "2026-10-25 03:00,8");
        var once = Hours("2026-10-25 01:00,1", "2026-10-25 02:00,2", "2026-10-25 03:00,8");

        Assert.Equal(
            [new HourVolume(Utc(2026, 10, 24, 23), 1), new HourVolume(Utc(2026, 10, 25, 0), 2), new HourVolume(Utc(2026, 10, 25, 1), 4),
                new HourVolume(Utc(2026, 10, 25, 2), 8)],
            twice);
        Assert.Equal(
            [new HourVolume(Utc(2026, 10, 24, 23), 1), new HourVolume(Utc(2026, 10, 25, 0), 2), new HourVolume(Utc(2026, 10, 25, 2), 8)],
            once);
    }

    [Fact]
    public void Rfc3339_timestamps_with_offsets_are_taken_as_given_and_bucketed_by_the_site_local_hour()
    {
        var hours = Hours(
            "2026-11-02T08:00:00+01:00,1",
            "2026-11-02T07:15:00Z,2",
            "2026-11-02T02:30:00-05:00,3",
            "2026-11-02T13:15:00.000+05:30,4",
            "2026-11-02 09:00:00+01:00,5");

        Assert.Equal([new HourVolume(Utc(2026, 11, 2, 7), 10), new HourVolume(Utc(2026, 11, 2, 8), 5)], hours);
    }

    [Fact]
    public void Rows_in_any_order_with_crlf_a_bom_quotes_and_trailing_blank_lines_are_read()
    {
        var text = "\uFEFFtimestamp,count\r\n\"2026-11-02 08:15\",2\r\n2026-11-02 08:00,\"1\"\r\n\r\n\r\n";

        var result = VolumeCsv.Parse(text, Berlin);

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Equal([new HourVolume(Utc(2026, 11, 2, 7), 3)], result.Hours);
        Assert.Equal(15, result.IntervalMinutes);
    }

    [Theory]
    [InlineData("2026-13-01 08:00,5", "timestamp", "timestamp '2026-13-01 08:00' is not RFC 3339 or yyyy-MM-dd HH:mm")]
    [InlineData("2026-11-02 08:15,-3", "count", "count -3 must be a whole number ≥ 0")]
    [InlineData("2026-11-02 08:15,1.5", "count", "count '1.5' must be a whole number ≥ 0")]
    [InlineData("2026-11-02 08:15,", "count", "count (empty) must be a whole number ≥ 0")]
    [InlineData("2026-11-02 08:15,2000000000", "count", "count 2000000000 is larger than 1000000000")]
    [InlineData("2026-11-02 08:17,1", "timestamp", "timestamp '2026-11-02 08:17' is not on a whole 5 minutes of site time (minute 0, 5, …, 55 and no seconds)")]
    [InlineData("2026-11-02T08:15:30+01:00,1", "timestamp", "timestamp '2026-11-02T08:15:30+01:00' is not on a whole 5 minutes of site time (minute 0, 5, …, 55 and no seconds)")]
    [InlineData("2026-11-02T07:00:00Z,1", "timestamp", "timestamp '2026-11-02T07:00:00Z' repeats row 2")]
    [InlineData("2026-11-02 08:15;1", "row", "expected 2 fields (timestamp,count), found 1")]
    [InlineData("2026-11-02 08:15,1,2", "row", "expected 2 fields (timestamp,count), found 3")]
    public void A_bad_row_is_reported_by_its_row_number_and_field_and_nothing_is_returned(string row, string field, string message)
    {
        var result = Parse("2026-11-02 08:00,1", row, "2026-11-02 08:30,1");

        Assert.False(result.Ok);
        Assert.Empty(result.Hours);
        Assert.Equal([new VolumeCsvError(3, field, message)], result.Errors);
    }

    [Fact]
    public void Every_bad_row_of_a_file_is_reported_in_row_order()
    {
        var result = Parse(
            "2026-11-02 08:00,1", "2026-11-02 08:15,1", "2026-11-02 08:30,1", "2026-11-02 08:45,1", "2026-11-02 09:00,1",
            "2026-13-01 08:00,4", "2026-11-02 09:15,1", "2026-11-02 09:30,-3", "", "2026-11-02 09:45,1");

        Assert.Equal(
            [
                "row 7: timestamp '2026-13-01 08:00' is not RFC 3339 or yyyy-MM-dd HH:mm",
                "row 9: count -3 must be a whole number ≥ 0",
                "row 10: the row is empty",
            ],
            result.Errors.Select(e => e.ToString()));
        Assert.Empty(result.Hours);
    }

    [Fact]
    public void Rows_closer_than_a_valid_interval_are_rejected_naming_both_rows()
    {
        var error = Assert.Single(Parse("2026-11-02 08:00,1", "2026-11-02 08:15,1", "2026-11-02 08:25,1").Errors);

        Assert.Equal(new VolumeCsvError(4, "timestamp",
            "timestamp '2026-11-02 08:25' is 10 minutes after row 3 ('2026-11-02 08:15'); rows must be 5, 15, 30 or 60 minutes apart"), error);
    }

    [Fact]
    public void A_row_off_the_grid_of_the_detected_interval_is_rejected_as_mixed()
    {
        var error = Assert.Single(Parse("2026-11-02 08:00,1", "2026-11-02 08:30,1", "2026-11-02 09:15,1", "2026-11-02 11:00,1").Errors);

        Assert.Equal((4, "timestamp"), (error.Row, error.Field));
        Assert.Contains("minute 15, which does not fit the file's 30-minute interval", error.Message);
    }

    [Fact]
    public void Hourly_rows_with_closed_gaps_are_a_60_minute_file_and_must_start_on_the_hour()
    {
        Assert.Equal(60, Parse("2026-11-02 08:00,1", "2026-11-02 12:00,1").IntervalMinutes);
        Assert.Equal(60, Parse("2026-11-02 08:00,1").IntervalMinutes);

        var errors = Parse("2026-11-02 08:30,1", "2026-11-02 12:30,1").Errors;
        Assert.Equal([(2, "timestamp"), (3, "timestamp")], errors.Select(e => (e.Row, e.Field)));
    }

    [Theory]
    [InlineData("", 1, "header", "the file is empty; expected the header 'timestamp,count'")]
    [InlineData("\uFEFF\r\n\r\n", 1, "header", "the file is empty; expected the header 'timestamp,count'")]
    [InlineData("time,count\n2026-11-02 08:00,1\n", 1, "header", "header 'time,count' must be 'timestamp,count'")]
    [InlineData("2026-11-02 08:00,1\n", 1, "header", "header '2026-11-02 08:00,1' must be 'timestamp,count'")]
    [InlineData("timestamp,count\n", 2, "row", "the file has a header but no rows")]
    public void A_file_without_a_proper_header_or_rows_is_refused(string text, int row, string field, string message)
    {
        Assert.Equal([new VolumeCsvError(row, field, message)], VolumeCsv.Parse(text, Berlin).Errors);
    }

    [Fact]
    public void More_than_the_maximum_rows_is_refused_and_the_maximum_itself_is_read()
    {
        static string File(int rows)
        {
            var text = new StringBuilder("timestamp,count\n");
            var start = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < rows; i++) text.Append($"{start.AddMinutes(5 * i):yyyy-MM-dd'T'HH:mm:ss'Z'},1\n");
            return text.ToString();
        }

        var max = VolumeCsv.Parse(File(VolumeCsv.MaxRows), Berlin);
        Assert.True(max.Ok, string.Join("; ", max.Errors.Take(3)));
        Assert.Equal(VolumeCsv.MaxRows, max.Hours.Sum(h => h.Count));

        var error = Assert.Single(VolumeCsv.Parse(File(VolumeCsv.MaxRows + 1), Berlin).Errors);
        Assert.Equal(new VolumeCsvError(VolumeCsv.MaxRows + 2, "row", "the file has 100001 rows; at most 100000 are accepted"), error);
    }
}
