namespace Ops.Dashboard.Domain;

/// <summary>What an alarm rule watches; config spells it as <see cref="AlarmKinds.Name(AlarmKind)"/> (camelCase).</summary>
public enum AlarmKind
{
    /// <summary>Service level over the last window, percent; raised below the threshold.</summary>
    ServiceLevelBelow,
    /// <summary>Contacts waiting now.</summary>
    WaitingAbove,
    /// <summary>Longest wait now, seconds.</summary>
    LongestWaitAbove,
    /// <summary>Abandon rate over the last window, percent.</summary>
    AbandonRateAbove,
    /// <summary>1 while contacts wait on a 24/7 queue and no agent serving it is available, else 0.</summary>
    NoAgentAvailable,
    /// <summary>Minutes since a source last sent an event; the subject is the source name.</summary>
    SourceSilent,
    /// <summary>This hour's |actual − forecast| / forecast, percent.</summary>
    ForecastDeviation,
    /// <summary>Escalations caused by agent errors today, percent of today's contacts.</summary>
    AgentErrorEscalations,
}

public enum AlarmSeverity { Info, Warning, Critical }

/// <summary>On which side of the raise threshold the bad values lie.</summary>
public enum AlarmDirection { Above, Below }

public static class AlarmKinds
{
    public static readonly string Names = string.Join(", ", Enum.GetValues<AlarmKind>().Select(k => k.Name()));

    public static readonly string SeverityNames = string.Join(", ", Enum.GetValues<AlarmSeverity>().Select(s => s.Name()));

    public static string Name(this AlarmKind kind)
    {
        var text = kind.ToString();
        return char.ToLowerInvariant(text[0]) + text[1..];
    }

    public static string Name(this AlarmSeverity severity) => severity.ToString().ToLowerInvariant();

    /// <summary>Accepts exactly the config names (serviceLevelBelow, ...); numbers and other spellings are rejected.</summary>
    public static bool TryParse(string? text, out AlarmKind kind)
    {
        foreach (var k in Enum.GetValues<AlarmKind>())
        {
            if (k.Name() == text)
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>Accepts exactly info, warning, critical.</summary>
    public static bool TryParseSeverity(string? text, out AlarmSeverity severity)
    {
        foreach (var s in Enum.GetValues<AlarmSeverity>())
        {
            if (s.Name() == text)
            {
                severity = s;
                return true;
            }
        }
        severity = default;
        return false;
    }

    public static AlarmDirection Direction(this AlarmKind kind) =>
        kind == AlarmKind.ServiceLevelBelow ? AlarmDirection.Below : AlarmDirection.Above;

    /// <summary>The kinds measured over a sliding window (<c>windowMinutes</c>).</summary>
    public static bool UsesWindow(this AlarmKind kind) => kind is AlarmKind.ServiceLevelBelow or AlarmKind.AbandonRateAbove;

    /// <summary>Every kind but sourceSilent has one subject per queue.</summary>
    public static bool WatchesQueues(this AlarmKind kind) => kind != AlarmKind.SourceSilent;

    /// <summary>The unit of the value and thresholds, for messages and screens.</summary>
    public static string Unit(this AlarmKind kind) => kind switch
    {
        AlarmKind.WaitingAbove => "contacts",
        AlarmKind.LongestWaitAbove => "s",
        AlarmKind.SourceSilent => "min",
        AlarmKind.NoAgentAvailable => "",
        _ => "%",
    };
}

/// <summary>
/// Alarm rules and the runbook settings around them (config/alarms.json, section "alarms"). Values stay
/// as written, like the rest of <see cref="OpsOptions"/>; <see cref="Compile"/> gives the typed rules.
/// </summary>
public sealed class AlarmOptions
{
    public const int DefaultWindowMinutes = 30;

    /// <summary>forecastDeviation: the forecast contacts so far this hour below which the rule has no signal.</summary>
    public const double DefaultMinVolume = 20;

    public List<AlarmRuleOptions> Rules { get; set; } = [];

    /// <summary>The handbook's runbook: an alarm is acknowledged by the shift lead within 15 minutes.</summary>
    public int AcknowledgeWithinMinutes { get; set; } = 15;

    /// <summary>Names of webhook targets that unacknowledged alarms escalate to.</summary>
    public List<string> EscalationTargets { get; set; } = [];

    /// <summary>Names of webhook targets (config/webhooks.json, <c>targets</c>) that hear of every alarm change.</summary>
    public List<string> NotifyTargets { get; set; } = [];

    /// <summary>How often the caller feeds current values to the evaluator.</summary>
    public int EvaluateEverySeconds { get; set; } = 5;

    public TimeSpan AcknowledgeWithin => TimeSpan.FromMinutes(AcknowledgeWithinMinutes);

    public TimeSpan EvaluateEvery => TimeSpan.FromSeconds(EvaluateEverySeconds);

    /// <summary>
    /// The typed rules, in config order. Thresholds that depend on the queue (a serviceLevelBelow rule
    /// without <c>raise</c> uses each queue's SL target) are resolved here, per subject, so the
    /// evaluator only compares numbers. Throws when <see cref="OpsOptionsValidator.ValidateAlarms"/>
    /// finds a problem, so an unvalidated configuration cannot slip through.
    /// </summary>
    public IReadOnlyList<AlarmRule> Compile(OpsOptions site)
    {
        var errors = OpsOptionsValidator.ValidateAlarms(this, site.Queues);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The alarm rules are not valid: " + string.Join("; ", errors));
        }
        return Rules.Select(r => Compile(r, site)).ToList();
    }

    private static AlarmRule Compile(AlarmRuleOptions r, OpsOptions site)
    {
        AlarmKinds.TryParse(r.Kind, out var kind);
        AlarmKinds.TryParseSeverity(r.Severity, out var severity);
        var direction = kind.Direction();
        var rule = new AlarmRule
        {
            Id = r.Id,
            Name = r.Name,
            Kind = kind,
            Severity = severity,
            For = TimeSpan.FromSeconds(r.ForSeconds),
            ClearFor = TimeSpan.FromSeconds(r.ClearForSeconds ?? r.ForSeconds),
            Window = kind.UsesWindow() ? TimeSpan.FromMinutes(r.WindowMinutes ?? DefaultWindowMinutes) : null,
            MinVolume = kind == AlarmKind.ForecastDeviation ? r.MinVolume ?? DefaultMinVolume : 0,
        };

        if (kind == AlarmKind.SourceSilent)
        {
            var threshold = new AlarmThreshold(direction, r.Raise!.Value, r.Clear);
            var sources = r.Sources.Distinct(StringComparer.Ordinal).ToList();
            // Without a list every source is expected (the caller picks those seen in the last 24 h).
            return sources.Count == 0
                ? rule with { AnySubject = threshold }
                : rule with { Sources = sources, Thresholds = sources.ToDictionary(s => s, _ => threshold, StringComparer.Ordinal) };
        }

        var queues = r.Queues.Count > 0
            ? r.Queues.Distinct(StringComparer.Ordinal).Select(id => site.FindQueue(id)!).ToList()
            : site.Queues.Where(q => kind != AlarmKind.NoAgentAvailable || q.IsAlwaysOpen).ToList();
        var thresholds = queues.ToDictionary(q => q.Id, q => kind switch
        {
            AlarmKind.NoAgentAvailable => new AlarmThreshold(direction, 1, 0),
            AlarmKind.ServiceLevelBelow => new AlarmThreshold(direction, r.Raise ?? q.SlTargetPercent, r.Clear),
            _ => new AlarmThreshold(direction, r.Raise!.Value, r.Clear),
        }, StringComparer.Ordinal);
        return rule with { Queues = queues.Select(q => q.Id).ToList(), Thresholds = thresholds };
    }
}

/// <summary>One rule as written in config/alarms.json; see <see cref="AlarmRule"/> for the meaning.</summary>
public sealed class AlarmRuleOptions
{
    /// <summary>Unique, lower-case letters, digits and '-'; transitions and acknowledgements refer to it.</summary>
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>An <see cref="AlarmKind"/> config name, e.g. "serviceLevelBelow".</summary>
    public string Kind { get; set; } = "";

    /// <summary>Queue ids; empty = every queue (every 24/7 queue for noAgentAvailable). Not for sourceSilent.</summary>
    public List<string> Queues { get; set; } = [];

    /// <summary>info, warning or critical.</summary>
    public string Severity { get; set; } = "warning";

    /// <summary>The threshold in the kind's unit; optional for serviceLevelBelow (queue's SL target), not set for noAgentAvailable.</summary>
    public double? Raise { get; set; }

    /// <summary>Optional; on the good side of raise. Omitted: clears once the raise condition no longer holds.</summary>
    public double? Clear { get; set; }

    /// <summary>How long the raise condition must hold continuously before the alarm is raised.</summary>
    public int ForSeconds { get; set; } = 60;

    /// <summary>How long the clear condition must hold before the alarm clears; default = forSeconds.</summary>
    public int? ClearForSeconds { get; set; }

    /// <summary>serviceLevelBelow and abandonRateAbove only: the sliding window, 15–240, default 30.</summary>
    public int? WindowMinutes { get; set; }

    /// <summary>sourceSilent only: sources that must send; empty = every source seen in the last 24 h.</summary>
    public List<string> Sources { get; set; } = [];

    /// <summary>
    /// forecastDeviation only: the forecast contacts so far this hour below which the rule has no signal,
    /// so that a few contacts more or less in a quiet hour do not raise it; default 20.
    /// </summary>
    public double? MinVolume { get; set; }
}

/// <summary>
/// When a value is bad (<see cref="RaiseHolds"/>) and when it is good again (<see cref="ClearHolds"/>).
/// Values strictly between the two thresholds are the hysteresis band, where neither holds.
/// </summary>
public sealed record AlarmThreshold(AlarmDirection Direction, double Raise, double? Clear)
{
    /// <summary>Above: value ≥ raise. Below: value &lt; raise.</summary>
    public bool RaiseHolds(double value) => Direction == AlarmDirection.Above ? value >= Raise : value < Raise;

    /// <summary>Above: value ≤ clear. Below: value ≥ clear. Without a clear threshold: raise no longer holds.</summary>
    public bool ClearHolds(double value) => Clear is { } clear
        ? Direction == AlarmDirection.Above ? value <= clear : value >= clear
        : !RaiseHolds(value);
}

/// <summary>
/// A validated, typed alarm rule (from <see cref="AlarmOptions.Compile"/>). Thresholds are per subject:
/// a queue id for queue kinds (only the queues in <see cref="Queues"/>), a source name for sourceSilent.
/// Signals for a subject without a threshold are ignored by the evaluator.
/// </summary>
public sealed record AlarmRule
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required AlarmKind Kind { get; init; }

    public AlarmSeverity Severity { get; init; } = AlarmSeverity.Warning;

    public AlarmDirection Direction => Kind.Direction();

    /// <summary>Minimum time the raise condition holds before the alarm is raised.</summary>
    public TimeSpan For { get; init; }

    /// <summary>Minimum time the clear condition holds before the alarm clears.</summary>
    public TimeSpan ClearFor { get; init; }

    /// <summary>The sliding window of serviceLevelBelow and abandonRateAbove; null for the other kinds.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>forecastDeviation: the forecast contacts so far this hour the rule needs for a signal; 0 for the other kinds.</summary>
    public double MinVolume { get; init; }

    /// <summary>The queues the rule watches, in config order (empty for sourceSilent).</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];

    /// <summary>sourceSilent: the sources that must send; empty = any source (see <see cref="AnySubject"/>).</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>Resolved thresholds by subject (queue id or source name).</summary>
    public IReadOnlyDictionary<string, AlarmThreshold> Thresholds { get; init; } = new Dictionary<string, AlarmThreshold>(StringComparer.Ordinal);

    /// <summary>The threshold for subjects not in <see cref="Thresholds"/>; set only for a sourceSilent rule without a source list.</summary>
    public AlarmThreshold? AnySubject { get; init; }

    public AlarmThreshold? ThresholdFor(string subject) => Thresholds.GetValueOrDefault(subject) ?? AnySubject;
}
