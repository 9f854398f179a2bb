using Orleans.Concurrency;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Contracts;

/// <summary>
/// A fixed share of the contacts (see <see cref="ContactShards"/>), each derived from its events in the
/// log (which are its durable state). One call per shard and round instead of one per contact.
/// </summary>
[Alias("ops.IContactShardGrain")]
public interface IContactShardGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Adds each batch's events to its contact (one batch per contact) and returns what changed for each,
    /// in the order of the batches: counter deltas, waiting and agent facts.
    /// </summary>
    [Alias("Apply")] Task<IReadOnlyList<ContactUpdate>> ApplyAsync([Immutable] IReadOnlyList<ContactBatch> batches);

    [Alias("Get")] Task<ContactView?> GetAsync(string contactId);
}

/// <summary>Which shard holds a contact: the one place that knows the hashing.</summary>
public static class ContactShards
{
    public const int Count = 32;

    /// <summary>FNV-1a over the id's UTF-16 code units: stable across processes, unlike string.GetHashCode.</summary>
    public static int Of(string contactId)
    {
        var hash = 2166136261u;
        foreach (var c in contactId)
        {
            hash ^= c;
            hash *= 16777619u;
        }
        return (int)(hash % Count);
    }

    public static IContactShardGrain For(IGrainFactory grains, string contactId) => grains.GetGrain<IContactShardGrain>(Of(contactId));
}

/// <summary>One agent: state timeline, queues served, contacts answered.</summary>
[Alias("ops.IAgentGrain")]
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies agent.state/agent.queues events; returns the contacts whose handle time they may change.
    /// <paramref name="durableSeq"/> is the recovery point: rounds up to it are never replayed, so links
    /// last changed by them may be folded into the day totals.
    /// </summary>
    [Alias("ApplyEvents")] Task<AgentApplyResult> ApplyEventsAsync(long toSeq, long durableSeq, [Immutable] IReadOnlyList<OpsEvent> events);

    [Alias("ApplyLinks")] Task<AgentSummary> ApplyLinksAsync(long toSeq, [Immutable] IReadOnlyList<AgentLink> links);

    [Alias("Get")] Task<AgentSummary?> GetAsync();

    /// <summary>Makes the state durable; interleaves, so the grain keeps serving calls while it writes.</summary>
    [Alias("Checkpoint"), AlwaysInterleave] Task CheckpointAsync();
}

/// <summary>The floor: every agent's summary in one place for the board and the read API.</summary>
[Alias("ops.IAgentDirectoryGrain")]
public interface IAgentDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Update")] Task UpdateAsync([Immutable] IReadOnlyList<AgentSummary> summaries);

    [Alias("List")] Task<IReadOnlyList<AgentSummary>> ListAsync();

    /// <summary>Agents serving each queue, by state (an agent serving three queues counts in each).</summary>
    [Alias("CountsByQueue")] Task<IReadOnlyDictionary<string, AgentCounts>> CountsByQueueAsync();

    /// <summary>Makes the state durable; interleaves, so the grain keeps serving calls while it writes.</summary>
    [Alias("Checkpoint"), AlwaysInterleave] Task CheckpointAsync();
}

/// <summary>One queue: waiting contacts by priority and age, 15-minute interval statistics.</summary>
[Alias("ops.IQueueGrain")]
public interface IQueueGrain : IGrainWithStringKey
{
    [Alias("Apply")] Task ApplyAsync(QueueBatch batch);

    [Alias("Snapshot")] Task<QueueSnapshot> GetSnapshotAsync();

    /// <summary>Every waiting contact, served order (priority, then age).</summary>
    [Alias("Waiting")] Task<IReadOnlyList<WaitingContact>> GetWaitingAsync();

    /// <summary>Intervals with start in [fromUtc, toUtc), current (including not yet checkpointed changes).</summary>
    [Alias("Intervals")] Task<IReadOnlyList<IntervalRow>> GetIntervalsAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc);

    /// <summary>Makes the state durable; interleaves, so the grain keeps serving calls while it writes.</summary>
    [Alias("Checkpoint"), AlwaysInterleave] Task CheckpointAsync();
}

/// <summary>One shift of one day, keyed "yyyy-MM-dd/templateId": planned and logged-in agents.</summary>
[Alias("ops.IShiftGrain")]
public interface IShiftGrain : IGrainWithStringKey
{
    [Alias("Apply")] Task ApplyAsync([Immutable] IReadOnlyList<ShiftPresence> presence);

    [Alias("SetPlanned")] Task SetPlannedAsync(int plannedAgents);

    [Alias("Get")] Task<ShiftSnapshot> GetAsync();

    /// <summary>Makes the state durable; interleaves, so the grain keeps serving calls while it writes.</summary>
    [Alias("Checkpoint"), AlwaysInterleave] Task CheckpointAsync();
}
