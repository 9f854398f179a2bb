using System.Collections.Concurrent;

namespace Ops.Dashboard.Grains;

/// <summary>
/// References to grains of one interface by key, each made once. <c>IGrainFactory.GetGrain</c> resolves the
/// interface's grain type from its type name on every call, and the dispatcher asks for thousands of references
/// a second. Keys are the site's agents, queues, shards and shifts, so the map stays small.
/// </summary>
public sealed class GrainReferences<TKey, TGrain>(Func<TKey, TGrain> create) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TGrain> _byKey = new();

    public TGrain this[TKey key] => _byKey.TryGetValue(key, out var grain) ? grain : _byKey.GetOrAdd(key, create);
}
