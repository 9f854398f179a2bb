using Ops.Dashboard.Domain;
using Orleans.Concurrency;

namespace Ops.Dashboard.Contracts;

/// <summary>Agents serving a queue, by state.</summary>
[GenerateSerializer, Immutable, Alias("ops.agent-counts")]
public sealed record AgentCounts(
    [property: Id(0)] int Available,
    [property: Id(1)] int OnContact,
    [property: Id(2)] int WrapUp,
    [property: Id(3)] int Break,
    [property: Id(4)] int Training,
    [property: Id(5)] int Offline)
{
    public static readonly AgentCounts None = new(0, 0, 0, 0, 0, 0);

    public static AgentCounts Of(IEnumerable<AgentState> states)
    {
        int a = 0, c = 0, w = 0, b = 0, t = 0, o = 0;
        foreach (var s in states)
        {
            switch (s)
            {
                case AgentState.Available: a++; break;
                case AgentState.OnContact: c++; break;
                case AgentState.WrapUp: w++; break;
                case AgentState.Break: b++; break;
                case AgentState.Training: t++; break;
                default: o++; break;
            }
        }
        return new(a, c, w, b, t, o);
    }
}

/// <summary>A queue's live figures as the boards need them.</summary>
[GenerateSerializer, Immutable, Alias("ops.queue-live")]
public sealed record QueueLive(
    [property: Id(0)] QueueSnapshot Snapshot,
    [property: Id(1)] AgentCounts Agents);

/// <summary>
/// What changed since the last batch: each queue and agent at most once (coalesced), and alarm
/// changes (the alarm grain publishes those in batches of their own, with AppliedSeq 0). An empty
/// batch is a heartbeat: it proves the pipeline from the grains to the screens is alive.
/// </summary>
[GenerateSerializer, Immutable, Alias("ops.change-batch")]
public sealed record ChangeBatch(
    [property: Id(0)] long AppliedSeq,
    [property: Id(1)] DateTimeOffset PublishedAt,
    [property: Id(2)] IReadOnlyList<QueueLive> Queues,
    [property: Id(3)] IReadOnlyList<AgentSummary> Agents,
    [property: Id(4)] IReadOnlyList<AlarmUpdate>? Alarms = null);

/// <summary>One per silo (web node): receives every change batch and hands it to that node's screens.</summary>
[Alias("ops.ILiveFeedObserver")]
public interface ILiveFeedObserver : IGrainObserver
{
    [OneWay, Alias("OnChanges")] Task OnChangesAsync(ChangeBatch batch);
}

/// <summary>
/// The directory of live-feed observers. Observers expire unless they resubscribe, so silos that
/// left are forgotten.
/// </summary>
[Alias("ops.IChangeFeedGrain")]
public interface IChangeFeedGrain : IGrainWithIntegerKey
{
    [Alias("Subscribe")] Task SubscribeAsync(ILiveFeedObserver observer);

    [Alias("Unsubscribe")] Task UnsubscribeAsync(ILiveFeedObserver observer);

    [Alias("Publish")] Task PublishAsync(ChangeBatch batch);
}
