using Ops.Dashboard.Domain;
using Orleans.Concurrency;

namespace Ops.Dashboard.Contracts;

/// <summary>An alarm as screens, the API and notifications see it.</summary>
/// <param name="Subject">What the alarm is about: a queue id, or a source name for a silent source.</param>
/// <param name="Queue">The queue, when the subject is one.</param>
/// <param name="Severity">info, warning or critical; one step up after an escalation.</param>
/// <param name="Value">The measured value when it was raised (updated while it stays active).</param>
/// <param name="Threshold">The raise threshold it crossed.</param>
[GenerateSerializer, Immutable, Alias("ops.alarm-view")]
public sealed record AlarmView(
    [property: Id(0)] string Id,
    [property: Id(1)] string RuleId,
    [property: Id(2)] string RuleName,
    [property: Id(3)] string Kind,
    [property: Id(4)] string Subject,
    [property: Id(5)] string? Queue,
    [property: Id(6)] string Severity,
    [property: Id(7)] DateTimeOffset RaisedAt,
    [property: Id(8)] double Value,
    [property: Id(9)] double Threshold,
    [property: Id(10)] string Message,
    [property: Id(11)] string? AcknowledgedBy,
    [property: Id(12)] DateTimeOffset? AcknowledgedAt,
    [property: Id(13)] bool Escalated,
    [property: Id(14)] DateTimeOffset? EscalatedAt,
    [property: Id(15)] DateTimeOffset? ClearedAt)
{
    public bool Active => ClearedAt is null;
}

/// <summary>The wire names of alarm changes (also the hub's method names without the "Alarm" prefix).</summary>
public static class AlarmChanges
{
    public const string Raised = "raised";
    public const string Acknowledged = "acknowledged";
    public const string Escalated = "escalated";
    public const string Cleared = "cleared";
}

/// <summary>One step of an alarm's life: raised, acknowledged, escalated or cleared.</summary>
[GenerateSerializer, Immutable, Alias("ops.alarm-update")]
public sealed record AlarmUpdate(
    [property: Id(0)] string Change,
    [property: Id(1)] AlarmView Alarm,
    [property: Id(2)] DateTimeOffset At);

/// <summary>
/// The alarms of the site: rules evaluated on every change of the floor and on a timer, alarms
/// raised, acknowledged, escalated when nobody acknowledges in time, and cleared. Persisted.
/// </summary>
[Alias("ops.IAlarmGrain")]
public interface IAlarmGrain : IGrainWithIntegerKey
{
    /// <summary>The latest figures of queues that changed; evaluates at once.</summary>
    [Alias("Observe")] Task ObserveAsync(IReadOnlyList<QueueLive> queues);

    /// <summary>When each source last sent events (for silent-source rules).</summary>
    [Alias("NoteSources")] Task NoteSourcesAsync(IReadOnlyDictionary<string, DateTimeOffset> lastSeen);

    /// <summary>Acknowledges an active alarm; null for an unknown or cleared one. A second acknowledgement changes nothing.</summary>
    [Alias("Acknowledge")] Task<AlarmView?> AcknowledgeAsync(string id, string by);

    [Alias("Active")] Task<IReadOnlyList<AlarmView>> ListActiveAsync();

    /// <summary>Active and recently cleared alarms, newest first.</summary>
    [Alias("Recent")] Task<IReadOnlyList<AlarmView>> RecentAsync(int max);

    [Alias("Get")] Task<AlarmView?> GetAsync(string id);

    /// <summary>Evaluates now (the timer does this by itself; tests and the host may ask).</summary>
    [Alias("Evaluate")] Task EvaluateAsync();
}

/// <summary>
/// Where alarm changes go besides the screens: outbound notifications. Implemented by the host
/// (webhooks); called on the silo that hosts the alarm grain, and must never block or throw.
/// </summary>
public interface IAlarmNotifier
{
    void Notify(AlarmUpdate change);
}
