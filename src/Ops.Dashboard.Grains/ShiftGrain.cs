using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Grains;

[GenerateSerializer, Alias("ops.shift-state")]
public sealed class ShiftGrainState
{
    /// <summary>Planned agents set for this day's shift; null = the template's default from config.</summary>
    [Id(0)] public int? PlannedAgents { get; set; }
    /// <summary>Each agent's latest presence fact during the shift.</summary>
    [Id(1)] public Dictionary<string, ShiftPresence> Presence { get; set; } = [];
}

/// <summary>One template's shift on one day ("2026-11-22/frueh"): planned against logged-in agents.</summary>
[GrainType("shift")]
public sealed class ShiftGrain(
    [PersistentState("shift", OpsGrainStorage.Name)] IPersistentState<ShiftGrainState> store,
    OpsOptions options) : Grain, IShiftGrain
{
    private PersistentCheckpoint<ShiftGrainState>? _checkpoint;
    private PersistentCheckpoint<ShiftGrainState> Persisted => _checkpoint ??= new(GrainContext, store, "shift", s => new() { PlannedAgents = s.PlannedAgents, Presence = new(s.Presence) });

    private string Key => this.GetPrimaryKeyString();

    public Task ApplyAsync(IReadOnlyList<ShiftPresence> presence)
    {
        foreach (var p in presence)
            if (!Persisted.Live.Presence.TryGetValue(p.AgentId, out var known) || known.At <= p.At)
                Persisted.Live.Presence[p.AgentId] = p;
        if (presence.Count > 0) Persisted.MarkDirty();
        return Task.CompletedTask;
    }

    public Task SetPlannedAsync(int plannedAgents)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plannedAgents);
        Persisted.Live.PlannedAgents = plannedAgents;
        Persisted.MarkDirty();
        return Task.CompletedTask;
    }

    public Task<ShiftSnapshot> GetAsync()
    {
        var template = Key.Split('/') is [_, var id] ? options.Shifts.Find(s => s.Id == id) : null;
        var planned = Persisted.Live.PlannedAgents ?? template?.PlannedAgents ?? 0;
        var presence = Persisted.Live.Presence.Values;
        return Task.FromResult(new ShiftSnapshot(Key, planned, presence.Count(p => p.LoggedIn), presence.Count));
    }

    public Task CheckpointAsync() => Persisted.WriteAsync();

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await CheckpointAsync();
}
