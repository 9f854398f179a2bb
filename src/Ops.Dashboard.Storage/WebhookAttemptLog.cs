using System.Text;
using Dapper;

namespace Ops.Dashboard.Storage;

/// <summary>
/// One try to deliver one webhook: Attempt counts from 1 per delivery; StatusCode is null when no answer came (network error,
/// timeout), Error says what went wrong. At has offset zero and millisecond precision.
/// </summary>
public sealed record WebhookAttemptRecord(long Id, string DeliveryId, string Kind, string Target, int Attempt, DateTimeOffset At,
    int? StatusCode, string? Error, bool Delivered);

/// <summary>
/// Every webhook delivery attempt, so an administrator can see why a target did not get a notification. Entries are only
/// appended; <see cref="PruneAsync"/> drops old ones for the retention period.
/// </summary>
public sealed class WebhookAttemptLog(OpsDatabase db)
{
    /// <summary>The most attempts one call to <see cref="RecentAsync"/> returns; larger limits are capped to it.</summary>
    public const int MaxLimit = 1000;

    public async Task AppendAsync(string deliveryId, string kind, string target, int attempt, DateTimeOffset at, int? statusCode,
        string? error, bool delivered, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deliveryId);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(attempt);

        using var connection = db.Open();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO webhook_attempts (delivery_id, kind, target, attempt, at_utc_ms, status_code, error, delivered)
            VALUES (@deliveryId, @kind, @target, @attempt, @atMs, @statusCode, @error, @delivered);
            """,
            new { deliveryId, kind, target, attempt, atMs = at.ToUnixTimeMilliseconds(), statusCode, error, delivered = delivered ? 1 : 0 },
            cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <summary>The latest attempts (highest id first), optionally only those to one target and/or of one delivery (exact match).</summary>
    public async Task<IReadOnlyList<WebhookAttemptRecord>> RecentAsync(int limit = 200, string? target = null, string? deliveryId = null,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        var where = new List<string>();
        if (target is not null)
        {
            where.Add("target = @target");
        }

        if (deliveryId is not null)
        {
            where.Add("delivery_id = @deliveryId");
        }

        var sql = new StringBuilder(
            """
            SELECT id AS Id, delivery_id AS DeliveryId, kind AS Kind, target AS Target, attempt AS Attempt, at_utc_ms AS AtUtcMs,
                status_code AS StatusCode, error AS Error, delivered AS Delivered
            FROM webhook_attempts
            """);
        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }

        // By id, not time: the sender's clock order is the append order, and the id keeps ties stable.
        sql.Append(" ORDER BY id DESC LIMIT @limit;");

        using var connection = db.Open();
        var rows = await connection.QueryAsync<AttemptRow>(new CommandDefinition(
            sql.ToString(), new { target, deliveryId, limit = Math.Min(limit, MaxLimit) }, cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>Deletes the attempts made before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        using var connection = db.Open();
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM webhook_attempts WHERE at_utc_ms < @beforeMs;", new { beforeMs = before.ToUnixTimeMilliseconds() },
            cancellationToken: ct)).ConfigureAwait(false);
    }

    private sealed class AttemptRow
    {
        public long Id { get; set; }
        public string DeliveryId { get; set; } = "";
        public string Kind { get; set; } = "";
        public string Target { get; set; } = "";
        public long Attempt { get; set; }
        public long AtUtcMs { get; set; }
        public long? StatusCode { get; set; }
        public string? Error { get; set; }
        public long Delivered { get; set; }

        public WebhookAttemptRecord ToRecord() => new(Id, DeliveryId, Kind, Target, checked((int)Attempt),
            DateTimeOffset.FromUnixTimeMilliseconds(AtUtcMs), StatusCode is { } code ? checked((int)code) : null, Error, Delivered != 0);
    }
}
