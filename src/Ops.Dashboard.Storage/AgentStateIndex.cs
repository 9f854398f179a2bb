using Dapper;
using Microsoft.Data.Sqlite;

namespace Ops.Dashboard.Storage;

/// <summary>
/// Where each agent's agent.state/agent.queues events are in the log, by agent and time: what a contact
/// reads to learn its agent's wrap-up. An index on the events table did this, but with thousands of agents
/// every append then touched one index page per agent event (about 2 MB of WAL per 1,000-event batch).
/// Here the newest entries wait in memory and go to the table sorted by agent, about one page per agent per
/// flush. The log stays the source of truth: the table is complete up to its progress seq, and the entries
/// after it are read back from the log when the process starts.
/// </summary>
internal sealed class AgentStateIndex
{
    /// <summary>Flush once this many entries wait, or once the oldest has waited <see cref="MaxAge"/>.</summary>
    internal const int MaxPending = 50_000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);
    // A flush goes in transactions of this many rows, so that appends wait for one chunk, not the whole flush.
    private const int ChunkRows = 2_000;

    internal readonly record struct Entry(long AtMs, long Seq, bool IsState);

    private readonly Lock _gate = new();
    private Dictionary<string, List<Entry>> _pending = new(StringComparer.Ordinal);
    // Taken for a flush and still read until the flush has committed.
    private Dictionary<string, List<Entry>>? _flushing;
    private int _pendingCount;
    private long _oldestPendingAt;

    /// <summary>Reads back the log's agent events after the table's progress seq.</summary>
    public AgentStateIndex(SqliteConnection connection)
    {
        var progress = connection.ExecuteScalar<long>("SELECT seq FROM agent_state_index_progress WHERE id = 1;");
        var rows = connection.Query<(string Agent, long AtMs, long Seq, string Type)>(
            """
            SELECT agent_id, at_utc_ms, seq, type FROM events
            WHERE seq > @progress AND type IN ('agent.state', 'agent.queues') AND agent_id IS NOT NULL
            ORDER BY seq;
            """, new { progress });
        foreach (var r in rows) Add(r.Agent, new Entry(r.AtMs, r.Seq, r.Type == "agent.state"));
    }

    public bool FlushDue
    {
        get
        {
            lock (_gate)
                return _flushing is null && (_pendingCount >= MaxPending ||
                    (_pendingCount > 0 && System.Diagnostics.Stopwatch.GetElapsedTime(_oldestPendingAt) >= MaxAge));
        }
    }

    /// <summary>Called in log order, after the append that stored the event has committed.</summary>
    public void Add(string agentId, Entry entry)
    {
        lock (_gate)
        {
            if (_pendingCount++ == 0) _oldestPendingAt = System.Diagnostics.Stopwatch.GetTimestamp();
            if (!_pending.TryGetValue(agentId, out var list)) _pending[agentId] = list = [];
            list.Add(entry);
        }
    }

    /// <summary>
    /// Writes what waits to the table, sorted by agent, and moves the progress seq to <paramref name="coveredSeq"/>:
    /// the log's highest seq, read before this call, so that every agent event up to it has been added.
    /// <paramref name="write"/> runs one transaction under the log's write lock.
    /// </summary>
    public async Task FlushAsync(long coveredSeq, Func<Action<SqliteConnection, SqliteTransaction>, Task> write)
    {
        Dictionary<string, List<Entry>> taken;
        lock (_gate)
        {
            if (_flushing is not null) return;
            taken = _flushing = _pending;
            _pending = new(StringComparer.Ordinal);
            _pendingCount = 0;
        }
        var flushed = false;
        try
        {
            // Walked in place by a cursor: a list of all rows would be a large-object-heap array per flush.
            var agents = taken.Keys.ToArray();
            Array.Sort(agents, StringComparer.Ordinal);
            int agentAt = 0, entryAt = 0;
            // At least one transaction, which moves the progress seq even when no entry waits.
            do
            {
                await write((connection, transaction) =>
                {
                    using var insert = connection.CreateCommand();
                    insert.Transaction = transaction;
                    // OR IGNORE: after a crash in the middle of a flush, the next one writes some rows again.
                    insert.CommandText = "INSERT OR IGNORE INTO agent_state_index (agent_id, at_utc_ms, seq, is_state) VALUES ($agent, $at, $seq, $state);";
                    var agent = insert.Parameters.Add("$agent", SqliteType.Text);
                    var at = insert.Parameters.Add("$at", SqliteType.Integer);
                    var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
                    var state = insert.Parameters.Add("$state", SqliteType.Integer);
                    insert.Prepare();
                    for (var rows = 0; rows < ChunkRows && agentAt < agents.Length; rows++)
                    {
                        var entries = taken[agents[agentAt]];
                        var e = entries[entryAt];
                        agent.Value = agents[agentAt];
                        at.Value = e.AtMs;
                        seq.Value = e.Seq;
                        state.Value = e.IsState ? 1 : 0;
                        insert.ExecuteNonQuery();
                        if (++entryAt == entries.Count) (agentAt, entryAt) = (agentAt + 1, 0);
                    }
                    if (agentAt == agents.Length)
                        connection.Execute("UPDATE agent_state_index_progress SET seq = max(seq, @coveredSeq) WHERE id = 1;", new { coveredSeq }, transaction);
                }).ConfigureAwait(false);
            } while (agentAt < agents.Length);
            flushed = true;
        }
        finally
        {
            lock (_gate)
            {
                // A failed flush keeps its entries waiting for the next one.
                if (!flushed)
                {
                    foreach (var (agent, list) in _pending)
                    {
                        if (taken.TryGetValue(agent, out var old)) old.AddRange(list);
                        else taken[agent] = list;
                    }
                    _pending = taken;
                    _pendingCount = taken.Values.Sum(l => l.Count);
                    _oldestPendingAt = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                _flushing = null;
            }
        }
    }

    /// <summary>The seqs of the agent's waiting entries in the time range, up to a seq (read these before the table).</summary>
    public List<long> WaitingSeqs(string agentId, long sinceMs, long untilMs, long maxSeq)
    {
        var seqs = new List<long>();
        lock (_gate)
        {
            foreach (var map in new[] { _flushing, _pending })
            {
                if (map is null || !map.TryGetValue(agentId, out var list)) continue;
                foreach (var e in list)
                    if (e.AtMs >= sinceMs && e.AtMs < untilMs && e.Seq <= maxSeq) seqs.Add(e.Seq);
            }
        }
        return seqs;
    }

    /// <summary>Raises each agent's latest agent.state time (ms) in <paramref name="latest"/> by the waiting entries up to a seq.</summary>
    public void MergeLatestStateTimes(Dictionary<string, long> latest, long maxSeq)
    {
        lock (_gate)
        {
            foreach (var map in new[] { _flushing, _pending })
            {
                if (map is null) continue;
                foreach (var (agent, list) in map)
                    foreach (var e in list)
                        if (e.IsState && e.Seq <= maxSeq && (!latest.TryGetValue(agent, out var at) || at < e.AtMs)) latest[agent] = e.AtMs;
            }
        }
    }
}
