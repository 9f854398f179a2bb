using Dapper;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Storage;

/// <summary>One stored 15-minute interval of one queue.</summary>
public sealed class StoredInterval
{
    public string Queue { get; set; } = "";

    /// <summary>The interval start, always with offset zero.</summary>
    public DateTimeOffset StartUtc { get; set; }

    public IntervalCounters Counters { get; set; } = IntervalCounters.Zero;
}

/// <summary>
/// The interval history: absolute counters per queue and interval start, written by queue
/// checkpoints together with the last log seq they include.
/// </summary>
public sealed class IntervalStore
{
    private const string Columns = """
        queue AS Queue, start_utc_ms AS StartUtcMs,
        offered AS Offered, answered AS Answered, answered_within_threshold AS AnsweredWithinThreshold,
        abandoned AS Abandoned, short_abandoned AS ShortAbandoned, transferred_out AS TransferredOut,
        handled AS Handled, answer_wait_ms AS AnswerWaitMs, handle_ms AS HandleMs,
        abandon_wait_ms AS AbandonWaitMs, csat_count AS CsatCount, csat_score_sum AS CsatScoreSum,
        agent_error_escalations AS AgentErrorEscalations
        """;

    private const string UpsertSql = """
        INSERT INTO interval_stats (queue, start_utc_ms, offered, answered, answered_within_threshold, abandoned,
            short_abandoned, transferred_out, handled, answer_wait_ms, handle_ms, abandon_wait_ms, csat_count, csat_score_sum,
            agent_error_escalations)
        VALUES (@Queue, @StartUtcMs, @Offered, @Answered, @AnsweredWithinThreshold, @Abandoned,
            @ShortAbandoned, @TransferredOut, @Handled, @AnswerWaitMs, @HandleMs, @AbandonWaitMs, @CsatCount, @CsatScoreSum,
            @AgentErrorEscalations)
        ON CONFLICT (queue, start_utc_ms) DO UPDATE SET
            offered = excluded.offered, answered = excluded.answered,
            answered_within_threshold = excluded.answered_within_threshold, abandoned = excluded.abandoned,
            short_abandoned = excluded.short_abandoned, transferred_out = excluded.transferred_out,
            handled = excluded.handled, answer_wait_ms = excluded.answer_wait_ms, handle_ms = excluded.handle_ms,
            abandon_wait_ms = excluded.abandon_wait_ms, csat_count = excluded.csat_count,
            csat_score_sum = excluded.csat_score_sum, agent_error_escalations = excluded.agent_error_escalations;
        """;

    private readonly OpsDatabase _db;

    public IntervalStore(OpsDatabase db) => _db = db;

    /// <summary>
    /// Stores the absolute counters of each interval (key = interval start) and the queue's last
    /// applied log seq in one transaction; an all-zero interval is removed rather than stored.
    /// </summary>
    public async Task SaveAsync(
        string queue,
        IReadOnlyCollection<KeyValuePair<DateTimeOffset, IntervalCounters>> intervals,
        long lastSeq,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(intervals);

        var upserts = new List<IntervalRow>(intervals.Count);
        var deletes = new List<object>();
        foreach (var (start, counters) in intervals)
        {
            ArgumentNullException.ThrowIfNull(counters, nameof(intervals));
            if (counters.IsZero)
            {
                deletes.Add(new { Queue = queue, StartUtcMs = start.ToUnixTimeMilliseconds() });
            }
            else
            {
                upserts.Add(IntervalRow.From(queue, start, counters));
            }
        }

        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        if (upserts.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(UpsertSql, upserts, transaction, cancellationToken: ct)).ConfigureAwait(false);
        }

        if (deletes.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM interval_stats WHERE queue = @Queue AND start_utc_ms = @StartUtcMs;",
                deletes, transaction, cancellationToken: ct)).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO queue_progress (queue, last_seq) VALUES (@queue, @lastSeq)
            ON CONFLICT (queue) DO UPDATE SET last_seq = excluded.last_seq;
            """,
            new { queue, lastSeq }, transaction, cancellationToken: ct)).ConfigureAwait(false);
        transaction.Commit();
    }

    /// <summary>Intervals with <paramref name="fromUtc"/> &lt;= start &lt; <paramref name="toUtc"/>, of one queue or of all (null), by start then queue.</summary>
    public async Task<IReadOnlyList<StoredInterval>> ReadAsync(
        string? queue, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken ct = default)
    {
        var filter = queue is null ? "" : "queue = @queue AND ";
        var sql = $"""
            SELECT {Columns} FROM interval_stats
            WHERE {filter}start_utc_ms >= @fromMs AND start_utc_ms < @toMs
            ORDER BY start_utc_ms, queue;
            """;
        using var connection = _db.Open();
        var rows = await connection.QueryAsync<IntervalRow>(new CommandDefinition(
            sql, new { queue, fromMs = CeilingMs(fromUtc), toMs = CeilingMs(toUtc) }, cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => r.ToStored()).ToList();
    }

    /// <summary>The last log seq each queue's stored intervals include.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ReadProgressAsync(CancellationToken ct = default)
    {
        using var connection = _db.Open();
        var rows = await connection.QueryAsync<ProgressRow>(new CommandDefinition(
            "SELECT queue AS Queue, last_seq AS LastSeq FROM queue_progress;", cancellationToken: ct)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Queue, r => r.LastSeq);
    }

    /// <summary>One interval's counters, <see cref="IntervalCounters.Zero"/> when none are stored.</summary>
    public async Task<IntervalCounters> ReadOneAsync(string queue, DateTimeOffset startUtc, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        using var connection = _db.Open();
        var row = await connection.QuerySingleOrDefaultAsync<IntervalRow>(new CommandDefinition(
            $"SELECT {Columns} FROM interval_stats WHERE queue = @queue AND start_utc_ms = @startMs;",
            new { queue, startMs = startUtc.ToUnixTimeMilliseconds() }, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToCounters() ?? IntervalCounters.Zero;
    }

    // Starts are whole milliseconds, so "start >= t" and "start < t" both hold exactly against ceil(t).
    private static long CeilingMs(DateTimeOffset t)
    {
        var ms = t.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(ms) < t ? ms + 1 : ms;
    }

    private sealed class ProgressRow
    {
        public string Queue { get; set; } = "";
        public long LastSeq { get; set; }
    }

    // Flat and settable, because Dapper maps SQLite's integers into setters, not into the record.
    private sealed class IntervalRow
    {
        public string Queue { get; set; } = "";
        public long StartUtcMs { get; set; }
        public long Offered { get; set; }
        public long Answered { get; set; }
        public long AnsweredWithinThreshold { get; set; }
        public long Abandoned { get; set; }
        public long ShortAbandoned { get; set; }
        public long TransferredOut { get; set; }
        public long Handled { get; set; }
        public long AnswerWaitMs { get; set; }
        public long HandleMs { get; set; }
        public long AbandonWaitMs { get; set; }
        public long CsatCount { get; set; }
        public long CsatScoreSum { get; set; }
        public long AgentErrorEscalations { get; set; }

        public static IntervalRow From(string queue, DateTimeOffset start, IntervalCounters c) => new()
        {
            Queue = queue,
            StartUtcMs = start.ToUnixTimeMilliseconds(),
            Offered = c.Offered,
            Answered = c.Answered,
            AnsweredWithinThreshold = c.AnsweredWithinThreshold,
            Abandoned = c.Abandoned,
            ShortAbandoned = c.ShortAbandoned,
            TransferredOut = c.TransferredOut,
            Handled = c.Handled,
            AnswerWaitMs = c.AnswerWaitMs,
            HandleMs = c.HandleMs,
            AbandonWaitMs = c.AbandonWaitMs,
            CsatCount = c.CsatCount,
            CsatScoreSum = c.CsatScoreSum,
            AgentErrorEscalations = c.AgentErrorEscalations,
        };

        public IntervalCounters ToCounters() => new()
        {
            Offered = Offered,
            Answered = Answered,
            AnsweredWithinThreshold = AnsweredWithinThreshold,
            Abandoned = Abandoned,
            ShortAbandoned = ShortAbandoned,
            TransferredOut = TransferredOut,
            Handled = Handled,
            AnswerWaitMs = AnswerWaitMs,
            HandleMs = HandleMs,
            AbandonWaitMs = AbandonWaitMs,
            CsatCount = CsatCount,
            CsatScoreSum = CsatScoreSum,
            AgentErrorEscalations = AgentErrorEscalations,
        };

        public StoredInterval ToStored() => new()
        {
            Queue = Queue,
            StartUtc = DateTimeOffset.FromUnixTimeMilliseconds(StartUtcMs),
            Counters = ToCounters(),
        };
    }
}
