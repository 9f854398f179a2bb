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
    private bool _dirty;

    private string Key => this.GetPrimaryKeyString();

    public Task ApplyAsync(IReadOnlyList<ShiftPresence> presence)
    {
        foreach (var p in presence)
            if (!store.State.Presence.TryGetValue(p.AgentId, out var known) || known.At <= p.At)
                store.State.Presence[p.AgentId] = p;
        _dirty |= presence.Count > 0;
        return Task.CompletedTask;
    }

    public Task SetPlannedAsync(int plannedAgents)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plannedAgents);
        store.State.PlannedAgents = plannedAgents;
        _dirty = true;
        return Task.CompletedTask;
    }

    public Task<ShiftSnapshot> GetAsync()
    {
        var template = Key.Split('/') is [_, var id] ? options.Shifts.Find(s => s.Id == id) : null;
        var planned = store.State.PlannedAgents ?? template?.PlannedAgents ?? 0;
        var presence = store.State.Presence.Values;
        return Task.FromResult(new ShiftSnapshot(Key, planned, presence.Count(p => p.LoggedIn), presence.Count));
    }

    public async Task CheckpointAsync()
    {
        if (!_dirty) return;
        await store.WriteStateAsync();
        _dirty = false;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await CheckpointAsync();
}
