using System.Globalization;
using Microsoft.Extensions.Logging;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Grains;

[GenerateSerializer, Alias("ops.alarm-grain-state")]
public sealed class AlarmGrainState
{
    /// <summary>The evaluator's conditions (pending and active), so a restart continues where it stopped.</summary>
    [Id(0)] public List<AlarmConditionState> Conditions { get; set; } = [];
    [Id(1)] public Dictionary<string, AlarmView> Active { get; set; } = [];
    /// <summary>Cleared alarms, newest first (the last <see cref="AlarmGrain.RecentKept"/>).</summary>
    [Id(2)] public List<AlarmView> Recent { get; set; } = [];
    /// <summary>When each source last sent events.</summary>
    [Id(3)] public Dictionary<string, DateTimeOffset> Sources { get; set; } = [];
    [Id(4)] public long NextNumber { get; set; } = 1;
}

/// <summary>
/// The site's alarms. Rules are evaluated whenever the floor changes (the change publisher hands over
/// the queues it published) and on a timer, so time-based rules (longest wait, a silent source) fire
/// without events. An alarm nobody acknowledges within the runbook's time escalates: its severity goes
/// up one step and the escalation targets are notified. Changes go to every node's screens through the
/// change feed and to the notifiers of this silo.
/// </summary>
[GrainType("alarms")]
public sealed class AlarmGrain(
    [PersistentState("alarms", OpsGrainStorage.Name)] IPersistentState<AlarmGrainState> store,
    OpsOptions options,
    TimeProvider time,
    SiteClock clock,
    IForecastExpectations forecasts,
    EventDispatcher dispatcher,
    IEnumerable<IAlarmNotifier> notifiers,
    ILogger<AlarmGrain> logger) : Grain, IAlarmGrain
{
    public const int RecentKept = 200;
    /// <summary>Sources that sent within this long count as "normally sending" for rules that name none.</summary>
    public static readonly TimeSpan SourceMemory = TimeSpan.FromHours(24);
    private static readonly TimeSpan WindowRefresh = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ConditionsSaveEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReplayRecent = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReplayBehind = TimeSpan.FromMinutes(30);

    private AlarmEvaluator _evaluator = null!;
    private Dictionary<string, AlarmRule> _rules = [];
    private readonly Dictionary<string, QueueLive> _queues = new(StringComparer.Ordinal);
    // Counters of each queue over each rule window ("minutes|queue"), refreshed every WindowRefresh.
    private readonly Dictionary<string, IntervalCounters> _windows = new(StringComparer.Ordinal);
    // Contacts offered this local hour and its forecast, per queue of a forecastDeviation rule, refreshed with the windows.
    private readonly Dictionary<string, HourVolume> _hours = new(StringComparer.Ordinal);
    private DateTimeOffset _windowsAt = DateTimeOffset.MinValue;
    private DateTimeOffset _conditionsSavedAt = DateTimeOffset.MinValue;
    private AlarmGrainState S => store.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var rules = options.Alarms.Compile(options);
        _rules = rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        _evaluator = new AlarmEvaluator(rules);
        _evaluator.Import(S.Conditions);
        // Alarms of rules or queues no longer configured cannot clear by themselves.
        foreach (var stale in S.Active.Values.Where(a => !_evaluator.IsActive(a.RuleId, a.Subject)).ToList())
            Close(stale, time.GetUtcNow(), []);
        await RefreshQueuesAsync();
        this.RegisterGrainTimer(ct => EvaluateCoreAsync(refreshWindows: true),
            new GrainTimerCreationOptions(options.Alarms.EvaluateEvery, options.Alarms.EvaluateEvery) { KeepAlive = true });
    }

    public Task ObserveAsync(IReadOnlyList<QueueLive> queues)
    {
        foreach (var q in queues) _queues[q.Snapshot.Queue] = q;
        return EvaluateCoreAsync(refreshWindows: false);
    }

    public async Task NoteSourcesAsync(IReadOnlyDictionary<string, DateTimeOffset> lastSeen)
    {
        var changed = false;
        foreach (var (source, at) in lastSeen)
        {
            if (S.Sources.TryGetValue(source, out var known) && known >= at) continue;
            S.Sources[source] = at;
            changed = true;
        }
        if (changed) await store.WriteStateAsync();
    }

    public async Task<AlarmView?> AcknowledgeAsync(string id, string by)
    {
        if (!S.Active.TryGetValue(id, out var alarm)) return null;
        if (alarm.AcknowledgedAt is not null) return alarm;
        var now = time.GetUtcNow();
        alarm = alarm with { AcknowledgedBy = by, AcknowledgedAt = now };
        S.Active[id] = alarm;
        await PersistAndPublishAsync([new AlarmUpdate(AlarmChanges.Acknowledged, alarm, now)], now);
        return alarm;
    }

    public Task<IReadOnlyList<AlarmView>> ListActiveAsync() =>
        Task.FromResult<IReadOnlyList<AlarmView>>([.. S.Active.Values.OrderBy(a => a.RaisedAt).ThenBy(a => a.Id, StringComparer.Ordinal)]);

    public Task<IReadOnlyList<AlarmView>> RecentAsync(int max) =>
        Task.FromResult<IReadOnlyList<AlarmView>>([.. S.Active.Values.Concat(S.Recent).OrderByDescending(a => a.RaisedAt).Take(Math.Clamp(max, 1, RecentKept))]);

    public Task<AlarmView?> GetAsync(string id) =>
        Task.FromResult(S.Active.GetValueOrDefault(id) ?? S.Recent.FirstOrDefault(a => a.Id == id));

    public Task EvaluateAsync() => EvaluateCoreAsync(refreshWindows: true);

    private async Task EvaluateCoreAsync(bool refreshWindows)
    {
        var now = time.GetUtcNow();
        // While history or a backfill is applied the figures show the past: nothing to judge against now.
        if (dispatcher.IsReplaying(now, ReplayRecent, ReplayBehind)) return;
        if (refreshWindows)
        {
            // The timer does not rely on the change publisher: it reads the queues itself.
            await RefreshQueuesAsync();
            if (now - _windowsAt >= WindowRefresh) await RefreshWindowsAsync(now);
        }

        var updates = new List<AlarmUpdate>();
        foreach (var t in _evaluator.Evaluate(now, Signals(now)))
        {
            if (!_rules.TryGetValue(t.RuleId, out var rule)) continue;
            if (t.Change == Domain.AlarmChange.Raised) Raise(rule, t, now, updates);
            else if (S.Active.Values.FirstOrDefault(a => a.RuleId == t.RuleId && a.Subject == t.Subject) is { } active) Close(active, now, updates);
        }
        Escalate(now, updates);

        if (updates.Count > 0 || now - _conditionsSavedAt >= ConditionsSaveEvery)
            await PersistAndPublishAsync(updates, now);
    }

    private void Raise(AlarmRule rule, AlarmTransition t, DateTimeOffset now, List<AlarmUpdate> updates)
    {
        if (S.Active.Values.Any(a => a.RuleId == rule.Id && a.Subject == t.Subject)) return;
        var queue = rule.Kind.WatchesQueues() ? t.Subject : null;
        var threshold = rule.ThresholdFor(t.Subject)?.Raise ?? double.NaN;
        var alarm = new AlarmView(
            $"{rule.Id}.{t.Subject}.{S.NextNumber++}", rule.Id, rule.Name, rule.Kind.Name(), t.Subject, queue,
            rule.Severity.Name(), now, t.Value, threshold, Message(rule, t.Subject, queue, t.Value, threshold, now),
            null, null, false, null, null);
        S.Active[alarm.Id] = alarm;
        updates.Add(new AlarmUpdate(AlarmChanges.Raised, alarm, now));
    }

    private void Close(AlarmView alarm, DateTimeOffset now, List<AlarmUpdate> updates)
    {
        var cleared = alarm with { ClearedAt = now };
        S.Active.Remove(alarm.Id);
        S.Recent.Insert(0, cleared);
        if (S.Recent.Count > RecentKept) S.Recent.RemoveRange(RecentKept, S.Recent.Count - RecentKept);
        updates.Add(new AlarmUpdate(AlarmChanges.Cleared, cleared, now));
    }

    /// <summary>The runbook: an alarm is acknowledged within the set time, or it goes up a level.</summary>
    private void Escalate(DateTimeOffset now, List<AlarmUpdate> updates)
    {
        foreach (var alarm in S.Active.Values.ToList())
        {
            if (alarm.AcknowledgedAt is not null || alarm.Escalated || now - alarm.RaisedAt < options.Alarms.AcknowledgeWithin) continue;
            AlarmKinds.TryParseSeverity(alarm.Severity, out var severity);
            var up = severity == AlarmSeverity.Critical ? severity : severity + 1;
            var escalated = alarm with { Severity = up.Name(), Escalated = true, EscalatedAt = now };
            S.Active[alarm.Id] = escalated;
            updates.Add(new AlarmUpdate(AlarmChanges.Escalated, escalated, now));
        }
    }

    private async Task PersistAndPublishAsync(IReadOnlyList<AlarmUpdate> updates, DateTimeOffset now)
    {
        S.Conditions = [.. _evaluator.Export()];
        await store.WriteStateAsync();
        _conditionsSavedAt = now;
        if (updates.Count == 0) return;
        foreach (var u in updates)
        {
            logger.LogInformation("Alarm {Change}: {Message} ({Severity})", u.Change, u.Alarm.Message, u.Alarm.Severity);
            foreach (var notifier in notifiers)
            {
                try
                {
                    notifier.Notify(u);
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Alarm notifier {Notifier} failed", notifier.GetType().Name);
                }
            }
        }
        try
        {
            await GrainFactory.GetGrain<IChangeFeedGrain>(0).PublishAsync(new ChangeBatch(0, now, [], [], updates));
        }
        catch (Exception ex)
        {
            // The alarms stand in the grain's state; screens load them on their next (re)start.
            logger.LogWarning(ex, "Publishing alarm changes to the screens failed");
        }
    }

    private IEnumerable<AlarmSignal> Signals(DateTimeOffset now)
    {
        foreach (var rule in _rules.Values)
        {
            if (rule.Kind == AlarmKind.SourceSilent)
            {
                var sources = rule.Sources.Count > 0
                    ? rule.Sources
                    : S.Sources.Where(s => now - s.Value <= SourceMemory).Select(s => s.Key).ToList();
                foreach (var source in sources)
                    yield return new AlarmSignal(rule.Id, source,
                        S.Sources.TryGetValue(source, out var seen) ? AlarmSignals.SilentMinutes(seen, now) : null);
                continue;
            }
            foreach (var queue in rule.Thresholds.Keys)
                yield return new AlarmSignal(rule.Id, queue, QueueValue(rule, queue, now));
        }
    }

    private double? QueueValue(AlarmRule rule, string queue, DateTimeOffset now)
    {
        if (!_queues.TryGetValue(queue, out var live)) return null;
        var s = live.Snapshot;
        var window = rule.Window is { } w ? _windows.GetValueOrDefault(WindowKey(w, queue)) : null;
        return rule.Kind switch
        {
            AlarmKind.WaitingAbove => s.Waiting,
            AlarmKind.LongestWaitAbove => AlarmSignals.LongestWaitSeconds(s.OldestWaitingSince, now),
            AlarmKind.NoAgentAvailable => AlarmSignals.NoAgentAvailable(s.Waiting, live.Agents.Available),
            AlarmKind.ServiceLevelBelow => window is null ? null
                : AlarmSignals.ServiceLevelPercent(window.AnsweredWithinThreshold, window.Answered, window.Abandoned, window.ShortAbandoned),
            AlarmKind.AbandonRateAbove => window is null ? null
                : AlarmSignals.AbandonRatePercent(window.Answered, window.Abandoned, window.ShortAbandoned),
            AlarmKind.AgentErrorEscalations => AlarmSignals.AgentErrorEscalationPercent(s.Today.AgentErrorEscalations, s.Today.Offered),
            AlarmKind.ForecastDeviation => ThisHour(queue, now) is { } h
                ? AlarmSignals.ForecastDeviationPercent(h.Offered, h.Forecast, h.HourStart, now, rule.MinVolume) : null,
            _ => null,
        };
    }

    private async Task RefreshQueuesAsync()
    {
        var snapshots = await Task.WhenAll(options.Queues.Select(q => GrainFactory.GetGrain<IQueueGrain>(q.Id).GetSnapshotAsync()));
        var counts = await GrainFactory.GetGrain<IAgentDirectoryGrain>(0).CountsByQueueAsync();
        foreach (var s in snapshots) _queues[s.Queue] = new QueueLive(s, counts.GetValueOrDefault(s.Queue) ?? AgentCounts.None);
    }

    /// <summary>Counters of the 15-minute intervals that started within each rule's window.</summary>
    private async Task RefreshWindowsAsync(DateTimeOffset now)
    {
        var needed = _rules.Values.Where(r => r.Window is not null)
            .SelectMany(r => r.Thresholds.Keys.Select(q => (Window: r.Window!.Value, Queue: q)))
            .Distinct().ToList();
        var rows = await Task.WhenAll(needed.Select(n => GrainFactory.GetGrain<IQueueGrain>(n.Queue).GetIntervalsAsync(now - n.Window, now)));
        for (var i = 0; i < needed.Count; i++)
            _windows[WindowKey(needed[i].Window, needed[i].Queue)] = rows[i].Aggregate(IntervalCounters.Zero, (sum, r) => sum + r.Counters);

        var hourStart = clock.LocalHourStart(now);
        var forecastQueues = _rules.Values.Where(r => r.Kind == AlarmKind.ForecastDeviation).SelectMany(r => r.Thresholds.Keys).Distinct().ToList();
        var hours = await Task.WhenAll(forecastQueues.Select(q => HourVolumeAsync(q, hourStart)));
        for (var i = 0; i < forecastQueues.Count; i++) _hours[forecastQueues[i]] = hours[i];
        _windowsAt = now;
    }

    /// <summary>The contacts offered to the queue in the local hour so far (its 15-minute intervals) and the hour's forecast.</summary>
    private async Task<HourVolume> HourVolumeAsync(string queue, DateTimeOffset hourStart)
    {
        var rows = await GrainFactory.GetGrain<IQueueGrain>(queue).GetIntervalsAsync(hourStart, hourStart.AddHours(1));
        double? forecast;
        try
        {
            forecast = await forecasts.ExpectedThisHourAsync(queue, hourStart);
        }
        catch (Exception ex)
        {
            // A broken model must not stop the other rules; this one just has no signal.
            logger.LogWarning(ex, "Reading the forecast of {Queue} for the deviation alarm failed", queue);
            forecast = null;
        }
        return new HourVolume(hourStart, rows.Sum(r => r.Counters.Offered), forecast);
    }

    /// <summary>The queue's figures of the current local hour; null when they are of an earlier hour (not refreshed yet).</summary>
    private HourVolume? ThisHour(string queue, DateTimeOffset now) =>
        _hours.TryGetValue(queue, out var h) && h.HourStart == clock.LocalHourStart(now) ? h : null;

    private sealed record HourVolume(DateTimeOffset HourStart, long Offered, double? Forecast);

    private static string WindowKey(TimeSpan window, string queue) => $"{(int)window.TotalMinutes}|{queue}";

    private string Message(AlarmRule rule, string subject, string? queue, double value, double threshold, DateTimeOffset now)
    {
        var what = queue is null ? $"source '{subject}'" : options.FindQueue(queue)?.Name ?? queue;
        var unit = rule.Kind.Unit();
        static string Count(double? v) => (v ?? 0).ToString("0", CultureInfo.InvariantCulture);
        string Figure(double v) => (unit == "%" ? v.ToString("0.0", CultureInfo.InvariantCulture) : v.ToString("0", CultureInfo.InvariantCulture))
            + (unit.Length == 0 ? "" : unit == "%" ? " %" : " " + unit);
        return rule.Kind switch
        {
            AlarmKind.NoAgentAvailable => $"{what}: {rule.Name} — contacts waiting and no agent available",
            AlarmKind.ServiceLevelBelow => $"{what}: {rule.Name} — {Figure(value)} over {(int)rule.Window!.Value.TotalMinutes} min (alarm below {Figure(threshold)})",
            AlarmKind.AbandonRateAbove => $"{what}: {rule.Name} — {Figure(value)} over {(int)rule.Window!.Value.TotalMinutes} min (alarm at {Figure(threshold)})",
            AlarmKind.ForecastDeviation when queue is not null && ThisHour(queue, now) is { } h =>
                $"{what}: {rule.Name} — {h.Offered} contacts this hour so far, forecast {Count(AlarmSignals.ForecastSoFar(h.Forecast, h.HourStart, now))} by now "
                + $"({Count(h.Forecast)} for the hour): {Figure(value)} off (alarm at {Figure(threshold)})",
            _ => $"{what}: {rule.Name} — {Figure(value)} (alarm at {Figure(threshold)})",
        };
    }
}
