using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Ops.Dashboard.Grains;

/// <summary>
/// Runs a grain's checkpoint writes one at a time without holding up the grain. What to write is copied
/// in the grain's turn; the write then runs while the grain goes on serving calls (the grains'
/// CheckpointAsync is [AlwaysInterleave]). A checkpoint used to hold each grain for the length of a SQLite
/// write, and with thousands of agents written every few seconds the dispatcher's rounds kept waiting on them.
/// </summary>
public sealed class CheckpointWriter
{
    private Task _inFlight = Task.CompletedTask;

    /// <summary>
    /// Waits for the write in flight (it may hold this caller's changes, or predate them), then calls
    /// <paramref name="start"/>, which copies what is dirty and returns its write, or null when nothing is.
    /// A write that fails must mark its part dirty again before its task completes.
    /// </summary>
    public async Task RunAsync(Func<Task?> start)
    {
        while (!_inFlight.IsCompleted)
        {
            try
            {
                await _inFlight;
            }
            catch
            {
                // Its own caller reports the failure; what it failed to write is dirty again and written below.
            }
        }
        if (start() is not { } write) return;
        _inFlight = write;
        await write;
    }
}

/// <summary>
/// A grain's persistent state kept apart from what is being written: <see cref="Live"/> is what the grain
/// changes; a checkpoint writes a copy of it through <see cref="CheckpointWriter"/>. The copy goes to the
/// same storage provider and row as <see cref="IPersistentState{TState}"/> (which read it at activation),
/// but on a pool thread: SQLite's calls are synchronous underneath and sleep while the database is locked,
/// so a write awaited in the grain would hold its turn all the same, and the persistent state refuses to
/// write from outside the grain.
/// </summary>
public sealed class PersistentCheckpoint<TState> where TState : class
{
    private readonly CheckpointWriter _writer = new();
    private readonly IPersistentState<TState> _store;
    private readonly IGrainStorage _storage;
    private readonly string _stateName;
    private readonly GrainId _grainId;
    private readonly Func<TState, TState> _copy;
    private TState? _live;
    private bool _dirty;
    private (string? ETag, bool RecordExists)? _stored;

    /// <param name="stateName">The name given to the grain's [PersistentState], which names its storage row.</param>
    public PersistentCheckpoint(IGrainContext grain, IPersistentState<TState> store, string stateName, Func<TState, TState> copy)
        : this(store, grain.ActivationServices.GetRequiredKeyedService<IGrainStorage>(OpsGrainStorage.Name), stateName, grain.GrainId, copy)
    {
    }

    public PersistentCheckpoint(IPersistentState<TState> store, IGrainStorage storage, string stateName, GrainId grainId, Func<TState, TState> copy)
    {
        _store = store;
        _storage = storage;
        _stateName = stateName;
        _grainId = grainId;
        _copy = copy;
    }

    /// <summary>The grain's own state: the stored state as read at activation, changed in place since.</summary>
    public TState Live => _live ??= _store.State;

    public void MarkDirty() => _dirty = true;

    public Task WriteAsync() => _writer.RunAsync(() =>
    {
        if (!_dirty) return null;
        var (etag, exists) = _stored ??= (_store.Etag, _store.RecordExists);
        var state = new GrainState<TState>(_copy(Live), etag) { RecordExists = exists };
        _dirty = false;
        return WriteCopyAsync(state);
    });

    private async Task WriteCopyAsync(GrainState<TState> state)
    {
        try
        {
            await Task.Run(() => _storage.WriteStateAsync(_stateName, _grainId, state));
            _stored = (state.ETag, true);
        }
        catch
        {
            _dirty = true;
            throw;
        }
    }
}
