using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Ops.Dashboard.Domain;

/// <summary>
/// The site configuration (config/site.json, queues.json, shifts.json, ingestion.json, ...), bound with the
/// standard configuration system. Values stay as the operator wrote them (strings for times, dates,
/// channels) so that <see cref="OpsOptionsValidator"/> can name every bad value instead of the binder
/// failing on the first one; the typed helpers are safe to use once validation has passed.
/// </summary>
public sealed class OpsOptions
{
    public SiteOptions Site { get; set; } = new();

    public List<QueueOptions> Queues { get; set; } = [];

    /// <summary>Shift templates; <see cref="ApplyDefaults"/> fills Früh/Spät/Nacht when none are configured.</summary>
    public List<ShiftOptions> Shifts { get; set; } = [];

    public IngestionOptions Ingestion { get; set; } = new();

    /// <summary>Sign-in and sessions (config/access.json).</summary>
    public AccessOptions Access { get; set; } = new();

    /// <summary>Outbound notifications (config/webhooks.json).</summary>
    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>Alarm rules and runbook timings (config/alarms.json); see <see cref="AlarmOptions.Compile"/>.</summary>
    public AlarmOptions Alarms { get; set; } = new();

    /// <summary>
    /// The shift a log-in at this local time belongs to: the shift starting nearest to it when that is
    /// within 90 minutes (people log in a little early or late), otherwise the shift running then.
    /// </summary>
    public ShiftOptions? ShiftForLogin(TimeOnly local)
    {
        static double Distance(TimeOnly a, TimeOnly b)
        {
            var d = Math.Abs((a.ToTimeSpan() - b.ToTimeSpan()).TotalMinutes);
            return Math.Min(d, 24 * 60 - d);
        }
        var nearest = Shifts.MinBy(s => Distance(s.StartTime, local));
        if (nearest is not null && Distance(nearest.StartTime, local) <= 90) return nearest;
        return Shifts.FirstOrDefault(s => s.CrossesMidnight
            ? local >= s.StartTime || local < s.EndTime
            : local >= s.StartTime && local < s.EndTime);
    }

    /// <summary>Queue ids are case-sensitive: they are keys in events and grain ids.</summary>
    public QueueOptions? FindQueue(string id) => Queues.Find(q => string.Equals(q.Id, id, StringComparison.Ordinal));

    /// <summary>
    /// Defaults that cannot be property initialisers: the binder appends to a pre-filled list instead
    /// of replacing it, so default shift templates are added only after binding found none.
    /// </summary>
    public OpsOptions ApplyDefaults()
    {
        if (Shifts.Count == 0)
        {
            Shifts = ShiftOptions.DefaultTemplates();
        }
        return this;
    }
}

public sealed class SiteOptions
{
    public string Name { get; set; } = "";

    /// <summary>IANA id such as "Europe/Berlin"; day boundaries and business hours use it.</summary>
    [ConfigurationKeyName("timeZone")]
    public string TimeZoneId { get; set; } = "";

    public BusinessHoursOptions BusinessHours { get; set; } = new();

    public List<HolidayOptions> Holidays { get; set; } = [];

    private TimeZoneInfo? _timeZone;

    /// <summary>The resolved site time zone; throws for an id the validator would reject.</summary>
    public TimeZoneInfo TimeZone
    {
        get
        {
            if (_timeZone is null || _timeZone.Id != TimeZoneId)
            {
                _timeZone = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);
            }
            return _timeZone;
        }
    }

    /// <summary>The dates of all valid holiday entries (invalid ones are reported by the validator).</summary>
    public IReadOnlySet<DateOnly> HolidayDates() =>
        Holidays.Select(h => HolidayOptions.TryParseDate(h.Date, out var d) ? d : (DateOnly?)null)
            .OfType<DateOnly>()
            .ToHashSet();
}

/// <summary>Opening hours per weekday, each "HH:mm-HH:mm" (end may be "24:00"); null or absent = closed.</summary>
public sealed class BusinessHoursOptions
{
    public string? Monday { get; set; }
    public string? Tuesday { get; set; }
    public string? Wednesday { get; set; }
    public string? Thursday { get; set; }
    public string? Friday { get; set; }
    public string? Saturday { get; set; }
    public string? Sunday { get; set; }

    public string? this[DayOfWeek day] => day switch
    {
        DayOfWeek.Monday => Monday,
        DayOfWeek.Tuesday => Tuesday,
        DayOfWeek.Wednesday => Wednesday,
        DayOfWeek.Thursday => Thursday,
        DayOfWeek.Friday => Friday,
        DayOfWeek.Saturday => Saturday,
        DayOfWeek.Sunday => Sunday,
        _ => throw new ArgumentOutOfRangeException(nameof(day)),
    };

    /// <summary>The opening hours of a weekday, or null when closed (or the entry is invalid).</summary>
    public DailyHours? For(DayOfWeek day) => DailyHours.TryParse(this[day], out var hours) ? hours : null;
}

/// <summary>A local opening range within one day; <see cref="End"/> may be 24:00.</summary>
public readonly record struct DailyHours(TimeSpan Start, TimeSpan End)
{
    private static readonly Regex Format = new(@"^(?<sh>[01]\d|2[0-3]):(?<sm>[0-5]\d)-(?<eh>[01]\d|2[0-4]):(?<em>[0-5]\d)$", RegexOptions.CultureInvariant);

    public bool Contains(TimeSpan timeOfDay) => timeOfDay >= Start && timeOfDay < End;

    /// <summary>Parses "HH:mm-HH:mm" with start &lt; end; "24:00" is the only hour-24 value allowed.</summary>
    public static bool TryParse(string? text, out DailyHours hours)
    {
        hours = default;
        var m = text is null ? null : Format.Match(text.Trim());
        if (m is null || !m.Success)
        {
            return false;
        }
        var start = new TimeSpan(int.Parse(m.Groups["sh"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["sm"].Value, CultureInfo.InvariantCulture), 0);
        var end = new TimeSpan(int.Parse(m.Groups["eh"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["em"].Value, CultureInfo.InvariantCulture), 0);
        if (end > TimeSpan.FromHours(24) || start >= end)
        {
            return false;
        }
        hours = new DailyHours(start, end);
        return true;
    }
}

public sealed class HolidayOptions
{
    /// <summary>"yyyy-MM-dd", a local date of the site.</summary>
    public string Date { get; set; } = "";

    public string Name { get; set; } = "";

    public static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}

public sealed class QueueOptions
{
    public const string Hours24x7 = "24/7";
    public const string HoursBusiness = "business";

    /// <summary>Case-sensitive id used in events ("queue", "toQueue") and as grain key.</summary>
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Wire name of a <see cref="Domain.Channel"/>: phone, chat, messenger, email, ticket, social.</summary>
    public string Channel { get; set; } = "";

    /// <summary>Service-level threshold T: answered (or first response) within this many seconds.</summary>
    public int SlThresholdSeconds { get; set; }

    /// <summary>Service-level target, percent of contacts within T.</summary>
    public double SlTargetPercent { get; set; }

    /// <summary>Short-abandon threshold S: abandons after a wait &lt; S are left out of SL and abandon rate.</summary>
    public int ShortAbandonSeconds { get; set; } = 5;

    /// <summary>"24/7" or "business" (the site's business hours).</summary>
    public string Hours { get; set; } = Hours24x7;

    /// <summary>A critical service counts for the 24/7 decision and escalates alarms sooner.</summary>
    public bool Critical { get; set; }

    /// <summary>The channel as the enum; throws when <see cref="Channel"/> is not one of the six names.</summary>
    public Channel ChannelKind => TryParseChannel(Channel, out var c)
        ? c
        : throw new InvalidOperationException($"Queue '{Id}' has unknown channel '{Channel}'.");

    public bool IsAlwaysOpen => Hours == Hours24x7;

    public TimeSpan SlThreshold => TimeSpan.FromSeconds(SlThresholdSeconds);

    public TimeSpan ShortAbandon => TimeSpan.FromSeconds(ShortAbandonSeconds);

    /// <summary>Accepts exactly the wire names (lower case); numbers and other spellings are rejected.</summary>
    public static bool TryParseChannel(string? text, out Channel channel)
    {
        foreach (var c in Enum.GetValues<Channel>())
        {
            if (c.Name() == text)
            {
                channel = c;
                return true;
            }
        }
        channel = default;
        return false;
    }
}

public sealed class ShiftOptions
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Local start "HH:mm".</summary>
    public string Start { get; set; } = "";

    /// <summary>Local end "HH:mm"; an end at or before the start means the next day ("00:00" = midnight).</summary>
    public string End { get; set; } = "";

    /// <summary>Agents planned for this shift unless the plan for a day says otherwise.</summary>
    public int PlannedAgents { get; set; }

    // Parsed once per text: the dispatcher asks for every agent state event.
    private ParsedTime? _start, _end;

    public TimeOnly StartTime => Parse(Start, ref _start);

    public TimeOnly EndTime => Parse(End, ref _end);

    public bool CrossesMidnight => EndTime <= StartTime;

    /// <summary>Length of the shift; TimeOnly subtraction wraps past midnight (16:00-00:00 is 8 h).</summary>
    public TimeSpan Duration => EndTime - StartTime;

    public static bool TryParseTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    private TimeOnly Parse(string text, ref ParsedTime? cache)
    {
        if (cache is { } c && ReferenceEquals(c.Text, text)) return c.Time;
        if (!TryParseTime(text, out var t)) throw new InvalidOperationException($"Shift '{Id}' has an invalid time '{text}'.");
        cache = new ParsedTime(text, t);
        return t;
    }

    private sealed record ParsedTime(string Text, TimeOnly Time);

    /// <summary>The handbook's three-shift model: nobody on permanent night work, 24 h covered.</summary>
    public static List<ShiftOptions> DefaultTemplates() =>
    [
        new() { Id = "frueh", Name = "Früh", Start = "08:00", End = "16:00" },
        new() { Id = "spaet", Name = "Spät", Start = "16:00", End = "00:00" },
        new() { Id = "nacht", Name = "Nacht", Start = "00:00", End = "08:00" },
    ];
}

public sealed class IngestionOptions
{
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>Set to false only for a closed demo network: then no API key is required.</summary>
    public bool RequireApiKey { get; set; } = true;

    public int MaxBatchEvents { get; set; } = 5000;

    public long MaxBatchBytes { get; set; } = 4 * 1024 * 1024;
}

public sealed class ApiKeyOptions
{
    /// <summary>Who uses the key (logged with each batch); the key from OPS_API_KEY is named "env".</summary>
    public string Name { get; set; } = "";

    public string Key { get; set; } = "";
}

public sealed class AccessOptions
{
    /// <summary>How long a sign-in lasts without activity.</summary>
    public int SessionHours { get; set; } = 12;

    /// <summary>Failed sign-ins in a row before a user name is locked for <see cref="LockoutMinutes"/>.</summary>
    public int LockoutAttempts { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 5;

    public int MinPasswordLength { get; set; } = 10;

    /// <summary>Users created at start in demo mode (simulator on) when missing; never in production.</summary>
    public List<DemoUserOptions> DemoUsers { get; set; } = [];
}

public sealed class DemoUserOptions
{
    public string UserName { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public string Password { get; set; } = "";

    public string Role { get; set; } = "";
}

public sealed class WebhookOptions
{
    /// <summary>Where control commands (reallocations, state changes) go: the routing system.</summary>
    public List<WebhookTargetOptions> Control { get; set; } = [];

    /// <summary>
    /// Named notification endpoints (chat, paging, ticketing, the on-call lead); config/alarms.json says
    /// by name which of them hear of alarms and of escalations.
    /// </summary>
    public List<WebhookTargetOptions> Targets { get; set; } = [];

    public WebhookTargetOptions? FindTarget(string name) => Targets.Find(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    /// <summary>Delivery attempts per notification before giving up.</summary>
    public int MaxAttempts { get; set; } = 5;

    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>The wait before the first retry; it doubles with each further attempt.</summary>
    public int FirstRetryDelayMilliseconds { get; set; } = 1000;
}

public sealed class WebhookTargetOptions
{
    public string Name { get; set; } = "";

    public string Url { get; set; } = "";

    /// <summary>Signs each body (HMAC-SHA256, header X-Ops-Signature) so the receiver can trust it.</summary>
    public string Secret { get; set; } = "";
}
