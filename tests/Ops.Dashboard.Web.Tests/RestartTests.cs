using Ops.Dashboard.Testing;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The real thing: the built app as a child process, killed hard (no graceful stop, so no final
/// checkpoint) and started again on the same SQLite file. The log is the source of truth; after
/// recovery every figure must be what it was, and later events must add up without double counting.
/// </summary>
public abstract class RestartTestBase(ITestOutputHelper output) : IDisposable
{
    protected static readonly string[] QueueIds = ["billing", "tech", "sales", "chat", "tickets", "social"];

    protected string Directory { get; } = SupportNet.NewTempDirectory("ops-restart-");
    protected string DatabasePath => Path.Combine(Directory, "ops.db");
    protected ITestOutputHelper Output { get; } = output;

    public void Dispose()
    {
        SupportNet.DeleteQuietly(Directory);
        GC.SuppressFinalize(this);
    }

    /// <summary>The time span the figures are read over: the live window and the backfilled day.</summary>
    protected sealed record Window(DateTimeOffset From, DateTimeOffset To, DateOnly FirstDay, DateOnly LastDay);

    /// <summary>Traffic of the last <paramref name="minutes"/> minutes up to a minute ago, checked realistic, and the window to read it over.</summary>
    protected (Traffic Traffic, Window Window) RecentTraffic(int seed, string prefix, int minutes, int contacts, int agents)
    {
        var now = SiteTime.Now();
        var start = now.AddMinutes(-minutes);
        var traffic = Traffic.Generate(seed, prefix, start, now.AddMinutes(-1), contacts, agents);
        AssertRealistic(traffic.Events);
        return (traffic, new Window(start, now, DateOnly.FromDateTime(SiteTime.ToSite(start).DateTime), SiteTime.Today()));
    }

    /// <summary>The traffic has every kind of event, so the restart is tested on all of them.</summary>
    protected void AssertRealistic(IReadOnlyList<JsonObject> events)
    {
        var types = events.GroupBy(e => (string)e["type"]!).ToDictionary(g => g.Key, g => g.Count());
        Output.WriteLine(string.Join(", ", types.OrderBy(t => t.Key).Select(t => $"{t.Key}: {t.Value}")));
        foreach (var type in new[] { "contact.created", "contact.answered", "contact.abandoned", "contact.transferred", "contact.resolved", "contact.csat", "agent.state", "agent.queues" })
            Assert.True(types.GetValueOrDefault(type) > 0, $"the generated traffic has no {type}");
        Assert.Equal(6, events.Where(e => (string?)e["type"] == "contact.created").Select(e => (string?)e["queue"]).Distinct().Count());
    }

    protected static async Task PostAllAsync(OpsApi api, IEnumerable<JsonObject> events, int batchSize = 100)
    {
        foreach (var batch in Traffic.Batches(events, batchSize))
        {
            var (accepted, duplicates) = await api.PostAsync(batch);
            Assert.Equal(batch.Count, accepted + duplicates);
        }
    }

    /// <summary>
    /// Every read that shows figures, minus live-clock fields (longestWaitSeconds). When the site day
    /// changed between two snapshots "today" is left out, since it then means another day.
    /// </summary>
    protected static async Task<SortedDictionary<string, string>> SnapshotAsync(OpsApi api, Window w, IReadOnlyList<string> contacts)
    {
        var s = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var queues = await api.QueuesAsync();
        foreach (var q in queues.Select(q => q!.AsObject()))
        {
            q.Remove("longestWaitSeconds");
            s[$"today-start"] = (string)q["today"]!["start"]!;
            s[$"queue {q["id"]}"] = q.ToJsonString();
        }
        s["agents"] = (await api.AgentsAsync()).ToJsonString();
        var from15 = w.From.AddTicks(-(w.From.UtcTicks % TimeSpan.FromMinutes(15).Ticks));
        s["stats 15m all"] = (await api.StatsAsync(null, from15, w.To)).ToJsonString();
        var dayFrom = SiteTime.DayStart(w.FirstDay);
        var dayTo = SiteTime.DayStart(w.LastDay.AddDays(1));
        s["stats 1d all"] = (await api.StatsAsync(null, dayFrom, dayTo, "1d")).ToJsonString();
        s["stats 1h all"] = (await api.StatsAsync(null, from15, w.To, "1h")).ToJsonString();
        foreach (var q in QueueIds)
        {
            s[$"stats 15m {q}"] = (await api.StatsAsync(q, from15, w.To)).ToJsonString();
            s[$"stats 1d {q}"] = (await api.StatsAsync(q, dayFrom, dayTo, "1d")).ToJsonString();
        }
        foreach (var id in contacts) s[$"contact {id}"] = (await api.RequiredContactAsync(id)).ToJsonString();
        return s;
    }

    /// <summary>Compares two snapshots and lists every difference (figures first, then agents and contacts).</summary>
    protected static void AssertSameFigures(SortedDictionary<string, string> expected, SortedDictionary<string, string> actual, string when)
    {
        var sameDay = expected["today-start"] == actual["today-start"];
        Assert.Equal(expected.Keys, actual.Keys);
        var differences = new List<string>();
        foreach (var key in expected.Keys.OrderBy(k => k.StartsWith("stats", StringComparison.Ordinal) ? 0 : k.StartsWith("queue", StringComparison.Ordinal) ? 1 : k == "agents" ? 2 : 3))
        {
            var (e, a) = (expected[key], actual[key]);
            if (!sameDay && key == "today-start") continue;
            if (!sameDay && (key.StartsWith("queue ", StringComparison.Ordinal) || key == "agents"))
            {
                (e, a) = (WithoutToday(e), WithoutToday(a));
            }
            if (e == a) continue;
            if (JsonNode.Parse(e) is JsonArray ea && JsonNode.Parse(a) is JsonArray aa && ea.Count == aa.Count)
            {
                for (var i = 0; i < ea.Count; i++)
                {
                    var (x, y) = (ea[i]!.ToJsonString(), aa[i]!.ToJsonString());
                    if (x != y) differences.Add($"{key}[{i}]:\n  expected {x}\n  actual   {y}");
                }
            }
            else
            {
                differences.Add($"{key}:\n  expected {e}\n  actual   {a}");
            }
        }
        Assert.True(differences.Count == 0,
            $"{when}: {differences.Count} differences:\n" + string.Join("\n", differences.Take(12)) + (differences.Count > 12 ? "\n..." : ""));
    }

    private static string WithoutToday(string json)
    {
        var node = JsonNode.Parse(json);
        if (node is JsonObject o) o.Remove("today");
        if (node is JsonArray agents)
            foreach (var a in agents.Select(a => a!.AsObject()))
            {
                a.Remove("handledToday");
                a.Remove("handleSecondsToday");
            }
        return node?.ToJsonString() ?? json;
    }

    /// <summary>
    /// Twelve new sales calls in one 15-minute interval, each answered after 8 s and resolved after
    /// 60 s of talk (known increments), plus the abandon of one contact that was left waiting.
    /// </summary>
    protected static (List<JsonObject> Events, DateTimeOffset Interval, (string Id, string Queue, DateTimeOffset Since) Gone, DateTimeOffset GoneAt)
        LaterEvents(string prefix, DateTimeOffset windowFrom, (string Id, string Queue, DateTimeOffset Since) waiting, DateTimeOffset goneAt)
    {
        var interval = SiteTime.ToSite(windowFrom.AddMinutes(30));
        interval = interval.AddTicks(-(interval.UtcTicks % TimeSpan.FromMinutes(15).Ticks));
        var events = new List<JsonObject>();
        for (var i = 0; i < 12; i++)
        {
            var at = interval.AddMinutes(1).AddSeconds(5 * i);
            string contact = $"{prefix}-later-c{i}", agent = $"{prefix}-later-a{i}";
            events.AddRange([
                WireEvents.Created(contact, "sales", at),
                WireEvents.AgentState(agent, "on_contact", at.AddSeconds(8)),
                WireEvents.Answered(contact, agent, at.AddSeconds(8)),
                WireEvents.Resolved(contact, at.AddSeconds(68), agent),
                WireEvents.AgentState(agent, "available", at.AddSeconds(68)),
            ]);
        }
        events.Add(WireEvents.Abandoned(waiting.Id, goneAt));
        return (events, interval, waiting, goneAt);
    }

    /// <summary>Asserts after = before + the later events' increments, interval by interval.</summary>
    protected static void AssertAddsUp(SortedDictionary<string, string> before, SortedDictionary<string, string> after,
        DateTimeOffset salesInterval, string goneQueue, DateTimeOffset goneAt)
    {
        bool In(JsonNode row, DateTimeOffset at) => OpsApi.Instant(row["start"]) <= at && at < OpsApi.Instant(row["end"]);
        foreach (var key in before.Keys.Where(k => k.StartsWith("stats ", StringComparison.Ordinal)))
        {
            var queue = key.Split(' ')[2];
            var b = JsonNode.Parse(before[key])!.AsArray();
            var a = JsonNode.Parse(after[key])!.AsArray();
            Assert.Equal(b.Count, a.Count);
            for (var i = 0; i < b.Count; i++)
            {
                var expected = Figures.Counts.ToDictionary(f => f, f => Figures.Count(b[i]!, f));
                if ((queue is "all" or "sales") && In(b[i]!, salesInterval))
                {
                    foreach (var f in new[] { "offered", "answered", "answeredWithinThreshold", "handled" }) expected[f] += 12;
                }
                if ((queue == "all" || queue == goneQueue) && In(b[i]!, goneAt)) expected["abandoned"] += 1;
                var actual = Figures.Counts.ToDictionary(f => f, f => Figures.Count(a[i]!, f));
                Assert.True(expected.SequenceEqual(actual),
                    $"{key} {b[i]!["start"]}: expected {string.Join(", ", expected)}, got {string.Join(", ", actual)}");
            }
        }
        var waitingBefore = (int)JsonNode.Parse(before[$"queue {goneQueue}"])!["waiting"]!;
        var waitingAfter = (int)JsonNode.Parse(after[$"queue {goneQueue}"])!["waiting"]!;
        Assert.Equal(waitingBefore - 1, waitingAfter);
    }
}

public sealed class RestartAfterApplyTests(ITestOutputHelper output) : RestartTestBase(output)
{
    [Fact]
    public async Task Figures_survive_a_hard_kill_and_later_events_add_up_without_double_counting()
    {
        var now = SiteTime.Now();
        var live = Traffic.Generate(seed: 11, prefix: "r1", start: now.AddMinutes(-100), end: now.AddMinutes(-1), contacts: 160, agents: 9);
        var backfillEnd = now.AddDays(-3);
        var backfill = Traffic.Generate(seed: 12, prefix: "r1-bf", start: backfillEnd.AddHours(-1), end: backfillEnd, contacts: 40, agents: 6);
        var all = backfill.Events.Concat(live.Events).ToList();
        var window = new Window(now.AddMinutes(-100), now, DateOnly.FromDateTime(SiteTime.ToSite(backfillEnd.AddHours(-1)).DateTime), SiteTime.Today());
        List<string> contacts = [.. live.ContactIds, .. backfill.ContactIds];
        Assert.InRange(all.Count, 500, 5000);
        AssertRealistic(all);

        SortedDictionary<string, string> beforeKill;
        await using (var first = await AppProcess.StartAsync(DatabasePath))
        {
            await PostAllAsync(first.Api, all);
            await first.Api.WaitUntilAppliedAsync();
            beforeKill = await SnapshotAsync(first.Api, window, contacts);
            first.Kill();
        }

        var waiting = live.WaitingAtEnd.First(w => w.Queue == "social");
        var (later, interval, gone, goneAt) = LaterEvents("r1", window.From, waiting, now.AddSeconds(-20));
        SortedDictionary<string, string> afterLater;
        await using (var second = await AppProcess.StartAsync(DatabasePath))
        {
            AssertSameFigures(beforeKill, await SnapshotAsync(second.Api, window, contacts), "after a hard kill and restart");

            await PostAllAsync(second.Api, later);
            var (accepted, duplicates) = await second.Api.PostAsync(all.Take(3000));
            Assert.Equal((0, Math.Min(3000, all.Count)), (accepted, duplicates));
            await second.Api.WaitUntilAppliedAsync();
            afterLater = await SnapshotAsync(second.Api, window, contacts);
            AssertAddsUp(beforeKill, afterLater, interval, gone.Queue, goneAt);
            Assert.Equal("abandoned", (string?)(await second.Api.RequiredContactAsync(gone.Id))["status"]);
            second.Kill();
        }

        await using var third = await AppProcess.StartAsync(DatabasePath);
        AssertSameFigures(afterLater, await SnapshotAsync(third.Api, window, contacts), "after the second hard kill");
        Output.WriteLine($"{all.Count} events, {later.Count} later events");
    }
}

public sealed class RestartDuringApplyTests(ITestOutputHelper output) : RestartTestBase(output)
{
    [Fact]
    public async Task Events_posted_right_before_a_hard_kill_are_recovered_with_the_same_figures_as_a_clean_run()
    {
        var (traffic, window) = RecentTraffic(seed: 21, prefix: "r2", minutes: 240, contacts: 750, agents: 16);
        var contacts = traffic.ContactIds;
        var head = traffic.Events.Take(300).ToList();
        var large = traffic.Events.Skip(300).ToList();
        Assert.InRange(large.Count, 2000, 4900);
        var referencePath = Path.Combine(Directory, "reference.db");

        await using (var first = await AppProcess.StartAsync(DatabasePath))
        {
            await PostAllAsync(first.Api, head);
            await first.Api.WaitUntilAppliedAsync();
            // One large batch, and the kill as soon as it is durably stored (the 202), long before the
            // dispatcher could apply it all or a checkpoint could run.
            var (accepted, duplicates) = await first.Api.PostAsync(large);
            first.Kill();
            Assert.Equal((large.Count, 0), (accepted, duplicates));
        }

        var recoveringTask = AppProcess.StartAsync(DatabasePath);
        var referenceTask = AppProcess.StartAsync(referencePath);
        await using var recovered = await recoveringTask;
        await using var reference = await referenceTask;
        // The same batches, applied without a kill.
        await PostAllAsync(reference.Api, head);
        await reference.Api.WaitUntilAppliedAsync();
        await reference.Api.PostAsync(large);
        await reference.Api.WaitUntilAppliedAsync();

        var expected = await SnapshotAsync(reference.Api, window, contacts);
        AssertSameFigures(expected, await SnapshotAsync(recovered.Api, window, contacts), "recovered from the log vs a clean run");
        Assert.Equal((0, large.Count), await recovered.Api.PostAsync(large));

        var waiting = traffic.WaitingAtEnd.First(w => w.Queue == "social");
        var (later, interval, gone, goneAt) = LaterEvents("r2", window.From, waiting, window.To.AddSeconds(-20));
        await PostAllAsync(recovered.Api, later);
        await recovered.Api.WaitUntilAppliedAsync();
        AssertAddsUp(expected, await SnapshotAsync(recovered.Api, window, contacts), interval, gone.Queue, goneAt);
        Output.WriteLine($"{head.Count} + {large.Count} events; recovery log:\n{recovered.Output}");
    }
}

public sealed class RestartAfterFoldingTests(ITestOutputHelper output) : RestartTestBase(output)
{
    // The dispatcher checkpoints every 10 s and only then moves the recovery point that lets agents fold links.
    private static readonly TimeSpan PastACheckpoint = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task Agents_that_folded_links_into_their_day_totals_recover_from_a_hard_kill_with_the_figures_of_a_clean_run()
    {
        // Six hours: agents remember two, so links of the first four fold once the recovery point has passed them.
        var (traffic, window) = RecentTraffic(seed: 41, prefix: "r4", minutes: 360, contacts: 700, agents: 8);
        var events = traffic.Events;
        int middleAt = events.Count * 6 / 10, lateAt = events.Count * 9 / 10;
        var (early, middle, late) = (events[..middleAt], events[middleAt..lateAt], events[lateAt..]);

        await using (var first = await AppProcess.StartAsync(DatabasePath))
        {
            await PostAllAsync(first.Api, early);
            await first.Api.WaitUntilAppliedAsync();
            await Task.Delay(PastACheckpoint); // the early rounds become durable
            await PostAllAsync(first.Api, middle); // agents fold what the early rounds told them
            await first.Api.WaitUntilAppliedAsync();
            await Task.Delay(PastACheckpoint); // the folds are checkpointed
            var (accepted, _) = await first.Api.PostAsync(late);
            first.Kill(); // replays the late rounds onto agents that have folded links
            Assert.Equal(late.Count, accepted);
        }

        var recoveringTask = AppProcess.StartAsync(DatabasePath);
        var referenceTask = AppProcess.StartAsync(Path.Combine(Directory, "reference.db"));
        await using var recovered = await recoveringTask;
        await using var reference = await referenceTask;
        await PostAllAsync(reference.Api, events);
        await reference.Api.WaitUntilAppliedAsync();
        await recovered.Api.WaitUntilAppliedAsync();

        var expected = await SnapshotAsync(reference.Api, window, traffic.ContactIds);
        AssertSameFigures(expected, await SnapshotAsync(recovered.Api, window, traffic.ContactIds), "recovered after folding vs a clean run");
        Output.WriteLine($"{early.Count} + {middle.Count} + {late.Count} events");
    }
}

public sealed class RestartGracefulTests(ITestOutputHelper output) : RestartTestBase(output)
{
    [Fact]
    public async Task A_graceful_stop_exits_cleanly_and_the_next_start_has_the_same_figures()
    {
        var (traffic, window) = RecentTraffic(seed: 31, prefix: "r3", minutes: 60, contacts: 120, agents: 8);

        SortedDictionary<string, string> before;
        int exitCode;
        string log;
        await using (var first = await AppProcess.StartAsync(DatabasePath))
        {
            await PostAllAsync(first.Api, traffic.Events);
            await first.Api.WaitUntilAppliedAsync();
            before = await SnapshotAsync(first.Api, window, traffic.ContactIds);
            exitCode = await first.StopGracefullyAsync();
            log = first.Output;
        }

        await using var second = await AppProcess.StartAsync(DatabasePath);
        AssertSameFigures(before, await SnapshotAsync(second.Api, window, traffic.ContactIds), "after a graceful stop and restart");
        Assert.True(exitCode == 0, $"SIGTERM should end the app with exit code 0, it gave {exitCode}:\n{log}");
        Assert.DoesNotContain("Exception", log);
    }
}

/// <summary>The in-process host (as the other API tests use it) on its own: stopping it must not fail.</summary>
public sealed class RestartInProcessTests
{
    [Fact]
    public async Task A_graceful_stop_of_the_host_completes_without_errors_and_a_new_host_on_the_same_file_has_the_figures()
    {
        var first = new TestHost();
        await first.InitializeAsync();
        var contact = WireEvents.NewId("c-stop-");
        var at = SiteTime.Local(2026, 10, 20, 10, 0);
        await first.Api.IngestAsync([WireEvents.Created(contact, "billing", at), WireEvents.Answered(contact, "a-stop", at.AddSeconds(4))]);

        var stop = await Record.ExceptionAsync(first.StopAsync);

        var second = new TestHost(first.DataDirectory);
        await second.InitializeAsync();
        try
        {
            Figures.AssertCounts(await second.Api.IntervalAsync("billing", at), "after the stop", offered: 1, answered: 1, answeredWithinThreshold: 1);
            Assert.True(stop is null, $"stopping the host threw {stop}");
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}
