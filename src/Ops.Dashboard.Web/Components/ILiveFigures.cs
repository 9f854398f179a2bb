namespace Ops.Dashboard.Web;

/// <summary>
/// What a screen reads from this node's live feed: the latest figures and a change subscription.
/// <see cref="LiveFeed"/> implements it; component tests use a feed of their own.
/// </summary>
public interface ILiveFigures
{
    IReadOnlyCollection<QueueDto> Queues { get; }

    IReadOnlyCollection<AgentDto> Agents { get; }

    QueueDto? Queue(string id);

    /// <summary>The active alarms, oldest first.</summary>
    IReadOnlyCollection<Contracts.AlarmView> Alarms { get; }

    /// <summary>When the last batch (or heartbeat) arrived; null before the first one.</summary>
    DateTimeOffset? LastUpdateAt { get; }

    /// <summary>Subscribes to every change (heartbeats included); dispose the result to stop.</summary>
    IDisposable Subscribe(Func<LiveChange, Task> onChange);
}

/// <summary>Interval statistics as the charts need them; <see cref="ReadModel.StatsAsync"/> in the host.</summary>
public interface IIntervalStats
{
    Task<IReadOnlyList<IntervalDto>> StatsAsync(string? queue, DateTimeOffset fromUtc, DateTimeOffset toUtc, string bucket);
}

/// <summary>The host's <see cref="IIntervalStats"/>: the read model over the queue grains.</summary>
public sealed class ReadModelIntervalStats(ReadModel read) : IIntervalStats
{
    public Task<IReadOnlyList<IntervalDto>> StatsAsync(string? queue, DateTimeOffset fromUtc, DateTimeOffset toUtc, string bucket) =>
        read.StatsAsync(queue, fromUtc, toUtc, bucket);
}
