using Ops.Dashboard.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Ops.Dashboard.Domain;
using Orleans.Storage;
using static Ops.Dashboard.Grains.Tests.Ev;
using static Ops.Dashboard.Testing.TestEvents;

namespace Ops.Dashboard.Grains.Tests;

[Collection(OpsClusterCollection.Name)]
public class AgentGrainTests(OpsClusterFixture fx)
{
    private Task<AgentSummary?> Agent(string id) => fx.Grains.GetGrain<IAgentGrain>(id).GetAsync();

    /// <summary>Record equality, with the queue lists compared by content (they are copies after serialisation).</summary>
    private static void AssertSame(AgentSummary expected, AgentSummary actual)
    {
        Assert.Equal(expected.Queues, actual.Queues);
        Assert.Equal(expected with { Queues = NoQueues }, actual with { Queues = NoQueues });
    }

    private static readonly string[] NoQueues = [];

    private async Task<AgentSummary> Listed(string id) =>
        Assert.Single(await fx.Grains.GetGrain<IAgentDirectoryGrain>(0).ListAsync(), a => a.Id == id);

    [Fact]
    public async Task The_current_contact_carries_its_answer_time_and_the_customers_wait_and_the_log_in_is_kept_until_log_off()
    {
        const string ben = "ag-ben";
        await fx.IngestAsync(
            State(ben, AgentState.Offline, Day("07:00:00")),
            State(ben, AgentState.Available, Day("07:55:00")),
            AgentQueues(ben, Day("07:55:00"), "agents"));
        Assert.Equal(T(Day("07:55:00")), (await Agent(ben))!.LoggedInAt);

        await fx.IngestAsync(
            Created("ag-cW", "agents", Day("08:10:00")),
            Answered("ag-cW", ben, Day("08:10:42")),
            State(ben, AgentState.OnContact, Day("08:10:42")));
        var b = await Agent(ben);
        Assert.Equal(("ag-cW", T(Day("08:10:42")), 42.0), (b!.CurrentContactId, b.CurrentContactAnsweredAt, b.CurrentContactWaitSeconds));
        // A break does not end the log-in.
        await fx.IngestAsync(Resolved("ag-cW", Day("08:12:00"), ben), State(ben, AgentState.Break, Day("08:12:00")));
        b = await Agent(ben);
        Assert.Equal((T(Day("07:55:00")), (string?)null), (b!.LoggedInAt, b.CurrentContactId));

        await fx.IngestAsync(State(ben, AgentState.Offline, Day("16:05:00")));
        Assert.Null((await Agent(ben))!.LoggedInAt);
        await fx.IngestAsync(State(ben, AgentState.Available, Day("16:20:00")));
        Assert.Equal(T(Day("16:20:00")), (await Agent(ben))!.LoggedInAt);
    }

    [Fact]
    public async Task Agent_state_time_in_state_current_contact_and_handled_today()
    {
        const string anna = "ag-anna";
        await fx.IngestAsync(
            State(anna, AgentState.Available, Day("08:00:00"), name: "Anna Berg", team: "Nord"),
            AgentQueues(anna, Day("08:00:00"), "agents"));
        var a = await Agent(anna);
        Assert.NotNull(a);
        Assert.Equal((AgentState.Available, T(Day("08:00:00")), (string?)null), (a.State, a.StateSince, a.CurrentContactId));
        Assert.Equal(("Anna Berg", "Nord"), (a.Name, a.Team));
        Assert.Equal(new[] { "agents" }, a.Queues);

        // answers cA at 09:00:05
        await fx.IngestAsync(
            Created("ag-cA", "agents", Day("09:00:00")),
            Answered("ag-cA", anna, Day("09:00:05")),
            State(anna, AgentState.OnContact, Day("09:00:05")));
        a = await Agent(anna);
        Assert.Equal((AgentState.OnContact, T(Day("09:00:05")), "ag-cA", 0), (a!.State, a.StateSince, a.CurrentContactId, a.HandledToday));

        // resolves at 09:03:00 and wraps up: still busy with cA
        await fx.IngestAsync(Resolved("ag-cA", Day("09:03:00"), anna), State(anna, AgentState.WrapUp, Day("09:03:00")));
        a = await Agent(anna);
        Assert.Equal((AgentState.WrapUp, T(Day("09:03:00")), "ag-cA", 0), (a!.State, a.StateSince, a.CurrentContactId, a.HandledToday));

        // leaves wrap-up at 09:04:00: cA handled, 09:00:05..09:04:00 = 235 s
        await fx.IngestAsync(State(anna, AgentState.Available, Day("09:04:00")));
        a = await Agent(anna);
        Assert.Equal((AgentState.Available, T(Day("09:04:00")), (string?)null), (a!.State, a.StateSince, a.CurrentContactId));
        Assert.Equal((1, 235_000L), (a.HandledToday, a.HandleMsToday));

        // answers cB at 09:10:20 and is on it "now" (14:00): 4 h 49 min 40 s in state
        await fx.IngestAsync(
            Created("ag-cB", "agents", Day("09:10:00")),
            Answered("ag-cB", anna, Day("09:10:20")),
            State(anna, AgentState.OnContact, Day("09:10:20")));
        a = await Agent(anna);
        Assert.Equal((AgentState.OnContact, "ag-cB", 1, 235_000L), (a!.State, a.CurrentContactId, a.HandledToday, a.HandleMsToday));
        Assert.Equal(new TimeSpan(4, 49, 40), fx.Clock.Now - a.StateSince);
        Assert.Equal(new DateOnly(2026, 11, 23), a.Day);

        // the directory holds the same summary
        AssertSame(a, await Listed(anna));
    }

    [Fact]
    public async Task Repeated_state_keeps_the_time_the_state_was_entered()
    {
        // available 08:00, a repeated "available" at 08:30 (e.g. a source heartbeat) does not restart time in state
        await fx.IngestAsync(State("ag-rep", AgentState.Available, Day("08:00:00")));
        await fx.IngestAsync(State("ag-rep", AgentState.Available, Day("08:30:00")));
        var a = await Agent("ag-rep");
        Assert.Equal((AgentState.Available, T(Day("08:00:00"))), (a!.State, a.StateSince));

        // a late event from before is put in its place in the timeline: the latest state still wins
        await fx.IngestAsync(State("ag-rep", AgentState.Break, Day("07:45:00")));
        a = await Agent("ag-rep");
        Assert.Equal((AgentState.Available, T(Day("08:00:00"))), (a!.State, a.StateSince));
    }

    [Fact]
    public async Task Agent_directory_lists_every_agent_ordered_by_id()
    {
        await fx.IngestAsync(
            State("dir-2", AgentState.Break, Day("10:00:00"), name: "Berta"),
            State("dir-1", AgentState.Available, Day("10:01:00"), name: "Arne", team: "Süd"),
            State("dir-3", AgentState.Training, Day("10:02:00")));
        await fx.IngestAsync(State("dir-3", AgentState.Offline, Day("12:00:00")));

        var all = await fx.Grains.GetGrain<IAgentDirectoryGrain>(0).ListAsync();
        var ours = all.Where(a => a.Id.StartsWith("dir-", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { "dir-1", "dir-2", "dir-3" }, ours.Select(a => a.Id));
        Assert.Equal(new[] { AgentState.Available, AgentState.Break, AgentState.Offline }, ours.Select(a => a.State));
        Assert.Equal(new[] { "Arne", "Berta", null }, ours.Select(a => a.Name));
        Assert.Equal("Süd", ours[0].Team);
        Assert.Equal(T(Day("12:00:00")), ours[2].StateSince);
        Assert.Equal(all.Select(a => a.Id).Order(StringComparer.Ordinal), all.Select(a => a.Id));
    }

    [Fact]
    public async Task Agent_named_first_in_contact_answered_exists()
    {
        // DESIGN (read API): "An agent named for the first time in any event is created on the spot".
        await fx.IngestAsync(
            Created("ghost-c", "agents", Day("11:00:00")),
            Answered("ghost-c", "ghost-ag", Day("11:00:10")));

        var listed = await Listed("ghost-ag");
        Assert.Equal("ghost-ag", (await ContactShards.For(fx.Grains, "ghost-c").GetAsync("ghost-c"))!.Segments[0].AgentId);
        var own = await Agent("ghost-ag");
        Assert.NotNull(own);
        AssertSame(listed, own);
    }

    [Fact]
    public async Task An_agent_stored_with_a_full_event_timeline_loads_and_still_knows_its_changes()
    {
        // Agent state as version 1 stored it: the timeline as whole events (field 4).
        const string id = "ag-legacy";
        var storage = fx.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(OpsGrainStorage.Name);
        var legacy = new AgentGrainState
        {
            LegacyTimeline =
            [
                State(id, AgentState.Available, Day("09:00:00")) with { Seq = 1, Id = "leg-1" },
                State(id, AgentState.Break, Day("09:30:00")) with { Seq = 2, Id = "leg-2" },
            ],
            LastSeq = 2,
        };
        await storage.WriteStateAsync("agent", GrainId.Create("agent", id), new GrainState<AgentGrainState>(legacy));

        var loaded = await Agent(id);
        Assert.Equal((AgentState.Break, T(Day("09:30:00"))), (loaded!.State, loaded.StateSince));

        // A replayed change is known; a new one is added after it.
        var grain = fx.Grains.GetGrain<IAgentGrain>(id);
        await grain.ApplyEventsAsync(3, 0, [State(id, AgentState.Available, Day("09:00:00")) with { Seq = 1, Id = "leg-1" }]);
        Assert.Equal(AgentState.Break, (await Agent(id))!.State);
        await grain.ApplyEventsAsync(4, 0, [State(id, AgentState.Available, Day("09:45:00")) with { Seq = 4, Id = "leg-3" }]);
        var after = await Agent(id);
        Assert.Equal((AgentState.Available, T(Day("09:45:00"))), (after!.State, after.StateSince));

        // And its next checkpoint stores the compact timeline.
        await grain.CheckpointAsync();
        var stored = new GrainState<AgentGrainState>();
        await storage.ReadStateAsync("agent", GrainId.Create("agent", id), stored);
        Assert.Null(stored.State!.LegacyTimeline);
        Assert.Equal([1L, 2L, 4L], stored.State.Timeline.Select(c => c.Seq));
    }

    [Fact]
    public async Task An_agent_stored_with_whole_link_records_loads_them_and_stores_the_compact_form()
    {
        // Agent state as version 2 stored it: the links as the contacts sent them (field 5).
        const string id = "ag-legacy-links";
        var storage = fx.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(OpsGrainStorage.Name);
        var answered = T(Day("10:00:00")).AddTicks(1_234);
        var legacy = new AgentGrainState
        {
            Timeline = [new StateChange(1, T(Day("10:05:00")), AgentState.OnContact)],
            LegacyLinks = new()
            {
                ["done"] = new AgentLink(id, "done", "billing", answered, answered.AddSeconds(95.5), false, answered, 12),
                ["now"] = new AgentLink(id, "now", "billing", T(Day("10:05:00")), null, false, T(Day("10:05:00")), 7.25),
            },
            LastSeq = 1,
        };
        await storage.WriteStateAsync("agent", GrainId.Create("agent", id), new GrainState<AgentGrainState>(legacy));

        var loaded = (await Agent(id))!;
        Assert.Equal((1, 95_500L), (loaded.HandledToday, loaded.HandleMsToday));
        Assert.Equal(("now", T(Day("10:05:00")), 7.25), (loaded.CurrentContactId, loaded.CurrentContactAnsweredAt, loaded.CurrentContactWaitSeconds));

        // Links sent after the conversion change and remove the converted ones, and add new ones once each.
        var grain = fx.Grains.GetGrain<IAgentGrain>(id);
        await grain.ApplyLinksAsync(2, [new AgentLink(id, "done", "billing", answered, null, Removed: true, answered)]);
        Assert.Equal(0, (await Agent(id))!.HandledToday);
        var next = new AgentLink(id, "next", "billing", T(Day("10:20:00")), T(Day("10:21:00")), false, T(Day("10:20:00")));
        await grain.ApplyLinksAsync(3, [next, next with { HandleEndAt = T(Day("10:22:00")) }]);
        Assert.Equal((1, 120_000L), ((await Agent(id))!.HandledToday, (await Agent(id))!.HandleMsToday));
        await grain.ApplyLinksAsync(4, [next with { Removed = true, HandleEndAt = null }]);

        await grain.CheckpointAsync();
        var stored = new GrainState<AgentGrainState>();
        await storage.ReadStateAsync("agent", GrainId.Create("agent", id), stored);
        Assert.Null(stored.State!.LegacyLinks);
        var now = Assert.Single(stored.State.Links);
        Assert.Equal(new HeldLink("now", T(Day("10:05:00")).UtcTicks, T(Day("10:05:00")).UtcTicks, HeldLink.None, 7.25), now);
    }

    [Fact]
    public void A_held_link_keeps_the_links_instants_to_the_tick()
    {
        var answered = DateTimeOffset.Parse("2026-11-23T10:00:00.1234567+01:00");
        var held = HeldLink.Of(new AgentLink("a", "c", "q", answered, answered.AddTicks(99), false, answered.AddTicks(-5), 3.5));

        Assert.Equal(answered, held.AnsweredAt);
        Assert.Equal(answered.AddTicks(99), held.HandleEndAt);
        Assert.Equal(answered.AddTicks(-5), held.FirstAnsweredAt);
        Assert.Equal(3.5, held.WaitSeconds);
        var open = HeldLink.Of(new AgentLink("a", "c", "q", answered, null, false, answered));
        Assert.Null(open.HandleEndAt);
        Assert.Null(open.WaitSeconds);
        Assert.Equal(0.1 + 0.2, HeldLink.Of(new AgentLink("a", "c", "q", answered, null, false, answered, 0.1 + 0.2)).WaitSeconds);
    }

    private async Task<AgentGrainState> StoredAsync(string id)
    {
        var storage = fx.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(OpsGrainStorage.Name);
        await fx.Grains.GetGrain<IAgentGrain>(id).CheckpointAsync();
        var stored = new GrainState<AgentGrainState>();
        await storage.ReadStateAsync("agent", GrainId.Create("agent", id), stored);
        return stored.State!;
    }

    [Fact]
    public async Task Open_links_answered_more_than_a_day_and_a_half_before_the_agents_latest_change_are_dropped()
    {
        const string id = "ag-prune-links";
        var grain = fx.Grains.GetGrain<IAgentGrain>(id);
        var now = T(Day("12:00:00"));
        AgentLink Open(string contact, DateTimeOffset at) => new(id, contact, "billing", at, null, false, at);
        await grain.ApplyLinksAsync(1, [Open("old", now.AddHours(-37)), Open("kept", now.AddHours(-35)), Open("today", now.AddHours(-1))]);
        await grain.ApplyEventsAsync(2, 0, [State(id, AgentState.Available, Day("11:59:00")) with { Seq = 2, Id = "pl-1" }]);
        await grain.ApplyEventsAsync(3, 0, [State(id, AgentState.Break, Day("12:00:00")) with { Seq = 3, Id = "pl-2" }]);

        Assert.Equal(["kept", "today"], (await StoredAsync(id)).Links.Select(l => l.ContactId));
    }

    [Fact]
    public async Task Settled_links_fold_into_the_day_totals_once_durable_and_past_the_timeline_and_late_changes_to_them_count_exactly()
    {
        const string id = "ag-fold";
        var grain = fx.Grains.GetGrain<IAgentGrain>(id);
        AgentLink Link(string contact, string answered, string? end) =>
            new(id, contact, "billing", T(Day(answered)), end is null ? null : T(Day(end)), false, T(Day(answered)));
        async Task<(int, long)> Today() { var a = (await Agent(id))!; return (a.HandledToday, a.HandleMsToday); }

        // a: 09:00..09:03 (180 s, round 1), b: 09:10..09:14 (240 s, round 2), open: answered 11:00 (round 3).
        await grain.ApplyLinksAsync(1, [Link("a", "09:00:00", "09:03:00")]);
        await grain.ApplyLinksAsync(2, [Link("b", "09:10:00", "09:14:00")]);
        await grain.ApplyLinksAsync(3, [Link("open", "11:00:00", null)]);
        // The timeline keeps two hours before its latest change and the state at that cutoff: from 09:30 on.
        await grain.ApplyEventsAsync(4, 1, [
            State(id, AgentState.Available, Day("09:30:00")) with { Seq = 4, Id = "fold-1" },
            State(id, AgentState.OnContact, Day("11:00:00")) with { Seq = 4, Id = "fold-2" },
            State(id, AgentState.OnContact, Day("11:45:00")) with { Seq = 4, Id = "fold-3" }]);

        // Only what the recovery point (1) has passed folds: b is still held, and nothing is counted twice.
        var stored = await StoredAsync(id);
        Assert.Equal(["b", "open"], stored.Links.Select(l => l.ContactId));
        Assert.Equal((2, 420_000L), await Today());
        Assert.Equal("open", (await Agent(id))!.CurrentContactId);

        await grain.ApplyEventsAsync(5, 4, [State(id, AgentState.WrapUp, Day("11:50:00")) with { Seq = 5, Id = "fold-4" }]);
        stored = await StoredAsync(id);
        Assert.Equal(["open"], stored.Links.Select(l => l.ContactId));
        Assert.Equal((2, 420_000L), await Today());
        var day = Assert.Single(stored.Days);
        Assert.Equal(new DayTotal(new DateOnly(2026, 11, 23).DayNumber, 2, 420_000), day);

        // A late change to folded a (now ends 09:05, 300 s) takes its old 180 s out; sent again (a replay), nothing changes.
        var changed = Link("a", "09:00:00", "09:05:00") with { WasAnsweredAt = T(Day("09:00:00")), WasHandleEndAt = T(Day("09:03:00")) };
        await grain.ApplyLinksAsync(6, [changed]);
        Assert.Equal((2, 540_000L), await Today());
        await grain.ApplyLinksAsync(6, [changed]);
        Assert.Equal((2, 540_000L), await Today());

        // Folded b is undone by a late event: its 240 s come out.
        await grain.ApplyLinksAsync(7, [Link("b", "09:10:00", null) with { Removed = true, WasAnsweredAt = T(Day("09:10:00")), WasHandleEndAt = T(Day("09:14:00")) }]);
        Assert.Equal((1, 300_000L), await Today());

        // The open contact ends: counted, and it folds once durable and behind the timeline like the others.
        await grain.ApplyLinksAsync(8, [Link("open", "11:00:00", "11:52:00") with { WasAnsweredAt = T(Day("11:00:00")) }]);
        Assert.Equal((2, 300_000L + 3_120_000L), await Today());
        await grain.ApplyEventsAsync(9, 8, [
            State(id, AgentState.Available, Day("11:53:00")) with { Seq = 9, Id = "fold-5" },
            State(id, AgentState.Break, Day("14:00:00")) with { Seq = 9, Id = "fold-6" }]);
        stored = await StoredAsync(id);
        Assert.Empty(stored.Links);
        Assert.Equal((2, 3_420_000L), await Today());
    }

    [Fact]
    public async Task An_agent_stored_before_day_totals_counts_its_held_links_when_loaded()
    {
        const string id = "ag-v3";
        var storage = fx.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(OpsGrainStorage.Name);
        var v3 = new AgentGrainState
        {
            Timeline = [new StateChange(1, T(Day("10:05:00")), AgentState.Available)],
            Links =
            [
                HeldLink.Of(new AgentLink(id, "x", "billing", T(Day("09:00:00")), T(Day("09:02:00")), false, T(Day("09:00:00")))),
                HeldLink.Of(new AgentLink(id, "y", "billing", T(Day("09:10:00")), T(Day("09:10:30")), false, T(Day("09:10:00")))),
                HeldLink.Of(new AgentLink(id, "z", "billing", T(Day("10:00:00")), null, false, T(Day("10:00:00")))),
            ],
            LastSeq = 1,
        };
        await storage.WriteStateAsync("agent", GrainId.Create("agent", id), new GrainState<AgentGrainState>(v3));

        var loaded = (await Agent(id))!;
        Assert.Equal((2, 150_000L), (loaded.HandledToday, loaded.HandleMsToday));
        Assert.Equal(AgentGrainState.CurrentVersion, (await StoredAsync(id)).Version);
    }

    [Fact]
    public async Task A_flapping_agent_keeps_only_its_newest_state_changes()
    {
        const string id = "ag-flapping";
        var grain = fx.Grains.GetGrain<IAgentGrain>(id);
        // 200 changes within ten minutes: far more than a real agent makes in two hours.
        var changes = Enumerable.Range(1, 200).Select(i =>
            State(id, i % 2 == 0 ? AgentState.Available : AgentState.OnContact, T(Day("10:00:00")).AddSeconds(3 * i).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture)) with { Seq = i, Id = $"flap-{i}" }).ToList();
        await grain.ApplyEventsAsync(200, 0, changes);

        var timeline = (await StoredAsync(id)).Timeline;
        Assert.Equal(AgentGrain.MaxTimeline, timeline.Count);
        Assert.Equal(Enumerable.Range(201 - AgentGrain.MaxTimeline, AgentGrain.MaxTimeline).Select(i => (long)i), timeline.Select(c => c.Seq));
        Assert.Equal((AgentState.Available, T(Day("10:00:00")).AddSeconds(600)), ((await Agent(id))!.State, (await Agent(id))!.StateSince));
    }
}
