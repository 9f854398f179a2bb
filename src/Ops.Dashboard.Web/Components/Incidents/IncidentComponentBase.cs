using System.Globalization;
using Ops.Dashboard.Storage;
using Ops.Dashboard.Web.Components.Admin;

namespace Ops.Dashboard.Web.Components.Incidents;

/// <summary>
/// What the incident pages share: the acting user and refusals as messages (as on the administrators' pages), and times
/// read and written in the site's time zone, since a shift lead types an ETA as the clock on the wall shows it.
/// </summary>
public abstract class IncidentComponentBase : AdminComponentBase
{
    private static readonly string[] LocalFormats = ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF"];

    /// <summary>A stored instant as a datetime-local input value in the site's time zone (minutes).</summary>
    protected string LocalInput(DateTimeOffset at) => Clock.ToLocal(at).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    /// <summary>A datetime-local input read in the site's time zone; null when it is not a date and time.</summary>
    protected DateTimeOffset? ParseLocal(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)
            || !DateTime.TryParseExact(text.Trim(), LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return null;
        var zone = Clock.TimeZone;
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // A time skipped by the spring DST change does not exist: take the first one after it that does.
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
        // A time that occurs twice in autumn: its first occurrence (the larger, summer offset).
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>A duration as people say it: "45 s", "12 min", "1 h 05 min", "2 d 3 h"; "—" for none.</summary>
    public static string Duration(TimeSpan? span)
    {
        if (span is not { } d) return "—";
        var sign = d < TimeSpan.Zero ? "−" : "";
        d = d.Duration();
        var text = d.TotalDays >= 1 ? $"{(int)d.TotalDays} d {d.Hours} h"
            : d.TotalHours >= 1 ? $"{(int)d.TotalHours} h {d.Minutes:00} min"
            : d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes} min"
            : $"{(int)d.TotalSeconds} s";
        return sign + text;
    }

    public static string StatusName(IncidentStatus status) => IncidentEndpoints.StatusName(status);
}
