using Dapper;

namespace Ops.Dashboard.Storage;

/// <summary>
/// The log seq from which recovery replays: every grain's persisted state already contains the
/// effect of all events up to it. The dispatcher advances it after each completed checkpoint round.
/// </summary>
public sealed class RecoveryPointStore(OpsDatabase db)
{
    public async Task<long> ReadAsync(CancellationToken ct = default)
    {
        using var connection = db.Open();
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT seq FROM recovery_point WHERE id = 1;", cancellationToken: ct)).ConfigureAwait(false) ?? 0;
    }

    public async Task WriteAsync(long seq, CancellationToken ct = default)
    {
        using var connection = db.Open();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO recovery_point (id, seq) VALUES (1, @seq) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq;",
            new { seq }, cancellationToken: ct)).ConfigureAwait(false);
    }
}
