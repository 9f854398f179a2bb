using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using Orleans.Placement;

namespace Ops.Dashboard.Grains;

/// <summary>
/// The contacts of one shard (<see cref="ContactShards"/>), one <see cref="ContactWorker"/> each. The
/// dispatcher makes one call per shard and round: per-call and activation costs of a grain per contact
/// dominated ingestion. Contacts persist nothing, so dropping a worker is always safe: it rebuilds from
/// the log when its contact comes back.
/// </summary>
// Shards are called by the dispatcher every round: on its own silo they skip a remote hop.
[GrainType("contact-shard"), PreferLocalPlacement]
public sealed class ContactShardGrain(EventLog log, OpsOptions options, TimeProvider time) : Grain, IContactShardGrain
{
    /// <summary>How long an unsettled contact stays in memory unused (what a contact grain's collection age was).</summary>
    public static readonly TimeSpan IdleTime = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, ContactWorker> _contacts = new(StringComparer.Ordinal);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The sweep alone must not keep an otherwise unused shard alive.
        this.RegisterGrainTimer(_ => Sweep(), new GrainTimerCreationOptions(SweepEvery, SweepEvery) { KeepAlive = false });
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<ContactUpdate>> ApplyAsync(IReadOnlyList<ContactBatch> batches)
    {
        var now = time.GetUtcNow();
        // Workers touch only their own state and their continuations run in this turn one at a time,
        // so the contacts' log reads may overlap.
        var updates = await Task.WhenAll(batches.Select(b => Worker(b.ContactId, now).ApplyAsync(b)));
        foreach (var b in batches)
            if (_contacts.TryGetValue(b.ContactId, out var w) && w.IsSettled) _contacts.Remove(b.ContactId);
        return updates;
    }

    public async Task<ContactView?> GetAsync(string contactId)
    {
        var view = await Worker(contactId, time.GetUtcNow()).GetViewAsync();
        if (view is null) _contacts.Remove(contactId);
        return view;
    }

    /// <summary>Whether the contact is in memory now (for tests: the interface has no need of it).</summary>
    public bool Holds(string contactId) => _contacts.ContainsKey(contactId);

    /// <summary>The contacts unused since <paramref name="now"/> − <see cref="IdleTime"/> (or longer).</summary>
    public static List<string> Idle(IReadOnlyDictionary<string, ContactWorker> contacts, DateTimeOffset now) =>
        [.. contacts.Where(kv => now - kv.Value.LastUsed >= IdleTime).Select(kv => kv.Key)];

    private Task Sweep()
    {
        foreach (var id in Idle(_contacts, time.GetUtcNow())) _contacts.Remove(id);
        return Task.CompletedTask;
    }

    private ContactWorker Worker(string contactId, DateTimeOffset now)
    {
        if (!_contacts.TryGetValue(contactId, out var worker))
            _contacts[contactId] = worker = new ContactWorker(contactId, log, options);
        worker.LastUsed = now;
        return worker;
    }
}
