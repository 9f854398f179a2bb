using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Ops.Dashboard.Domain;
using Xunit.Abstractions;

namespace Ops.Dashboard.Storage.Tests;

public sealed class EventLogTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 3, 9, 0, 0, TimeSpan.FromHours(1));
    private static readonly DateTimeOffset Received = new(2026, 11, 3, 8, 30, 0, TimeSpan.Zero);

    private readonly TempDatabase _temp = new();
    private readonly EventLog _log;
    private readonly ITestOutputHelper _output;

    public EventLogTests(ITestOutputHelper output)
    {
        _output = output;
        _log = new EventLog(_temp.Db);
    }

    public void Dispose() => _temp.Dispose();

    private static OpsEvent Created(string id, string contactId, DateTimeOffset? at = null) => new()
    {
        Id = id,
        Type = EventType.ContactCreated,
        At = at ?? T0,
        ContactId = contactId,
        Queue = "billing",
        Channel = Channel.Phone,
        Priority = Priority.Medium,
    };

    private static OpsEvent AgentStateEvent(string id, string agentId, DateTimeOffset at, AgentState state) => new()
    {
        Id = id,
        Type = EventType.AgentState,
        At = at,
        AgentId = agentId,
        State = state,
    };

    [Fact]
    public async Task Append_stores_new_events_in_input_order_with_increasing_seq()
    {
        var batch = new[] { Created("e1", "c1"), Created("e2", "c2"), Created("e3", "c3") };

        var result = await _log.AppendAsync(batch, Received);

        Assert.Equal(0, result.Duplicates);
        Assert.Equal(["e1", "e2", "e3"], result.Stored.Select(e => e.Id));
        Assert.Equal([1L, 2L, 3L], result.Stored.Select(e => e.Seq));
        Assert.Equal(3, await _log.CountAsync());
        Assert.Equal(3, await _log.MaxSeqAsync());
    }

    [Fact]
    public async Task Append_counts_an_id_repeated_inside_the_batch_as_a_duplicate()
    {
        var first = Created("dup", "c1");
        var repeat = Created("dup", "c-other");

        var result = await _log.AppendAsync([first, Created("e2", "c2"), repeat], Received);

        Assert.Equal(1, result.Duplicates);
        Assert.Equal(["dup", "e2"], result.Stored.Select(e => e.Id));
        // The first occurrence wins.
        Assert.Equal("c1", (await _log.ReadAfterAsync(0, 10)).Single(e => e.Id == "dup").ContactId);
    }

    [Fact]
    public async Task Append_counts_ids_already_stored_as_duplicates_and_keeps_seq_increasing()
    {
        await _log.AppendAsync([Created("e1", "c1"), Created("e2", "c1")], Received);

        var result = await _log.AppendAsync([Created("e2", "c1"), Created("e3", "c1"), Created("e1", "c1")], Received);

        Assert.Equal(2, result.Duplicates);
        var stored = Assert.Single(result.Stored);
        Assert.Equal("e3", stored.Id);
        // Increasing, not gapless: SQLite's AUTOINCREMENT spends a number on the skipped duplicate.
        Assert.True(stored.Seq > 2);
        Assert.Equal(stored.Seq, await _log.MaxSeqAsync());
        Assert.Equal(3, await _log.CountAsync());
        Assert.Equal(["e1", "e2", "e3"], (await _log.ReadAfterAsync(0, 10)).Select(e => e.Id));
    }

    [Fact]
    public async Task Append_stores_nothing_of_a_batch_that_fails_midway()
    {
        await _log.AppendAsync([Created("before", "c0")], Received);
        var batch = new[] { Created("a", "c1"), Created("b", "c1"), Created(null!, "c1"), Created("d", "c1") };

        await Assert.ThrowsAsync<SqliteException>(() => _log.AppendAsync(batch, Received));

        Assert.Equal(1, await _log.CountAsync());
        Assert.Equal(["before"], (await _log.ReadAfterAsync(0, 10)).Select(e => e.Id));
        // The log stays usable, and the rolled-back ids are free to be stored later.
        var retry = await _log.AppendAsync([Created("a", "c1")], Received);
        Assert.Single(retry.Stored);
    }

    [Fact]
    public async Task Append_of_an_empty_batch_stores_nothing()
    {
        var result = await _log.AppendAsync([], Received);

        Assert.Empty(result.Stored);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(0, await _log.MaxSeqAsync());
    }

    [Fact]
    public async Task Concurrent_appends_are_all_stored_with_distinct_seqs()
    {
        var batches = Enumerable.Range(0, 8)
            .Select(b => Enumerable.Range(0, 250).Select(i => Created($"b{b}-e{i}", $"c{i}")).ToList())
            .ToList();

        var results = await Task.WhenAll(batches.Select(b => Task.Run(() => _log.AppendAsync(b, Received))));

        var seqs = results.SelectMany(r => r.Stored.Select(e => e.Seq)).ToList();
        Assert.Equal(2000, seqs.Distinct().Count());
        Assert.Equal(2000, await _log.CountAsync());
        // Each batch is one transaction, so its seqs are contiguous.
        Assert.All(results, r => Assert.Equal(r.Stored[0].Seq + r.Stored.Count - 1, r.Stored[^1].Seq));
    }

    [Fact]
    public async Task ReadContact_returns_only_that_contacts_events_in_seq_order()
    {
        var later = Created("late-but-first", "c1", T0.AddMinutes(10));
        await _log.AppendAsync([later, Created("x", "c2"), Created("early", "c1", T0)], Received);

        var events = await _log.ReadContactAsync("c1");

        Assert.Equal(["late-but-first", "early"], events.Select(e => e.Id));
        Assert.True(events[0].Seq < events[1].Seq);
        Assert.Empty(await _log.ReadContactAsync("nobody"));
    }

    [Fact]
    public async Task ReadAgent_returns_the_agents_state_and_queue_events_since_a_time()
    {
        var since = T0.AddTicks(5_000); // half a millisecond past T0
        var answered = new OpsEvent { Id = "answered", Type = EventType.ContactAnswered, At = T0.AddMinutes(1), ContactId = "c1", AgentId = "a1" };
        var queues = new OpsEvent { Id = "queues", Type = EventType.AgentQueues, At = T0.AddMinutes(2), AgentId = "a1", Queues = ["billing", "tech"] };
        await _log.AppendAsync(
        [
            AgentStateEvent("too-early", "a1", T0, AgentState.Available), // same millisecond as since, but before it
            AgentStateEvent("at-since", "a1", since, AgentState.Break),
            answered,
            queues,
            AgentStateEvent("other-agent", "a2", T0.AddMinutes(3), AgentState.Available),
            AgentStateEvent("backfilled", "a1", T0.AddMinutes(1), AgentState.OnContact),
        ], Received);

        var events = await _log.ReadAgentAsync("a1", since);

        Assert.Equal(["at-since", "queues", "backfilled"], events.Select(e => e.Id));
        Assert.Equal(
            ["too-early", "at-since", "queues", "backfilled"],
            (await _log.ReadAgentAsync("a1", DateTimeOffset.MinValue)).Select(e => e.Id));
    }

    private long IndexRows(string? agent = null)
    {
        using var connection = _temp.Db.Open();
        return connection.ExecuteScalar<long>(
            "SELECT count(*) FROM agent_state_index WHERE @agent IS NULL OR agent_id = @agent;", new { agent });
    }

    private long IndexProgress()
    {
        using var connection = _temp.Db.Open();
        return connection.ExecuteScalar<long>("SELECT seq FROM agent_state_index_progress;");
    }

    [Fact]
    public async Task Agent_reads_are_the_same_from_waiting_entries_from_the_table_and_from_both()
    {
        var stored = (await _log.AppendAsync(
        [
            AgentStateEvent("s1", "a1", T0, AgentState.Available),
            AgentStateEvent("s2", "a1", T0.AddMinutes(2), AgentState.OnContact),
            AgentStateEvent("other", "a2", T0.AddMinutes(1), AgentState.Break),
        ], Received)).Stored;
        Assert.Equal(0, IndexRows()); // nothing flushed yet: the entries wait in memory

        var before = (await _log.ReadAgentAsync("a1", T0)).Select(e => e.Id).ToList();
        var latestBefore = await _log.LatestAgentStateTimesAsync(stored[^1].Seq);
        await _log.FlushAgentStatesAsync();

        Assert.Equal(3, IndexRows());
        Assert.Equal(stored[^1].Seq, IndexProgress());
        Assert.Equal(["s1", "s2"], before);
        Assert.Equal(before, (await _log.ReadAgentAsync("a1", T0)).Select(e => e.Id));
        Assert.Equal(latestBefore, await _log.LatestAgentStateTimesAsync(stored[^1].Seq));

        // Newer entries wait again; a read merges them with the table's, in log order, bounded by seq and time.
        var later = (await _log.AppendAsync([AgentStateEvent("s3", "a1", T0.AddMinutes(1), AgentState.WrapUp)], Received)).Stored;
        Assert.Equal(["s1", "s2", "s3"], (await _log.ReadAgentAsync("a1", T0)).Select(e => e.Id));
        Assert.Equal(["s3"], (await _log.ReadAgentAsync("a1", T0.AddMinutes(1), T0.AddMinutes(2), long.MaxValue)).Select(e => e.Id));
        Assert.Equal(["s1", "s2"], (await _log.ReadAgentAsync("a1", T0, DateTimeOffset.MaxValue, later[0].Seq - 1, default)).Select(e => e.Id));
        Assert.Equal(T0.AddMinutes(2).AddMilliseconds(1), (await _log.LatestAgentStateTimesAsync(later[0].Seq))["a1"]);
    }

    [Fact]
    public async Task A_restart_reads_the_entries_that_were_still_waiting_back_from_the_log()
    {
        await _log.AppendAsync([AgentStateEvent("flushed", "a1", T0, AgentState.Available)], Received);
        await _log.FlushAgentStatesAsync();
        var waiting = (await _log.AppendAsync(
            [AgentStateEvent("waiting", "a1", T0.AddMinutes(1), AgentState.Break), Created("c-1", "contact")], Received)).Stored;

        // A new log on the same file, as after a kill -9: the waiting entry was never written to the table.
        var restarted = new EventLog(_temp.Db);

        Assert.Equal(1, IndexRows());
        Assert.Equal(["flushed", "waiting"], (await restarted.ReadAgentAsync("a1", T0)).Select(e => e.Id));
        Assert.Equal(T0.AddMinutes(1).AddMilliseconds(1), (await restarted.LatestAgentStateTimesAsync(waiting[^1].Seq))["a1"]);
        await restarted.FlushAgentStatesAsync();
        Assert.Equal(2, IndexRows());
        Assert.Equal(waiting[^1].Seq, IndexProgress());
    }

    [Fact]
    public async Task A_flush_cut_short_by_a_crash_is_written_again_without_doubling_any_read()
    {
        var stored = (await _log.AppendAsync(
            [AgentStateEvent("s1", "a1", T0, AgentState.Available), AgentStateEvent("s2", "a1", T0.AddMinutes(1), AgentState.Break)],
            Received)).Stored;
        // What a crash between a flush's first chunk and the one that moves the progress seq leaves behind.
        using (var connection = _temp.Db.Open())
            connection.Execute("INSERT INTO agent_state_index (agent_id, at_utc_ms, seq, is_state) VALUES ('a1', @at, @seq, 1);",
                new { at = T0.ToUnixTimeMilliseconds(), seq = stored[0].Seq });

        var restarted = new EventLog(_temp.Db);

        Assert.Equal(["s1", "s2"], (await restarted.ReadAgentAsync("a1", T0)).Select(e => e.Id));
        await restarted.FlushAgentStatesAsync();
        Assert.Equal(2, IndexRows());
        Assert.Equal(["s1", "s2"], (await restarted.ReadAgentAsync("a1", T0)).Select(e => e.Id));
    }

    [Fact]
    public async Task Appends_flush_the_waiting_entries_by_themselves_once_enough_wait()
    {
        var many = Enumerable.Range(0, 50_000)
            // 300 agents: the flush's 10,000-row transactions end in the middle of an agent's entries.
            .Select(i => AgentStateEvent($"bulk-{i}", $"agent-{i % 300}", T0.AddSeconds(i), i % 2 == 0 ? AgentState.Available : AgentState.Break))
            .ToList();
        await _log.AppendAsync(many, Received);

        var waited = Stopwatch.StartNew();
        while (IndexRows() < many.Count && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);

        Assert.Equal(many.Count, IndexRows());
        Assert.Equal(167, (await _log.ReadAgentAsync("agent-7", T0)).Count);
        Assert.Equal(167, IndexRows("agent-7"));
    }

    [Fact]
    public async Task ContactsWithEventsUpTo_names_only_contacts_with_an_event_at_or_before_the_seq()
    {
        var stored = (await _log.AppendAsync([Created("e1", "old"), Created("e2", "other"), Created("e3", "new")], Received)).Stored;

        var found = await _log.ContactsWithEventsUpToAsync(["old", "new", "never-seen"], stored[1].Seq);

        Assert.Equal(["old"], found);
        Assert.Equal(["new", "old"], (await _log.ContactsWithEventsUpToAsync(["old", "new"], stored[2].Seq)).Order());
        Assert.Empty(await _log.ContactsWithEventsUpToAsync([], stored[2].Seq));
    }

    [Fact]
    public async Task LatestAgentStateTimes_bound_each_agents_latest_state_change_up_to_the_seq()
    {
        var stored = (await _log.AppendAsync(
        [
            AgentStateEvent("a1-late", "a1", T0.AddMinutes(5).AddTicks(3_000), AgentState.Break), // sent first, happened later
            AgentStateEvent("a1-early", "a1", T0, AgentState.Available),
            new OpsEvent { Id = "answer", Type = EventType.ContactAnswered, At = T0.AddMinutes(9), ContactId = "c1", AgentId = "a2" },
            AgentStateEvent("a2-after-cut", "a2", T0.AddMinutes(1), AgentState.Available),
        ], Received)).Stored;

        var times = await _log.LatestAgentStateTimesAsync(stored[2].Seq);

        // Only a1 has state changes up to the cut; the bound is just past the latest one (the column keeps milliseconds).
        var bound = Assert.Single(times, kv => kv.Key == "a1").Value;
        Assert.Single(times);
        Assert.True(bound > T0.AddMinutes(5).AddTicks(3_000) && bound <= T0.AddMinutes(5).AddMilliseconds(1));
        Assert.Equal(2, (await _log.LatestAgentStateTimesAsync(stored[3].Seq)).Count);
    }

    [Fact]
    public async Task ReadAfter_returns_at_most_max_events_after_the_seq_in_order()
    {
        await _log.AppendAsync(Enumerable.Range(1, 10).Select(i => Created($"e{i}", "c")).ToList(), Received);

        var page = await _log.ReadAfterAsync(3, 4);

        Assert.Equal([4L, 5L, 6L, 7L], page.Select(e => e.Seq));
        Assert.Equal(["e4", "e5", "e6", "e7"], page.Select(e => e.Id));
        Assert.Empty(await _log.ReadAfterAsync(10, 100));
    }

    [Fact]
    public async Task Payload_round_trips_every_field_including_the_offset_of_At()
    {
        var original = new OpsEvent
        {
            Id = "full",
            Type = EventType.ContactTransferred,
            At = new DateTimeOffset(2026, 11, 3, 23, 59, 59, TimeSpan.FromMinutes(330)).AddTicks(1_234_567),
            ContactId = "c9",
            AgentId = "a9",
            Queue = "tech",
            Channel = Channel.Messenger,
            Priority = Priority.Critical,
            Subject = "Zahlung \"fehlgeschlagen\" – ünïcode ✓",
            Reason = "escalation",
            Score = 4,
            State = AgentState.WrapUp,
            Name = "Ana",
            Team = "Früh",
            Queues = ["billing", "tech"],
        };
        // Guards this test against fields added later: every property must carry a non-default value.
        foreach (var property in typeof(OpsEvent).GetProperties().Where(p => p.Name != nameof(OpsEvent.Seq)))
        {
            var value = property.GetValue(original);
            var defaultValue = property.PropertyType.IsValueType ? Activator.CreateInstance(property.PropertyType) : null;
            Assert.False(value is null || value.Equals(defaultValue), $"{property.Name} is not set in the sample.");
        }

        var stored = (await _log.AppendAsync([original], Received)).Stored.Single();
        var read = (await _log.ReadContactAsync("c9")).Single();

        Assert.Equal(stored.Seq, read.Seq);
        Assert.Equal(original.At, read.At);
        Assert.Equal(original.At.Offset, read.At.Offset);
        Assert.Equal(original.At.Ticks, read.At.Ticks);
        Assert.Equal(original.Queues, read.Queues);
        // Records compare lists by reference, so compare the rest with the list swapped in.
        Assert.Equal(original with { Seq = read.Seq, Queues = read.Queues }, read);
    }

    [Fact]
    public async Task Payload_uses_the_contract_wire_names_and_leaves_out_seq_and_nulls()
    {
        await _log.AppendAsync([AgentStateEvent("s1", "a1", T0, AgentState.OnContact)], Received);

        using var connection = _temp.Db.Open();
        var row = connection.QuerySingle<(string Type, string Payload, long AtMs, long ReceivedMs)>(
            "SELECT type, payload, at_utc_ms, received_utc_ms FROM events;");

        Assert.Equal("agent.state", row.Type);
        Assert.Equal(T0.ToUnixTimeMilliseconds(), row.AtMs);
        Assert.Equal(Received.ToUnixTimeMilliseconds(), row.ReceivedMs);
        Assert.Equal(
            """{"id":"s1","type":"agent.state","at":"2026-11-03T09:00:00+01:00","agentId":"a1","state":"on_contact"}""",
            row.Payload);
    }

    [Fact]
    public async Task Columns_hold_text_and_nulls_exactly_including_non_ascii_and_empty_text()
    {
        // The append binds UTF-16 strings and UTF-8 payload spans straight to SQLite: check what lands in the file.
        var e = AgentStateEvent("s-ü", "agent-Jürgen-✓", T0, AgentState.Break) with { Reason = "" };
        await _log.AppendAsync([e, Created("c-€", "contact-ß")], Received);

        using var connection = _temp.Db.Open();
        var rows = connection.Query<(string Id, string? Contact, string? Agent, string Payload, string IdType, string ContactType, string PayloadType)>(
            "SELECT id, contact_id, agent_id, payload, typeof(id), typeof(contact_id), typeof(payload) FROM events ORDER BY seq;").ToList();

        Assert.Equal(("s-ü", null, "agent-Jürgen-✓", "text", "null", "text"),
            (rows[0].Id, rows[0].Contact, rows[0].Agent, rows[0].IdType, rows[0].ContactType, rows[0].PayloadType));
        Assert.Equal(
            """{"id":"s-\u00FC","type":"agent.state","at":"2026-11-03T09:00:00+01:00","agentId":"agent-J\u00FCrgen-\u2713","reason":"","state":"break"}""",
            rows[0].Payload);
        Assert.Equal(("c-€", "contact-ß", (string?)null, "text"), (rows[1].Id, rows[1].Contact, rows[1].Agent, rows[1].ContactType));
        var read = (await _log.ReadAfterAsync(0, 10))[0];
        Assert.Equal(e with { Seq = read.Seq }, read);
        Assert.Equal("", read.Reason);
    }

    [Fact]
    public async Task Append_rate_for_1000_event_batches_is_reported()
    {
        // A measurement for the report, not an assertion: timing on shared CI machines varies.
        const int Batches = 30, BatchSize = 1000;
        var batches = Enumerable.Range(0, Batches).Select(b => Enumerable.Range(0, BatchSize).Select(i => new OpsEvent
        {
            Id = $"{b:D3}-{i:D4}-{Guid.NewGuid():N}",
            Type = i % 3 == 0 ? EventType.AgentState : EventType.ContactCreated,
            At = T0.AddMilliseconds(b * BatchSize + i),
            ContactId = i % 3 == 0 ? null : $"c{b}-{i}",
            AgentId = i % 3 == 0 ? $"a{i % 50}" : null,
            Queue = i % 3 == 0 ? null : "billing",
            Channel = i % 3 == 0 ? null : Channel.Chat,
            State = i % 3 == 0 ? AgentState.Available : null,
        }).ToList()).ToList();
        await _log.AppendAsync(batches[0], Received); // warm-up: JIT, pool, prepared statement cache

        var watch = Stopwatch.StartNew();
        foreach (var batch in batches.Skip(1))
        {
            await _log.AppendAsync(batch, Received);
        }

        watch.Stop();
        var events = (Batches - 1) * BatchSize;
        var line = $"append rate: {events / watch.Elapsed.TotalSeconds:N0} events/s ({events} events in {watch.ElapsedMilliseconds} ms, batches of {BatchSize})";
        _output.WriteLine(line);
        Console.WriteLine(line);
        Assert.Equal(Batches * BatchSize, await _log.CountAsync());
    }
}
