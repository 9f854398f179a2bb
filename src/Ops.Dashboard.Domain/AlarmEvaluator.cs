namespace Ops.Dashboard.Domain;

/// <summary>
/// The current value of one rule for one subject (a queue id, or a source name for sourceSilent).
/// <see cref="Value"/> null (or NaN) means no data now: the state is kept and no timer moves.
/// </summary>
public sealed record AlarmSignal(string RuleId, string Subject, double? Value);

public enum AlarmChange { Raised, Cleared }

/// <summary>
/// An alarm was raised or cleared. <see cref="At"/> is the evaluation that decided it;
/// <see cref="ConditionSince"/> is when the raise (or clear) condition started to hold, i.e.
/// <c>At − ConditionSince</c> ≥ forSeconds (clearForSeconds), less any time without data.
/// </summary>
[GenerateSerializer, Immutable, Alias("ops.alarm-transition")]
public sealed record AlarmTransition(
    [property: Id(0)] string RuleId,
    [property: Id(1)] string Subject,
    [property: Id(2)] AlarmChange Change,
    [property: Id(3)] double Value,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] DateTimeOffset ConditionSince);

/// <summary>
/// The evaluator's memory of one (rule, subject), for persisting across restarts.
/// <see cref="PendingSince"/>: while not active, since when the raise condition holds; while active,
/// since when the clear condition holds; null when no timer runs. It is moved later by time without
/// data, so <c>now − PendingSince</c> is always the time the condition was seen to hold.
/// <see cref="LastValue"/> and <see cref="ObservedAt"/>: the last signal (value null = it had no data).
/// </summary>
[GenerateSerializer, Immutable, Alias("ops.alarm-condition-state")]
public sealed record AlarmConditionState(
    [property: Id(0)] string RuleId,
    [property: Id(1)] string Subject,
    [property: Id(2)] bool Active,
    [property: Id(3)] DateTimeOffset? PendingSince,
    [property: Id(4)] double? LastValue,
    [property: Id(5)] DateTimeOffset? ObservedAt = null);

/// <summary>
/// Turns a stream of current values into alarm transitions, per (rule, subject):
/// Normal → raise condition holds → pending → held for forSeconds → Active (Raised) → clear condition
/// holds → pending → held for clearForSeconds → Normal (Cleared). A value in the hysteresis band
/// between raise and clear changes nothing but stops a running timer. Pure and deterministic: time
/// comes in as <c>now</c>, so the caller calls <see cref="Evaluate"/> on a timer with fresh values
/// (which also makes time-based rules such as longest wait work). Not thread-safe: one owner (a grain).
/// </summary>
public sealed class AlarmEvaluator
{
    private readonly Dictionary<string, AlarmRule> _rules;
    private readonly Dictionary<(string RuleId, string Subject), AlarmConditionState> _states = [];

    public AlarmEvaluator(IReadOnlyList<AlarmRule> rules)
    {
        _rules = new Dictionary<string, AlarmRule>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (!_rules.TryAdd(rule.Id, rule))
            {
                throw new ArgumentException($"Duplicate alarm rule id '{rule.Id}'.", nameof(rules));
            }
        }
    }

    public IReadOnlyCollection<AlarmRule> Rules => _rules.Values;

    /// <summary>
    /// Applies the signals in order at <paramref name="now"/> and returns the transitions they cause.
    /// Signals for unknown rules, or for subjects the rule does not watch, are ignored; subjects not
    /// reported keep their state; a signal older than the subject's last one is ignored.
    /// </summary>
    public IReadOnlyList<AlarmTransition> Evaluate(DateTimeOffset now, IEnumerable<AlarmSignal> signals)
    {
        var transitions = new List<AlarmTransition>();
        foreach (var signal in signals)
        {
            if (!_rules.TryGetValue(signal.RuleId, out var rule) || rule.ThresholdFor(signal.Subject) is not { } threshold)
            {
                continue;
            }
            var key = (signal.RuleId, signal.Subject);
            var state = _states.GetValueOrDefault(key) ?? new AlarmConditionState(signal.RuleId, signal.Subject, false, null, null);
            if (state.ObservedAt > now)
            {
                continue;
            }
            var value = signal.Value is { } v && !double.IsNaN(v) ? v : (double?)null;
            var (next, transition) = Step(rule, threshold, state, now, value);
            _states[key] = next;
            if (transition is not null)
            {
                transitions.Add(transition);
            }
        }
        return transitions;
    }

    public bool IsActive(string ruleId, string subject) => _states.TryGetValue((ruleId, subject), out var s) && s.Active;

    /// <summary>Every (rule, subject) seen so far, ordered by rule id then subject.</summary>
    public IReadOnlyList<AlarmConditionState> Export() =>
        _states.Values.OrderBy(s => s.RuleId, StringComparer.Ordinal).ThenBy(s => s.Subject, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Replaces the whole state with <paramref name="states"/> (from <see cref="Export"/>). States of
    /// rules or subjects no longer configured are dropped: those alarms end with the rule.
    /// </summary>
    public void Import(IEnumerable<AlarmConditionState> states)
    {
        _states.Clear();
        foreach (var s in states)
        {
            if (_rules.TryGetValue(s.RuleId, out var rule) && rule.ThresholdFor(s.Subject) is not null)
            {
                _states[(s.RuleId, s.Subject)] = s;
            }
        }
    }

    private static (AlarmConditionState Next, AlarmTransition? Transition) Step(
        AlarmRule rule, AlarmThreshold threshold, AlarmConditionState state, DateTimeOffset now, double? value)
    {
        var pending = state.PendingSince;
        // Time is counted only between two signals that both had data; otherwise the timer pauses.
        if (pending is { } since && state.ObservedAt is { } last && (value is null || state.LastValue is null))
        {
            pending = since + (now - last);
        }
        var observed = state with { PendingSince = pending, LastValue = value, ObservedAt = now };
        if (value is not { } v)
        {
            return (observed, null);
        }

        var holds = state.Active ? threshold.ClearHolds(v) : threshold.RaiseHolds(v);
        if (!holds)
        {
            // Back on the other side or inside the band: the condition did not hold continuously.
            return (observed with { PendingSince = null }, null);
        }

        var start = pending ?? now;
        if (now - start < (state.Active ? rule.ClearFor : rule.For))
        {
            return (observed with { PendingSince = start }, null);
        }
        var change = state.Active ? AlarmChange.Cleared : AlarmChange.Raised;
        return (observed with { Active = !state.Active, PendingSince = null },
            new AlarmTransition(rule.Id, state.Subject, change, v, now, start));
    }
}

/// <summary>
/// The values alarm rules compare, from plain numbers, for the caller that builds <see cref="AlarmSignal"/>s.
/// Null where the figure is undefined (no contacts, no forecast): the evaluator then keeps its state.
/// </summary>
public static class AlarmSignals
{
    /// <summary>serviceLevelBelow: the DESIGN.md service level (<see cref="Kpi.ServiceLevelPercent"/>), percent.</summary>
    public static double? ServiceLevelPercent(long answeredWithin, long answered, long abandoned, long shortAbandoned) =>
        Kpi.ServiceLevelPercent(new IntervalCounters
        {
            AnsweredWithinThreshold = answeredWithin,
            Answered = answered,
            Abandoned = abandoned,
            ShortAbandoned = shortAbandoned,
        });

    /// <summary>abandonRateAbove: the DESIGN.md abandon rate (<see cref="Kpi.AbandonRatePercent"/>), percent.</summary>
    public static double? AbandonRatePercent(long answered, long abandoned, long shortAbandoned) =>
        Kpi.AbandonRatePercent(new IntervalCounters { Answered = answered, Abandoned = abandoned, ShortAbandoned = shortAbandoned });

    /// <summary>longestWaitAbove: seconds the oldest waiting contact has waited; 0 when nobody waits.</summary>
    public static double LongestWaitSeconds(DateTimeOffset? oldestWaitingSince, DateTimeOffset now) =>
        oldestWaitingSince is { } since ? Math.Max(0, (now - since).TotalSeconds) : 0;

    /// <summary>
    /// forecastDeviation: |actual − forecast| / forecast × 100; null without a forecast or with a
    /// forecast of 0 (any volume would be an infinite deviation).
    /// </summary>
    public static double? DeviationPercent(double actual, double? forecast) =>
        forecast is { } f && f > 0 ? Math.Round(Math.Abs(actual - f) / f * 100, 6) : null;

    /// <summary>
    /// The part of an hour's forecast that should have arrived by <paramref name="now"/> (linear), so
    /// that a partly elapsed hour is compared with a like amount instead of the whole hour's forecast.
    /// </summary>
    public static double? ForecastSoFar(double? hourForecast, DateTimeOffset hourStart, DateTimeOffset now) =>
        hourForecast * Math.Clamp((now - hourStart).TotalHours, 0, 1);

    /// <summary>forecastDeviation: how much of the hour must have passed before it is compared (earlier, a few contacts swing the figure).</summary>
    public static readonly TimeSpan ForecastDeviationMinElapsed = TimeSpan.FromMinutes(15);

    /// <summary>
    /// forecastDeviation: the contacts offered since <paramref name="hourStart"/> against the prorated forecast
    /// (<see cref="ForecastSoFar"/>), percent. Null without a forecast, before <see cref="ForecastDeviationMinElapsed"/>
    /// of the hour has passed, or while the forecast so far is below <paramref name="minVolume"/>.
    /// </summary>
    public static double? ForecastDeviationPercent(long actualSoFar, double? hourForecast, DateTimeOffset hourStart, DateTimeOffset now, double minVolume)
    {
        if (now - hourStart < ForecastDeviationMinElapsed) return null;
        return ForecastSoFar(hourForecast, hourStart, now) is { } expected && expected >= minVolume ? DeviationPercent(actualSoFar, expected) : null;
    }

    /// <summary>sourceSilent: minutes since the source's last event (0 if that lies in the future).</summary>
    public static double SilentMinutes(DateTimeOffset lastSeen, DateTimeOffset now) => Math.Max(0, (now - lastSeen).TotalMinutes);

    /// <summary>noAgentAvailable: 1 when contacts wait and no agent serving the queue is available, else 0.</summary>
    public static double NoAgentAvailable(int waiting, int available) => waiting > 0 && available <= 0 ? 1 : 0;

    /// <summary>agentErrorEscalations: escalations caused by agent errors today / contacts today, percent.</summary>
    public static double? AgentErrorEscalationPercent(long escalationsByAgentError, long contacts) =>
        contacts > 0 ? Math.Round(escalationsByAgentError * 100.0 / contacts, 6) : null;
}
