using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ops.Dashboard.Domain;

/// <summary>
/// One configuration problem. <see cref="Key"/> is the configuration path as the configuration system
/// spells it (<c>queues:2:slTargetPercent</c>); <see cref="Value"/> is null when the value is missing.
/// </summary>
public sealed record ConfigError(string Key, string? Value, string Rule)
{
    /// <summary>The path as operators read it in a JSON file: <c>queues[2].slTargetPercent</c>.</summary>
    public string DisplayKey => ToDisplayKey(Key);

    public string DisplayValue => Value switch
    {
        null => "(missing)",
        "" => "(empty)",
        _ => Value,
    };

    public override string ToString() => $"{DisplayKey} = {DisplayValue}, {Rule}";

    public static string ToDisplayKey(string key)
    {
        var sb = new StringBuilder();
        foreach (var segment in key.Split(':'))
        {
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                sb.Append('[').Append(segment).Append(']');
            }
            else
            {
                if (sb.Length > 0)
                {
                    sb.Append('.');
                }
                sb.Append(segment);
            }
        }
        return sb.ToString();
    }
}

/// <summary>
/// Checks a bound <see cref="OpsOptions"/> and returns every problem at once, so an operator fixes a
/// broken configuration in one go instead of one restart per mistake. Pure: no I/O except resolving the
/// time zone id.
/// </summary>
public static partial class OpsOptionsValidator
{
    public const int MinApiKeyLength = 16;
    public const int MaxBatchEventsLimit = 100_000;

    public static readonly string ChannelNames = string.Join(", ", Enum.GetValues<Channel>().Select(c => c.Name()));

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueIdPattern();

    public static IReadOnlyList<ConfigError> Validate(OpsOptions options)
    {
        var errors = new List<ConfigError>();
        ValidateSite(options.Site, errors);
        ValidateQueues(options.Queues, errors);
        ValidateShifts(options.Shifts, errors);
        ValidateIngestion(options.Ingestion, errors);
        ValidateAccess(options.Access, errors);
        ValidateWebhooks(options.Webhooks, errors);
        errors.AddRange(ValidateAlarms(options.Alarms, options.Queues));
        // Alarm notifications name webhook targets: a name that is not there would notify nobody.
        foreach (var (list, names) in new[] { ("notifyTargets", options.Alarms.NotifyTargets), ("escalationTargets", options.Alarms.EscalationTargets) })
            for (var i = 0; i < names.Count; i++)
                if (!string.IsNullOrWhiteSpace(names[i]) && options.Webhooks.FindTarget(names[i]) is null)
                    errors.Add(new($"alarms:{list}:{i}", names[i], "no webhook target of this name in webhooks.json (webhooks.targets)"));
        return errors;
    }

    private static void ValidateSite(SiteOptions site, List<ConfigError> errors)
    {
        if (string.IsNullOrWhiteSpace(site.Name))
        {
            errors.Add(new("site:name", Blank(site.Name), "required"));
        }

        if (string.IsNullOrWhiteSpace(site.TimeZoneId))
        {
            errors.Add(new("site:timeZone", Blank(site.TimeZoneId), "required (an IANA id such as Europe/Berlin)"));
        }
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(site.TimeZoneId, out _))
        {
            errors.Add(new("site:timeZone", site.TimeZoneId, "unknown time zone (use an IANA id such as Europe/Berlin)"));
        }

        foreach (var day in WeekDays)
        {
            var text = site.BusinessHours[day];
            // JSON null arrives as an empty string: both mean closed.
            if (!string.IsNullOrWhiteSpace(text) && !DailyHours.TryParse(text, out _))
            {
                errors.Add(new($"site:businessHours:{Camel(day.ToString())}", text,
                    "must be \"HH:mm-HH:mm\" with start before end (end may be 24:00), or null for closed"));
            }
        }

        var seen = new Dictionary<DateOnly, int>();
        for (var i = 0; i < site.Holidays.Count; i++)
        {
            var holiday = site.Holidays[i];
            if (!HolidayOptions.TryParseDate(holiday.Date, out var date))
            {
                errors.Add(new($"site:holidays:{i}:date", Blank(holiday.Date), "must be a date yyyy-MM-dd"));
            }
            else if (seen.TryGetValue(date, out var first))
            {
                errors.Add(new($"site:holidays:{i}:date", holiday.Date, $"duplicate date, already listed as site.holidays[{first}]"));
            }
            else
            {
                seen[date] = i;
            }
        }
    }

    private static void ValidateQueues(List<QueueOptions> queues, List<ConfigError> errors)
    {
        if (queues.Count == 0)
        {
            errors.Add(new("queues", null, "at least one queue is required"));
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < queues.Count; i++)
        {
            var q = queues[i];
            var key = $"queues:{i}";

            if (string.IsNullOrEmpty(q.Id))
            {
                errors.Add(new($"{key}:id", Blank(q.Id), "required"));
            }
            else if (!QueueIdPattern().IsMatch(q.Id))
            {
                errors.Add(new($"{key}:id", q.Id, "must match ^[a-z0-9][a-z0-9_-]{0,63}$ (lower-case letters, digits, '-' and '_')"));
            }
            else if (seen.TryGetValue(q.Id, out var first))
            {
                errors.Add(new($"{key}:id", q.Id, $"duplicate queue id, already used by queues[{first}]"));
            }
            else
            {
                seen[q.Id] = i;
            }

            if (!QueueOptions.TryParseChannel(q.Channel, out _))
            {
                errors.Add(new($"{key}:channel", Blank(q.Channel), $"must be one of {ChannelNames}"));
            }

            if (q.SlThresholdSeconds <= 0)
            {
                errors.Add(new($"{key}:slThresholdSeconds", Num(q.SlThresholdSeconds), "must be greater than 0"));
            }

            if (!(q.SlTargetPercent >= 0 && q.SlTargetPercent <= 100))
            {
                errors.Add(new($"{key}:slTargetPercent", Num(q.SlTargetPercent), "must be 0–100"));
            }

            // Only compare with the threshold when that is valid itself, so one mistake gives one line.
            var maxShort = q.SlThresholdSeconds > 0 ? q.SlThresholdSeconds : int.MaxValue;
            if (q.ShortAbandonSeconds < 0 || q.ShortAbandonSeconds > maxShort)
            {
                errors.Add(new($"{key}:shortAbandonSeconds", Num(q.ShortAbandonSeconds),
                    q.SlThresholdSeconds > 0 ? $"must be 0–{q.SlThresholdSeconds} (at most slThresholdSeconds)" : "must be 0 or more"));
            }

            if (q.Hours is not (QueueOptions.Hours24x7 or QueueOptions.HoursBusiness))
            {
                errors.Add(new($"{key}:hours", Blank(q.Hours), "must be \"24/7\" or \"business\""));
            }
        }
    }

    private static void ValidateShifts(List<ShiftOptions> shifts, List<ConfigError> errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < shifts.Count; i++)
        {
            var s = shifts[i];
            var key = $"shifts:{i}";

            if (string.IsNullOrWhiteSpace(s.Id))
            {
                errors.Add(new($"{key}:id", Blank(s.Id), "required"));
            }
            else if (seen.TryGetValue(s.Id, out var first))
            {
                errors.Add(new($"{key}:id", s.Id, $"duplicate shift id, already used by shifts[{first}]"));
            }
            else
            {
                seen[s.Id] = i;
            }

            var startOk = ShiftOptions.TryParseTime(s.Start, out var start);
            var endOk = ShiftOptions.TryParseTime(s.End, out var end);
            if (!startOk)
            {
                errors.Add(new($"{key}:start", Blank(s.Start), "must be a time HH:mm"));
            }
            if (!endOk)
            {
                errors.Add(new($"{key}:end", Blank(s.End), "must be a time HH:mm (00:00 = midnight)"));
            }
            else if (startOk && start == end)
            {
                errors.Add(new($"{key}:end", s.End, "must differ from start"));
            }

            if (s.PlannedAgents < 0)
            {
                errors.Add(new($"{key}:plannedAgents", Num(s.PlannedAgents), "must be 0 or more"));
            }
        }
    }

    private static void ValidateIngestion(IngestionOptions ingestion, List<ConfigError> errors)
    {
        if (ingestion.RequireApiKey && ingestion.ApiKeys.Count == 0)
        {
            errors.Add(new("ingestion:apiKeys", null, "at least one API key is required (add one or set OPS_API_KEY)"));
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ingestion.ApiKeys.Count; i++)
        {
            var k = ingestion.ApiKeys[i];
            var key = $"ingestion:apiKeys:{i}";
            if (string.IsNullOrWhiteSpace(k.Name))
            {
                errors.Add(new($"{key}:name", Blank(k.Name), "required"));
            }

            // Never echo a key: the message goes to logs and consoles.
            var masked = string.IsNullOrEmpty(k.Key) ? null : $"({k.Key.Length} characters)";
            if ((k.Key?.Length ?? 0) < MinApiKeyLength)
            {
                errors.Add(new($"{key}:key", masked, $"must be at least {MinApiKeyLength} characters"));
            }
            else if (seen.TryGetValue(k.Key!, out var first))
            {
                errors.Add(new($"{key}:key", masked, $"duplicate key, same as ingestion.apiKeys[{first}]"));
            }
            else
            {
                seen[k.Key!] = i;
            }
        }

        if (ingestion.MaxBatchEvents is < 1 or > MaxBatchEventsLimit)
        {
            errors.Add(new("ingestion:maxBatchEvents", Num(ingestion.MaxBatchEvents), $"must be 1–{MaxBatchEventsLimit}"));
        }

        if (ingestion.MaxBatchBytes < 1)
        {
            errors.Add(new("ingestion:maxBatchBytes", Num(ingestion.MaxBatchBytes), "must be greater than 0"));
        }
    }

    private static readonly DayOfWeek[] WeekDays =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    public const int MinWebhookSecretLength = 16;

    private static void ValidateAccess(AccessOptions access, List<ConfigError> errors)
    {
        if (access.SessionHours is < 1 or > 24 * 30)
            errors.Add(new("access:sessionHours", Num(access.SessionHours), "must be 1–720"));
        if (access.LockoutAttempts is < 1 or > 100)
            errors.Add(new("access:lockoutAttempts", Num(access.LockoutAttempts), "must be 1–100"));
        if (access.LockoutMinutes is < 1 or > 24 * 60)
            errors.Add(new("access:lockoutMinutes", Num(access.LockoutMinutes), "must be 1–1440"));
        if (access.MinPasswordLength is < 8 or > 128)
            errors.Add(new("access:minPasswordLength", Num(access.MinPasswordLength), "must be 8–128"));
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < access.DemoUsers.Count; i++)
        {
            var u = access.DemoUsers[i];
            var key = $"access:demoUsers:{i}";
            if (string.IsNullOrWhiteSpace(u.UserName))
                errors.Add(new($"{key}:userName", Blank(u.UserName), "required"));
            else if (!seen.Add(u.UserName))
                errors.Add(new($"{key}:userName", u.UserName, "duplicate user name"));
            if (!Roles.TryParse(u.Role, out _))
                errors.Add(new($"{key}:role", Blank(u.Role), $"must be one of {Roles.Names}"));
            // Never echo a password.
            if (u.Password.Length < access.MinPasswordLength)
                errors.Add(new($"{key}:password", u.Password.Length == 0 ? null : "(hidden)", $"must have at least {access.MinPasswordLength} characters"));
        }
    }

    private static void ValidateWebhooks(WebhookOptions webhooks, List<ConfigError> errors)
    {
        if (webhooks.MaxAttempts is < 1 or > 20)
            errors.Add(new("webhooks:maxAttempts", Num(webhooks.MaxAttempts), "must be 1–20"));
        if (webhooks.FirstRetryDelayMilliseconds is < 1 or > 600_000)
            errors.Add(new("webhooks:firstRetryDelayMilliseconds", Num(webhooks.FirstRetryDelayMilliseconds), "must be 1–600000"));
        if (webhooks.TimeoutSeconds is < 1 or > 300)
            errors.Add(new("webhooks:timeoutSeconds", Num(webhooks.TimeoutSeconds), "must be 1–300"));
        foreach (var (list, targets) in new[] { ("control", webhooks.Control), ("targets", webhooks.Targets) })
        for (var i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            var key = $"webhooks:{list}:{i}";
            if (string.IsNullOrWhiteSpace(t.Name))
                errors.Add(new($"{key}:name", Blank(t.Name), "required"));
            if (!Uri.TryCreate(t.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                errors.Add(new($"{key}:url", Blank(t.Url), "must be an absolute http or https URL"));
            if (t.Secret.Length < MinWebhookSecretLength)
                errors.Add(new($"{key}:secret", t.Secret.Length == 0 ? null : "(hidden)", $"must have at least {MinWebhookSecretLength} characters"));
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex AlarmRuleIdPattern();

    /// <summary>
    /// Checks config/alarms.json against the configured queues (queue ids, and SL targets where a
    /// serviceLevelBelow rule takes its threshold from the queue). <see cref="AlarmOptions.Compile"/> uses it too.
    /// </summary>
    public static IReadOnlyList<ConfigError> ValidateAlarms(AlarmOptions alarms, IReadOnlyList<QueueOptions> queues)
    {
        var errors = new List<ConfigError>();
        if (alarms.AcknowledgeWithinMinutes is < 1 or > 24 * 60)
            errors.Add(new("alarms:acknowledgeWithinMinutes", Num(alarms.AcknowledgeWithinMinutes), "must be 1–1440"));
        if (alarms.EvaluateEverySeconds is < 1 or > 300)
            errors.Add(new("alarms:evaluateEverySeconds", Num(alarms.EvaluateEverySeconds), "must be 1–300"));
        CheckNames(alarms.EscalationTargets, "alarms:escalationTargets", "required (the name of a webhook target)", errors);
        CheckNames(alarms.NotifyTargets, "alarms:notifyTargets", "required (the name of a webhook target)", errors);

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < alarms.Rules.Count; i++)
        {
            ValidateAlarmRule(alarms.Rules[i], $"alarms:rules:{i}", i, seen, queues, errors);
        }
        return errors;
    }

    private static void ValidateAlarmRule(AlarmRuleOptions r, string key, int index, Dictionary<string, int> seen,
        IReadOnlyList<QueueOptions> queues, List<ConfigError> errors)
    {
        if (string.IsNullOrEmpty(r.Id))
            errors.Add(new($"{key}:id", Blank(r.Id), "required"));
        else if (!AlarmRuleIdPattern().IsMatch(r.Id))
            errors.Add(new($"{key}:id", r.Id, "must match ^[a-z0-9][a-z0-9-]{0,63}$ (lower-case letters, digits and '-')"));
        else if (seen.TryGetValue(r.Id, out var first))
            errors.Add(new($"{key}:id", r.Id, $"duplicate rule id, already used by alarms.rules[{first}]"));
        else
            seen[r.Id] = index;

        if (string.IsNullOrWhiteSpace(r.Name))
            errors.Add(new($"{key}:name", Blank(r.Name), "required"));
        if (!AlarmKinds.TryParseSeverity(r.Severity, out _))
            errors.Add(new($"{key}:severity", Blank(r.Severity), $"must be one of {AlarmKinds.SeverityNames}"));
        if (r.ForSeconds is < 0 or > 86_400)
            errors.Add(new($"{key}:forSeconds", Num(r.ForSeconds), "must be 0–86400"));
        if (r.ClearForSeconds is < 0 or > 86_400)
            errors.Add(new($"{key}:clearForSeconds", Num(r.ClearForSeconds.Value), "must be 0–86400"));

        if (!AlarmKinds.TryParse(r.Kind, out var kind))
        {
            errors.Add(new($"{key}:kind", Blank(r.Kind), $"must be one of {AlarmKinds.Names}"));
            // Everything else depends on the kind; checking it against a guess would only add noise.
            return;
        }

        if (kind.UsesWindow())
        {
            if (r.WindowMinutes is < 15 or > 240)
                errors.Add(new($"{key}:windowMinutes", Num(r.WindowMinutes.Value), "must be 15–240"));
        }
        else if (r.WindowMinutes is { } window)
        {
            errors.Add(new($"{key}:windowMinutes", Num(window), $"not used by {kind.Name()} (only by serviceLevelBelow and abandonRateAbove)"));
        }

        if (r.MinVolume is { } minVolume)
        {
            if (kind != AlarmKind.ForecastDeviation)
                errors.Add(new($"{key}:minVolume", Num(minVolume), $"not used by {kind.Name()} (only by forecastDeviation)"));
            else if (!(minVolume >= 0 && minVolume <= 100_000))
                errors.Add(new($"{key}:minVolume", Num(minVolume), "must be 0–100000 (contacts)"));
        }

        var scope = new List<QueueOptions>();
        if (kind.WatchesQueues())
        {
            if (r.Sources.Count > 0)
                errors.Add(new($"{key}:sources", string.Join(", ", r.Sources), $"not used by {kind.Name()} (only by sourceSilent)"));
            scope = AlarmQueues(r, kind, key, queues, errors);
        }
        else
        {
            if (r.Queues.Count > 0)
                errors.Add(new($"{key}:queues", string.Join(", ", r.Queues), "not used by sourceSilent (it watches sources, see sources)"));
            CheckNames(r.Sources, $"{key}:sources", "required (a source name)", errors);
        }

        if (kind == AlarmKind.NoAgentAvailable)
        {
            // The value is a flag, so the thresholds are fixed: a number here would be ignored.
            if (r.Raise is { } raise)
                errors.Add(new($"{key}:raise", Num(raise), "must be omitted: noAgentAvailable has fixed thresholds (raise 1, clear 0)"));
            if (r.Clear is { } clear)
                errors.Add(new($"{key}:clear", Num(clear), "must be omitted: noAgentAvailable has fixed thresholds (raise 1, clear 0)"));
            return;
        }

        var (max, unit) = kind switch
        {
            AlarmKind.WaitingAbove => (10_000.0, "contacts"),
            AlarmKind.LongestWaitAbove => (604_800.0, "seconds"),
            AlarmKind.SourceSilent => (1440.0, "minutes"),
            AlarmKind.ForecastDeviation => (1000.0, "percent"),
            _ => (100.0, "percent"),
        };
        var raiseOk = true;
        if (r.Raise is { } raiseValue)
        {
            if (!(raiseValue > 0 && raiseValue <= max))
            {
                errors.Add(new($"{key}:raise", Num(raiseValue), $"must be greater than 0 and at most {Num(max)} ({unit})"));
                raiseOk = false;
            }
        }
        else if (kind != AlarmKind.ServiceLevelBelow)
        {
            errors.Add(new($"{key}:raise", null, $"required for {kind.Name()} ({unit})"));
            raiseOk = false;
        }

        if (r.Clear is not { } clearValue)
            return;
        var clearMax = kind.Direction() == AlarmDirection.Below ? 100 : max;
        if (!(clearValue >= 0 && clearValue <= clearMax))
        {
            errors.Add(new($"{key}:clear", Num(clearValue), $"must be 0–{Num(clearMax)} ({unit})"));
            return;
        }
        if (!raiseOk)
            return;

        // The clear threshold must lie on the good side of raise, otherwise both would hold at once.
        if (kind.Direction() == AlarmDirection.Above)
        {
            if (clearValue >= r.Raise!.Value)
                errors.Add(new($"{key}:clear", Num(clearValue), $"must be below raise ({Num(r.Raise.Value)})"));
        }
        else if (r.Raise is { } slRaise)
        {
            if (clearValue <= slRaise)
                errors.Add(new($"{key}:clear", Num(clearValue), $"must be above raise ({Num(slRaise)})"));
        }
        else
        {
            // A queue whose target is itself invalid is reported in queues.json, not again here.
            var bad = scope.Where(q => q.SlTargetPercent is >= 0 and <= 100 && clearValue <= q.SlTargetPercent).Select(q => $"{q.Id} {Num(q.SlTargetPercent)}").ToList();
            if (bad.Count > 0)
                errors.Add(new($"{key}:clear", Num(clearValue), $"must be above raise, which is the queue's SL target ({string.Join(", ", bad)})"));
        }
    }

    /// <summary>The queues a queue rule watches; reports unknown and repeated ids.</summary>
    private static List<QueueOptions> AlarmQueues(AlarmRuleOptions r, AlarmKind kind, string key, IReadOnlyList<QueueOptions> queues, List<ConfigError> errors)
    {
        if (r.Queues.Count == 0)
            return queues.Where(q => kind != AlarmKind.NoAgentAvailable || q.IsAlwaysOpen).ToList();

        var scope = new List<QueueOptions>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < r.Queues.Count; j++)
        {
            var id = r.Queues[j];
            var queue = queues.FirstOrDefault(q => string.Equals(q.Id, id, StringComparison.Ordinal));
            if (queue is null)
                errors.Add(new($"{key}:queues:{j}", Blank(id), $"unknown queue id (known: {string.Join(", ", queues.Select(q => q.Id))})"));
            else if (!listed.Add(id))
                errors.Add(new($"{key}:queues:{j}", id, "listed twice"));
            else if (kind == AlarmKind.NoAgentAvailable && !queue.IsAlwaysOpen)
                errors.Add(new($"{key}:queues:{j}", id, "noAgentAvailable watches 24/7 queues only; this queue has business hours"));
            else
                scope.Add(queue);
        }
        return scope;
    }

    private static void CheckNames(List<string> names, string key, string required, List<ConfigError> errors)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
                errors.Add(new($"{key}:{i}", Blank(names[i]), required));
            else if (!listed.Add(names[i]))
                errors.Add(new($"{key}:{i}", names[i], "listed twice"));
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Num(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
