using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using static Ops.Dashboard.Grains.Tests.Ev;
using static Ops.Dashboard.Testing.TestEvents;

namespace Ops.Dashboard.Grains.Tests;

/// <summary>Shifts Früh 08–16, Spät 16–00, Nacht 00–08 in Europe/Berlin; a shift belongs to the local day it starts.</summary>
[Collection(OpsClusterCollection.Name)]
public class ShiftGrainTests(OpsClusterFixture fx)
{
    private Task<ShiftSnapshot> Shift(string key) => fx.Grains.GetGrain<IShiftGrain>(key).GetAsync();

    [Fact]
    public async Task Presence_is_counted_in_the_shift_of_the_local_time()
    {
        // Monday 2026-11-16 (+01:00); no other test touches these days' shifts.
        await fx.IngestAsync(
            State("sh-n1", AgentState.Available, "2026-11-16T07:59:59+01:00"),   // Nacht of the 16th
            State("sh-f1", AgentState.Available, "2026-11-16T08:00:00+01:00"),   // Früh
            State("sh-f2", AgentState.OnContact, "2026-11-16T15:59:59+01:00"),   // Früh
            State("sh-f3", AgentState.Available, "2026-11-16T09:00:00+01:00"),   // Früh, logs off at 12:00
            State("sh-s1", AgentState.Break, "2026-11-16T16:00:00+01:00"),       // Spät
            State("sh-s2", AgentState.Available, "2026-11-16T23:59:59+01:00"),   // Spät of the 16th, before midnight
            State("sh-n2", AgentState.Available, "2026-11-16T23:30:00Z"),        // 00:30 local on the 17th: Nacht of the 17th
            State("sh-n3", AgentState.Training, "2026-11-17T00:00:00+01:00"));   // Nacht of the 17th
        await fx.IngestAsync(State("sh-f3", AgentState.Offline, "2026-11-16T12:00:00+01:00"));

        // planned: Früh and Spät 6, Nacht 2 (fixture options)
        Assert.Equal(new ShiftSnapshot("2026-11-16/nacht", 2, 1, 1), await Shift("2026-11-16/nacht"));
        Assert.Equal(new ShiftSnapshot("2026-11-16/frueh", 6, 2, 3), await Shift("2026-11-16/frueh"));
        Assert.Equal(new ShiftSnapshot("2026-11-16/spaet", 6, 2, 2), await Shift("2026-11-16/spaet"));
        Assert.Equal(new ShiftSnapshot("2026-11-17/nacht", 2, 2, 2), await Shift("2026-11-17/nacht"));
        Assert.Equal(new ShiftSnapshot("2026-11-17/frueh", 6, 0, 0), await Shift("2026-11-17/frueh"));
    }

    [Fact]
    public async Task Logging_off_and_on_again_within_a_shift_counts_the_latest_presence()
    {
        await fx.IngestAsync(
            State("sh2-a", AgentState.Available, "2026-11-18T16:10:00+01:00"),
            State("sh2-a", AgentState.Offline, "2026-11-18T18:00:00+01:00"),
            State("sh2-b", AgentState.Available, "2026-11-18T17:00:00+01:00"));
        // a late event from before the logoff does not log the agent in again
        await fx.IngestAsync(State("sh2-a", AgentState.Break, "2026-11-18T17:00:00+01:00"));
        Assert.Equal(new ShiftSnapshot("2026-11-18/spaet", 6, 1, 2), await Shift("2026-11-18/spaet"));

        await fx.IngestAsync(State("sh2-a", AgentState.Available, "2026-11-18T19:00:00+01:00"));
        Assert.Equal(new ShiftSnapshot("2026-11-18/spaet", 6, 2, 2), await Shift("2026-11-18/spaet"));

        await fx.Grains.GetGrain<IShiftGrain>("2026-11-18/spaet").SetPlannedAsync(9);
        Assert.Equal(9, (await Shift("2026-11-18/spaet")).PlannedAgents);
    }

    [Theory]
    [InlineData("2026-11-23T07:59:59.999+01:00", "2026-11-23/nacht")]
    [InlineData("2026-11-23T08:00:00+01:00", "2026-11-23/frueh")]
    [InlineData("2026-11-23T15:59:59+01:00", "2026-11-23/frueh")]
    [InlineData("2026-11-23T16:00:00+01:00", "2026-11-23/spaet")]
    [InlineData("2026-11-23T22:59:59Z", "2026-11-23/spaet")]        // 23:59:59 local
    [InlineData("2026-11-23T23:00:00Z", "2026-11-24/nacht")]        // local midnight
    [InlineData("2026-07-01T05:59:59Z", "2026-07-01/nacht")]        // 07:59:59 CEST
    [InlineData("2026-07-01T06:00:00Z", "2026-07-01/frueh")]        // 08:00 CEST
    [InlineData("2026-07-01T14:00:00Z", "2026-07-01/spaet")]        // 16:00 CEST
    [InlineData("2026-07-01T21:59:59Z", "2026-07-01/spaet")]        // 23:59:59 CEST
    [InlineData("2026-07-01T22:00:00Z", "2026-07-02/nacht")]        // 00:00 CEST on the 2nd
    [InlineData("2026-03-29T01:30:00Z", "2026-03-29/nacht")]        // 03:30 CEST, the night the clocks go forward
    [InlineData("2026-10-25T00:30:00Z", "2026-10-25/nacht")]        // 02:30 CEST, first pass of the repeated hour
    [InlineData("2026-10-25T01:30:00Z", "2026-10-25/nacht")]        // 02:30 CET, second pass
    public void Shift_key_of_an_instant(string at, string key) =>
        Assert.Equal(key, fx.Dispatcher.ShiftKey(T(at)));
}
