using Dapper;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Storage;

/// <summary>
/// Offered contacts per queue and hour, the forecast's history. Only hours present in a source are stored, because an
/// absent hour means the site was closed; a later write of the same hour replaces it, other hours are kept.
/// </summary>
public sealed class VolumeHistoryStore(OpsDatabase db)
{
    public const string ImportSource = "import", LiveSource = "live";

    /// <summary>
    /// Stores each hour (replacing a stored one of the same queue and hour) in one transaction, marked as imported at
    /// <paramref name="at"/>; hours not in <paramref name="hours"/> are left as they are. Returns the number of hours written.
    /// </summary>
    public async Task<int> ReplaceAsync(string queue, IReadOnlyList<HourVolume> hours, DateTimeOffset at, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(hours);
        var atMs = at.ToUnixTimeMilliseconds();
        var rows = hours.Select(h =>
        {
            if (h.HourStartUtc.Ticks % TimeSpan.TicksPerMinute != 0 || h.Count < 0)
                throw new ArgumentException($"an hour starts on a whole minute and has a count ≥ 0: {h}", nameof(hours));
            return new { queue, HourMs = h.HourStartUtc.ToUnixTimeMilliseconds(), h.Count, source = ImportSource, atMs };
        }).ToList();

        using var connection = db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO volume_history (queue, hour_utc_ms, count, source, imported_at_utc_ms)
            VALUES (@queue, @HourMs, @Count, @source, @atMs)
            ON CONFLICT (queue, hour_utc_ms) DO UPDATE SET
                count = excluded.count, source = excluded.source, imported_at_utc_ms = excluded.imported_at_utc_ms;
            """,
            rows, transaction, cancellationToken: ct)).ConfigureAwait(false);
        transaction.Commit();
        return rows.Count;
    }

    /// <summary>The stored hours of one queue with <paramref name="fromUtc"/> &lt;= start &lt; <paramref name="toUtc"/>, in time order.</summary>
    public async Task<IReadOnlyList<HourVolume>> ReadAsync(string queue, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        using var connection = db.Open();
        var rows = await connection.QueryAsync<HourRow>(new CommandDefinition(
            """
            SELECT hour_utc_ms AS HourUtcMs, count AS Count FROM volume_history
            WHERE queue = @queue AND hour_utc_ms >= @fromMs AND hour_utc_ms < @toMs
            ORDER BY hour_utc_ms;
            """,
            new { queue, fromMs = CeilingMs(fromUtc), toMs = CeilingMs(toUtc) }, cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => new HourVolume(DateTimeOffset.FromUnixTimeMilliseconds(r.HourUtcMs), r.Count)).ToList();
    }

    /// <summary>The queues with any stored hour, in ordinal order.</summary>
    public async Task<IReadOnlyList<string>> QueuesAsync(CancellationToken ct = default)
    {
        using var connection = db.Open();
        var queues = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT queue FROM volume_history ORDER BY queue;", cancellationToken: ct)).ConfigureAwait(false);
        return queues.ToList();
    }

    // Starts are whole milliseconds, so "start >= t" and "start < t" both hold exactly against ceil(t).
    private static long CeilingMs(DateTimeOffset t)
    {
        var ms = t.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(ms) < t ? ms + 1 : ms;
    }

    private sealed class HourRow
    {
        public long HourUtcMs { get; set; }
        public long Count { get; set; }
    }
}
