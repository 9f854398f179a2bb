using System.Globalization;

namespace Ops.Dashboard.Domain;

/// <summary>The contacts offered to a queue in one site-local hour, keyed by that hour's start in UTC.</summary>
public sealed record HourVolume(DateTimeOffset HourStartUtc, long Count);

/// <summary>One reason a volume file was refused: the row as numbered in the file (1 = header), the field, why.</summary>
public sealed record VolumeCsvError(int Row, string Field, string Message)
{
    public override string ToString() => $"row {Row}: {Message}";
}

/// <summary>
/// A parsed volume file: either errors (then nothing may be imported) or the hours present, in order.
/// RowsRead counts the data rows; IntervalMinutes is the detected row interval (5, 15, 30 or 60; 0 when refused).
/// </summary>
public sealed record VolumeImport(IReadOnlyList<HourVolume> Hours, IReadOnlyList<VolumeCsvError> Errors, int RowsRead, int IntervalMinutes)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Reads a contact-volume history file: header <c>timestamp,count</c>, one row per interval, and sums the rows of
/// each site-local hour. Rules (each broken one is reported by row, and then no hour is returned):
/// <list type="bullet">
/// <item>Timestamps are RFC 3339 with an offset (taken as the instant it names) or local site time
/// <c>yyyy-MM-dd HH:mm</c> (also with <c>T</c> and/or <c>:ss</c>). A local time the clocks skip is an error; an ambiguous
/// one (the repeated hour when clocks go back) is the first, daylight-saving occurrence, and when the same local time
/// appears again in the file that repetition is the second, standard-time occurrence, so a local export that lists the
/// repeated hour twice still imports.</item>
/// <item>Every timestamp is on a whole 5 minutes of site time. The interval is the smallest gap between consecutive rows
/// (in time order, capped at 60) and must be 5, 15, 30 or 60 minutes; every row must then start on a multiple of it.
/// Larger gaps are closed periods, not errors; a missing interval inside a present hour simply adds nothing.</item>
/// <item>Counts are whole numbers 0…<see cref="MaxCount"/>; a timestamp may appear once; at most <see cref="MaxRows"/> rows.</item>
/// </list>
/// Hours with no rows are absent from the result: a site closed at night has no demand figure then, not a zero.
/// CRLF or LF line ends, an optional UTF-8 BOM and trailing blank lines are accepted; fields may be double-quoted.
/// </summary>
public static class VolumeCsv
{
    public const int MaxRows = 100_000;

    /// <summary>Far above any real interval; keeps the hourly sums far from overflow.</summary>
    public const long MaxCount = 1_000_000_000;

    public static readonly IReadOnlyList<int> Intervals = [5, 15, 30, 60];

    private static readonly string[] OffsetFormats =
    [
        "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz",
    ];

    private static readonly string[] UtcFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd HH:mm:ss'Z'", "yyyy-MM-dd HH:mm:ss.FFFFFFF'Z'",
    ];

    private static readonly string[] LocalFormats = ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss"];

    public static VolumeImport Parse(string text, TimeZoneInfo siteZone)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(siteZone);

        var lines = text.TrimStart('\uFEFF').Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        // Trailing blank lines (a final newline, an editor's extra line) carry no row.
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1])) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) return Refused(new VolumeCsvError(1, "header", "the file is empty; expected the header 'timestamp,count'"));

        var header = lines[0].Split(',').Select(Unquote).ToArray();
        if (header.Length != 2 || !header[0].Equals("timestamp", StringComparison.OrdinalIgnoreCase)
            || !header[1].Equals("count", StringComparison.OrdinalIgnoreCase))
            return Refused(new VolumeCsvError(1, "header", $"header '{lines[0]}' must be 'timestamp,count'"));
        if (lines.Count == 1) return Refused(new VolumeCsvError(2, "row", "the file has a header but no rows"));
        if (lines.Count - 1 > MaxRows)
            return Refused(new VolumeCsvError(MaxRows + 2, "row", $"the file has {lines.Count - 1} rows; at most {MaxRows} are accepted"));

        var errors = new List<VolumeCsvError>();
        var rows = new List<Row>(lines.Count - 1);
        var firstRowAt = new Dictionary<DateTimeOffset, int>();
        var ambiguousSeen = new HashSet<DateTime>();
        for (var i = 1; i < lines.Count; i++)
        {
            var number = i + 1;
            var line = lines[i];
            if (string.IsNullOrWhiteSpace(line))
            {
                errors.Add(new VolumeCsvError(number, "row", "the row is empty"));
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length != 2)
            {
                errors.Add(new VolumeCsvError(number, "row", $"expected 2 fields (timestamp,count), found {fields.Length}"));
                continue;
            }

            var stamp = Unquote(fields[0]);
            var countText = Unquote(fields[1]);
            var at = ParseTimestamp(stamp, siteZone, ambiguousSeen, number, errors);
            var countOk = long.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count);
            if (!countOk) errors.Add(new VolumeCsvError(number, "count", $"count {Shown(countText)} must be a whole number ≥ 0"));
            else if (count > MaxCount) errors.Add(new VolumeCsvError(number, "count", $"count {count} is larger than {MaxCount}"));
            if (at is not { } instant) continue;

            var local = TimeZoneInfo.ConvertTime(instant, siteZone);
            if (local.Minute % 5 != 0 || local.Second != 0 || local.Millisecond != 0 || local.Microsecond != 0 || local.Nanosecond != 0)
            {
                errors.Add(new VolumeCsvError(number, "timestamp",
                    $"timestamp '{stamp}' is not on a whole 5 minutes of site time (minute 0, 5, …, 55 and no seconds)"));
                continue;
            }

            if (!firstRowAt.TryAdd(instant.ToUniversalTime(), number))
            {
                errors.Add(new VolumeCsvError(number, "timestamp", $"timestamp '{stamp}' repeats row {firstRowAt[instant.ToUniversalTime()]}"));
                continue;
            }

            if (countOk && count <= MaxCount) rows.Add(new Row(number, stamp, instant.ToUniversalTime(), local, count));
        }

        var interval = errors.Count == 0 ? DetectInterval(rows, errors) : 0;
        if (errors.Count > 0)
            return new VolumeImport([], errors.OrderBy(e => e.Row).ToList(), lines.Count - 1, 0);

        var hours = rows
            .GroupBy(r => HourStartUtc(r.Local))
            .OrderBy(g => g.Key)
            .Select(g => new HourVolume(g.Key, g.Sum(r => r.Count)))
            .ToList();
        return new VolumeImport(hours, [], rows.Count, interval);
    }

    /// <summary>The smallest gap in time order, which must be one of <see cref="Intervals"/>; every row must start on a multiple of it.</summary>
    private static int DetectInterval(List<Row> rows, List<VolumeCsvError> errors)
    {
        var ordered = rows.OrderBy(r => r.Utc).ToList();
        var interval = 60;
        Row? closest = null, before = null;
        for (var i = 1; i < ordered.Count; i++)
        {
            var gap = (int)(ordered[i].Utc - ordered[i - 1].Utc).TotalMinutes;
            if (gap < interval)
            {
                interval = gap;
                (before, closest) = (ordered[i - 1], ordered[i]);
            }
        }

        if (!Intervals.Contains(interval))
        {
            errors.Add(new VolumeCsvError(closest!.Number, "timestamp",
                $"timestamp '{closest.Stamp}' is {interval} minutes after row {before!.Number} ('{before.Stamp}'); rows must be 5, 15, 30 or 60 minutes apart"));
            return 0;
        }

        foreach (var row in rows.Where(r => r.Local.Minute % interval != 0))
        {
            errors.Add(new VolumeCsvError(row.Number, "timestamp",
                $"timestamp '{row.Stamp}' starts at minute {row.Local.Minute}, which does not fit the file's {interval}-minute interval (mixed intervals)"));
        }

        return interval;
    }

    private static DateTimeOffset? ParseTimestamp(string stamp, TimeZoneInfo zone, HashSet<DateTime> ambiguousSeen, int number, List<VolumeCsvError> errors)
    {
        var culture = CultureInfo.InvariantCulture;
        if (DateTimeOffset.TryParseExact(stamp, OffsetFormats, culture, DateTimeStyles.None, out var withOffset)) return withOffset;
        if (DateTimeOffset.TryParseExact(stamp, UtcFormats, culture, DateTimeStyles.AssumeUniversal, out var utc)) return utc;
        if (!DateTime.TryParseExact(stamp, LocalFormats, culture, DateTimeStyles.None, out var local))
        {
            errors.Add(new VolumeCsvError(number, "timestamp", $"timestamp {Shown(stamp)} is not RFC 3339 or yyyy-MM-dd HH:mm"));
            return null;
        }

        if (zone.IsInvalidTime(local))
        {
            errors.Add(new VolumeCsvError(number, "timestamp", $"timestamp '{stamp}' does not exist in {zone.Id} (the clocks skip it)"));
            return null;
        }

        if (!zone.IsAmbiguousTime(local)) return new DateTimeOffset(local, zone.GetUtcOffset(local));
        // The first occurrence is daylight saving time (the larger offset); a repetition is the hour after the change.
        var offsets = zone.GetAmbiguousTimeOffsets(local);
        return new DateTimeOffset(local, ambiguousSeen.Add(local) ? offsets.Max() : offsets.Min());
    }

    // The site-local hour keeps its own offset, so the two local 02:00 hours of a DST change stay two hours.
    private static DateTimeOffset HourStartUtc(DateTimeOffset local) =>
        new DateTimeOffset(local.Year, local.Month, local.Day, local.Hour, 0, 0, local.Offset).ToUniversalTime();

    private static string Unquote(string field)
    {
        var trimmed = field.Trim();
        return trimmed.Length >= 2 && trimmed[0] == '"' && trimmed[^1] == '"' ? trimmed[1..^1].Trim() : trimmed;
    }

    private static string Shown(string value) => value.Length == 0 ? "(empty)" : value.StartsWith('-') || value.All(char.IsAsciiDigit) ? value : $"'{value}'";

    private static VolumeImport Refused(VolumeCsvError error) => new([], [error], 0, 0);

    private sealed record Row(int Number, string Stamp, DateTimeOffset Utc, DateTimeOffset Local, long Count);
}
