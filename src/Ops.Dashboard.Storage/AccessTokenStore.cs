using Dapper;

namespace Ops.Dashboard.Storage;

/// <summary>What a token opens: the event API (ingestion keys) or one wallboard without a sign-in (kiosk).</summary>
public enum AccessTokenKind
{
    Ingestion,
    Kiosk,
}

/// <summary>
/// Id, what it is for (Name), the first characters of the secret for recognising it (Prefix, e.g. 8 chars), the SHA-256 hash
/// of the whole secret (hex, computed by the caller), Board only for kiosk tokens. Times have offset zero and millisecond precision.
/// </summary>
public sealed record AccessTokenRecord(long Id, AccessTokenKind Kind, string Name, string Prefix, string SecretHash, string? Board,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, string? RevokedBy)
{
    public bool Active => RevokedAt is null;
}

/// <summary>
/// Ingestion keys and kiosk tokens. Only the hash of a secret is stored, so a stolen database opens nothing;
/// a token is revoked, never deleted, so the list keeps who issued and who withdrew it.
/// </summary>
public sealed class AccessTokenStore(OpsDatabase db)
{
    private const string Columns = """
        id AS Id, kind AS Kind, name AS Name, prefix AS Prefix, secret_hash AS SecretHash, board AS Board,
        created_utc_ms AS CreatedUtcMs, created_by AS CreatedBy, revoked_utc_ms AS RevokedUtcMs, revoked_by AS RevokedBy
        """;

    /// <exception cref="ArgumentException">An ingestion token names a board.</exception>
    public async Task<AccessTokenRecord> CreateAsync(AccessTokenKind kind, string name, string prefix, string secretHash, string? board,
        string createdBy, DateTimeOffset at, CancellationToken ct = default)
    {
        var kindName = KindName(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretHash);
        ArgumentException.ThrowIfNullOrWhiteSpace(createdBy);
        if (kind != AccessTokenKind.Kiosk && board is not null)
        {
            throw new ArgumentException($"Only kiosk tokens name a board; this {kind} token names '{board}'.", nameof(board));
        }

        var createdMs = at.ToUnixTimeMilliseconds();
        using var connection = db.Open();
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO access_tokens (kind, name, prefix, secret_hash, board, created_utc_ms, created_by)
            VALUES (@kindName, @name, @prefix, @secretHash, @board, @createdMs, @createdBy)
            RETURNING id;
            """,
            new { kindName, name, prefix, secretHash, board, createdMs, createdBy }, cancellationToken: ct)).ConfigureAwait(false);
        return new AccessTokenRecord(id, kind, name, prefix, secretHash, board, DateTimeOffset.FromUnixTimeMilliseconds(createdMs),
            createdBy, null, null);
    }

    /// <summary>Every token of the kind, revoked ones included, newest (last created) first.</summary>
    public async Task<IReadOnlyList<AccessTokenRecord>> ListAsync(AccessTokenKind kind, CancellationToken ct = default) =>
        await QueryAsync($"SELECT {Columns} FROM access_tokens WHERE kind = @kindName ORDER BY id DESC;",
            new { kindName = KindName(kind) }, ct).ConfigureAwait(false);

    public async Task<AccessTokenRecord?> FindAsync(long id, CancellationToken ct = default) =>
        (await QueryAsync($"SELECT {Columns} FROM access_tokens WHERE id = @id;", new { id }, ct).ConfigureAwait(false))
        .SingleOrDefault();

    /// <summary>The unrevoked token of this kind whose secret has this hash (hex in either case), or null.</summary>
    public async Task<AccessTokenRecord?> FindActiveByHashAsync(AccessTokenKind kind, string secretHash, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(secretHash);
        return (await QueryAsync(
            $"""
            SELECT {Columns} FROM access_tokens
            WHERE kind = @kindName AND secret_hash = @secretHash AND revoked_utc_ms IS NULL
            ORDER BY id DESC LIMIT 1;
            """,
            new { kindName = KindName(kind), secretHash }, ct).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <summary>Withdraws a token; false when there is no such token or it is already revoked (the first revocation is kept).</summary>
    public async Task<bool> RevokeAsync(long id, string revokedBy, DateTimeOffset at, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(revokedBy);
        using var connection = db.Open();
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE access_tokens SET revoked_utc_ms = @atMs, revoked_by = @revokedBy
            WHERE id = @id AND revoked_utc_ms IS NULL;
            """,
            new { id, revokedBy, atMs = at.ToUnixTimeMilliseconds() }, cancellationToken: ct)).ConfigureAwait(false) == 1;
    }

    // An undefined value would be stored as a number that no longer parses back.
    private static string KindName(AccessTokenKind kind) =>
        Enum.IsDefined(kind) ? kind.ToString() : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a defined token kind.");

    private async Task<List<AccessTokenRecord>> QueryAsync(string sql, object args, CancellationToken ct)
    {
        using var connection = db.Open();
        var rows = await connection.QueryAsync<TokenRow>(new CommandDefinition(sql, args, cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    private sealed class TokenRow
    {
        public long Id { get; set; }
        public string Kind { get; set; } = "";
        public string Name { get; set; } = "";
        public string Prefix { get; set; } = "";
        public string SecretHash { get; set; } = "";
        public string? Board { get; set; }
        public long CreatedUtcMs { get; set; }
        public string CreatedBy { get; set; } = "";
        public long? RevokedUtcMs { get; set; }
        public string? RevokedBy { get; set; }

        public AccessTokenRecord ToRecord() => new(
            Id,
            Enum.TryParse<AccessTokenKind>(Kind, ignoreCase: false, out var kind) && Enum.IsDefined(kind)
                ? kind
                : throw new InvalidOperationException($"Access token {Id} has the unknown kind '{Kind}'."),
            Name,
            Prefix,
            SecretHash,
            Board,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedUtcMs),
            CreatedBy,
            RevokedUtcMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
            RevokedBy);
    }
}
