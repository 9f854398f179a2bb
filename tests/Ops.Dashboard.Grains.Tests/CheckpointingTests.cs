using Orleans.Storage;

namespace Ops.Dashboard.Grains.Tests;

/// <summary>Checkpoints write a copy of the live state, one write at a time, and lose nothing that changes meanwhile.</summary>
public class CheckpointingTests
{
    private static readonly GrainId Grain = GrainId.Create("agent", "cp-1");

    [Fact]
    public async Task A_checkpoint_writes_a_copy_and_changes_made_during_the_write_go_in_the_next()
    {
        var storage = new GatedStorage();
        var store = new FakeState(new Box(1));
        var checkpoint = new PersistentCheckpoint<Box>(store, storage, "agent", Grain, b => new Box(b.Value));

        checkpoint.MarkDirty();
        var first = checkpoint.WriteAsync();
        checkpoint.Live.Value = 2;         // the grain goes on while the write runs
        checkpoint.MarkDirty();
        storage.Release();
        await first;
        Assert.Equal([1], storage.Written);
        Assert.Equal("agent", storage.StateNames.Single());

        var second = checkpoint.WriteAsync();
        storage.Release();
        await second;
        Assert.Equal([1, 2], storage.Written);
        // Each write carries the version the previous one stored (the store's own at first).
        Assert.Equal(["v0", "v1"], storage.ETagsSeen);
    }

    [Fact]
    public async Task A_second_checkpoint_waits_for_the_write_in_flight_and_writes_never_overlap()
    {
        var storage = new GatedStorage();
        var checkpoint = new PersistentCheckpoint<Box>(new FakeState(new Box(1)), storage, "agent", Grain, b => new Box(b.Value));

        checkpoint.MarkDirty();
        var first = checkpoint.WriteAsync();
        checkpoint.Live.Value = 5;
        checkpoint.MarkDirty();
        var second = checkpoint.WriteAsync();
        await storage.StartedAsync(1);
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, storage.Started);

        storage.Release();
        await first;
        storage.Release();
        await second;
        Assert.Equal([1, 5], storage.Written);
        Assert.Equal(1, storage.MostInFlight);
    }

    [Fact]
    public async Task Nothing_changed_writes_nothing_and_a_failed_write_is_written_by_the_next_checkpoint()
    {
        var storage = new GatedStorage { FailNext = true };
        var checkpoint = new PersistentCheckpoint<Box>(new FakeState(new Box(7)), storage, "agent", Grain, b => new Box(b.Value));

        await checkpoint.WriteAsync();
        Assert.Equal(0, storage.Started);

        checkpoint.MarkDirty();
        var failing = checkpoint.WriteAsync();
        storage.Release();
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);

        var retry = checkpoint.WriteAsync();
        storage.Release();
        await retry;
        Assert.Equal([7], storage.Written);
    }

    [Fact]
    public async Task A_checkpoint_waiting_on_a_failed_write_does_not_fail_but_writes_itself()
    {
        var storage = new GatedStorage { FailNext = true };
        var checkpoint = new PersistentCheckpoint<Box>(new FakeState(new Box(3)), storage, "agent", Grain, b => new Box(b.Value));

        checkpoint.MarkDirty();
        var failing = checkpoint.WriteAsync();
        var waiting = checkpoint.WriteAsync();
        storage.Release();
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        storage.Release();
        await waiting;
        Assert.Equal([3], storage.Written);
    }

    [Fact]
    public async Task The_writer_skips_when_there_is_nothing_to_write()
    {
        var writer = new CheckpointWriter();
        var calls = 0;
        await writer.RunAsync(() =>
        {
            calls++;
            return null;
        });
        Assert.Equal(1, calls);
    }

    private sealed class Box(int value)
    {
        public int Value { get; set; } = value;
    }

    /// <summary>Storage whose writes each wait for <see cref="Release"/>; records what it was given.</summary>
    private sealed class GatedStorage : IGrainStorage
    {
        private readonly SemaphoreSlim _gate = new(0);
        private int _inFlight;

        public List<int> Written { get; } = [];
        public List<string> StateNames { get; } = [];
        public List<string?> ETagsSeen { get; } = [];
        public int Started { get; private set; }
        public int MostInFlight { get; private set; }
        public bool FailNext { get; set; }

        public void Release() => _gate.Release();

        /// <summary>Completes once <paramref name="count"/> writes have begun (writes start on the thread pool).</summary>
        public async Task StartedAsync(int count)
        {
            var until = DateTime.UtcNow.AddSeconds(10);
            while (Started < count && DateTime.UtcNow < until) await Task.Delay(5);
        }

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            lock (Written)
            {
                Started++;
                MostInFlight = Math.Max(MostInFlight, ++_inFlight);
            }
            try
            {
                await _gate.WaitAsync(TimeSpan.FromSeconds(10));
                if (FailNext)
                {
                    FailNext = false;
                    throw new InvalidOperationException("disk full");
                }
                lock (Written)
                {
                    Written.Add(((Box)(object)grainState.State!).Value);
                    StateNames.Add(stateName);
                    ETagsSeen.Add(grainState.ETag);
                }
                grainState.ETag = $"v{Written.Count}";
                grainState.RecordExists = true;
            }
            finally
            {
                lock (Written) _inFlight--;
            }
        }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;
    }

    /// <summary>The grain's persistent state as read at activation (version "v0"); it must not be written through.</summary>
    private sealed class FakeState(Box state) : IPersistentState<Box>
    {
        public Box State { get; set; } = state;
        public string? Etag => "v0";
        public bool RecordExists => true;
        public Task ClearStateAsync() => throw new InvalidOperationException("not through the persistent state");
        public Task WriteStateAsync() => throw new InvalidOperationException("not through the persistent state");
        public Task ReadStateAsync() => throw new InvalidOperationException("not through the persistent state");
    }
}
