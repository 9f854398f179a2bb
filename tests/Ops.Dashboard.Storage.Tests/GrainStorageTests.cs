using Dapper;
using Ops.Dashboard.Domain;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Ops.Dashboard.Storage.Tests;

[GenerateSerializer, Alias("ops.tests.checkpoint-state")]
public sealed record CheckpointState
{
    [Id(0)] public long LastSeq { get; init; }
    [Id(1)] public Dictionary<DateTimeOffset, IntervalCounters> Intervals { get; init; } = [];
    [Id(2)] public string? Note { get; init; }
}

[GenerateSerializer, Alias("ops.tests.checkpoint-snapshot")]
public sealed record CheckpointSnapshot(
    [property: Id(0)] CheckpointState State,
    [property: Id(1)] string? ETag,
    [property: Id(2)] bool RecordExists);

[Alias("ops.tests.ICheckpointOps")]
public interface ICheckpointOps : IGrain
{
    [Alias("Write")] Task<string?> WriteAsync(CheckpointState state);
    [Alias("Read")] Task<CheckpointSnapshot> ReadAsync();
    [Alias("Clear")] Task<string?> ClearAsync();
}

/// <summary>String key: the key travels in GrainIdExtensionString.</summary>
[Alias("ops.tests.ICheckpointGrain")]
public interface ICheckpointGrain : IGrainWithStringKey, ICheckpointOps;

/// <summary>Integer key: N0/N1 carry the key and the extension column is NULL.</summary>
[Alias("ops.tests.INumberedCheckpointGrain")]
public interface INumberedCheckpointGrain : IGrainWithIntegerKey, ICheckpointOps;

public abstract class CheckpointGrainBase(IPersistentState<CheckpointState> state) : Grain, ICheckpointOps
{
    public async Task<string?> WriteAsync(CheckpointState value)
    {
        state.State = value;
        await state.WriteStateAsync();
        return state.Etag;
    }

    public Task<CheckpointSnapshot> ReadAsync() => Task.FromResult(new CheckpointSnapshot(state.State, state.Etag, state.RecordExists));

    public async Task<string?> ClearAsync()
    {
        await state.ClearStateAsync();
        return state.Etag;
    }
}

public sealed class CheckpointGrain([PersistentState("s", "ops")] IPersistentState<CheckpointState> state)
    : CheckpointGrainBase(state), ICheckpointGrain;

public sealed class NumberedCheckpointGrain([PersistentState("s", "ops")] IPersistentState<CheckpointState> state)
    : CheckpointGrainBase(state), INumberedCheckpointGrain;

public sealed class GrainStorageTests : IDisposable
{
    private static readonly DateTimeOffset Slot = new(2026, 11, 3, 9, 15, 0, TimeSpan.Zero);

    private readonly TempDatabase _temp = new(migrate: false);

    public void Dispose() => _temp.Dispose();

    private static CheckpointState Sample(long seq) => new()
    {
        LastSeq = seq,
        Note = $"checkpoint {seq}",
        Intervals = new()
        {
            [Slot] = new IntervalCounters { Offered = seq, AnswerWaitMs = 1000 * seq },
            [Slot.AddMinutes(15)] = new IntervalCounters { Handled = seq + 1 },
        },
    };

    private static void AssertSameState(CheckpointState expected, CheckpointState actual)
    {
        Assert.Equal(expected.LastSeq, actual.LastSeq);
        Assert.Equal(expected.Note, actual.Note);
        Assert.Equal(expected.Intervals, actual.Intervals);
    }

    // Both clusters of a test share the service id: grain state rows are keyed by it.
    private async Task<InProcessTestCluster> StartClusterAsync(string serviceId)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo.AddOpsGrainStorage(_temp.Db.ConnectionString));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    [Fact]
    public async Task Grain_state_survives_a_restart_and_keeps_etags_across_write_conflict_and_clear()
    {
        var serviceId = Guid.NewGuid().ToString("N");

        await using (var cluster = await StartClusterAsync(serviceId))
        {
            // The silo migrated the empty file before the provider loaded its queries.
            Assert.Equal(OpsDatabase.LatestVersion, _temp.Db.SchemaVersion());
            var billing = cluster.Client.GetGrain<ICheckpointGrain>("billing");
            Assert.False((await billing.ReadAsync()).RecordExists);

            Assert.Equal("1", await billing.WriteAsync(Sample(1)));
            Assert.Equal("2", await billing.WriteAsync(Sample(2)));
            Assert.Equal("1", await cluster.Client.GetGrain<INumberedCheckpointGrain>(42).WriteAsync(Sample(42)));
        }

        await using (var cluster = await StartClusterAsync(serviceId))
        {
            var billing = cluster.Client.GetGrain<ICheckpointGrain>("billing");
            var read = await billing.ReadAsync();
            AssertSameState(Sample(2), read.State);
            Assert.Equal(("2", true), (read.ETag, read.RecordExists));
            AssertSameState(Sample(42), (await cluster.Client.GetGrain<INumberedCheckpointGrain>(42).ReadAsync()).State);

            // Another writer moved the row on: the stale etag must be refused, not overwrite it.
            using (var connection = _temp.Db.Open())
            {
                Assert.Equal(1, connection.Execute(
                    "UPDATE OrleansStorage SET Version = Version + 1 WHERE GrainIdExtensionString = 'billing';"));
            }

            await Assert.ThrowsAsync<InconsistentStateException>(() => billing.WriteAsync(Sample(3)));

            // Orleans deactivates the grain after the conflict; the new activation reads version 3.
            Assert.Equal("3", (await billing.ReadAsync()).ETag);
            Assert.Equal("4", await billing.WriteAsync(Sample(4)));
            Assert.Equal("5", await billing.ClearAsync());
            var cleared = await billing.ReadAsync();
            Assert.False(cleared.RecordExists);
            AssertSameState(new CheckpointState(), cleared.State);
        }

        await using (var cluster = await StartClusterAsync(serviceId))
        {
            var billing = cluster.Client.GetGrain<ICheckpointGrain>("billing");
            var read = await billing.ReadAsync();
            Assert.Equal(("5", false), (read.ETag, read.RecordExists));
            AssertSameState(new CheckpointState(), read.State);
            Assert.Equal("6", await billing.WriteAsync(Sample(6)));
            AssertSameState(Sample(42), (await cluster.Client.GetGrain<INumberedCheckpointGrain>(42).ReadAsync()).State);
        }

        using var db = _temp.Db.Open();
        var rows = db.Query<(string Type, long N1, string? Extension, long Version)>(
            "SELECT GrainTypeString, GrainIdN1, GrainIdExtensionString, Version FROM OrleansStorage ORDER BY GrainIdN1;").ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal((42L, (string?)null, 1L), (rows[1].N1, rows[1].Extension, rows[1].Version));
        Assert.Equal(("billing", 6L), (rows[0].Extension, rows[0].Version));
    }
}
