using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>A token as issued: the secret is shown once and never stored (only its hash is).</summary>
public sealed record IssuedToken(AccessTokenRecord Record, string Secret);

/// <summary>
/// Ingestion keys and kiosk tokens managed by administrators: random secrets, stored as SHA-256
/// hashes, revocable. Valid tokens are cached briefly; a revocation on this node drops the cache entry
/// at once, other nodes of a cluster notice within <see cref="CacheFor"/>.
/// </summary>
public sealed class AccessTokens(AccessTokenStore store, AuditLog audit, TimeProvider time)
{
    public const string IngestionPrefix = "ops_";
    public const string KioskPrefix = "kiosk_";
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<(AccessTokenKind, string), (AccessTokenRecord Record, long CachedAt)> _valid = new();

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>The active token with this secret, or null (unknown, revoked, or of the other kind).</summary>
    public async Task<AccessTokenRecord?> ValidateAsync(AccessTokenKind kind, string secret, CancellationToken ct = default)
    {
        var prefix = kind == AccessTokenKind.Kiosk ? KioskPrefix : IngestionPrefix;
        if (!secret.StartsWith(prefix, StringComparison.Ordinal) || secret.Length > 200) return null;
        var key = (kind, Hash(secret));
        if (_valid.TryGetValue(key, out var hit) && time.GetElapsedTime(hit.CachedAt) < CacheFor) return hit.Record;
        var record = await store.FindActiveByHashAsync(kind, key.Item2, ct);
        if (record is null) _valid.TryRemove(key, out _);
        else _valid[key] = (record, time.GetTimestamp());
        return record;
    }

    public Task<IReadOnlyList<AccessTokenRecord>> ListAsync(AccessTokenKind kind, CancellationToken ct = default) => store.ListAsync(kind, ct);

    public async Task<IssuedToken> IssueAsync(AccessTokenKind kind, string name, string? board, Actor actor, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100) throw new CommandRejectedException("name: required, at most 100 characters");
        if (kind == AccessTokenKind.Kiosk && string.IsNullOrWhiteSpace(board)) throw new CommandRejectedException("board: a kiosk token is bound to one board");
        var secret = (kind == AccessTokenKind.Kiosk ? KioskPrefix : IngestionPrefix)
            + Base64Url(RandomNumberGenerator.GetBytes(32));
        var record = await store.CreateAsync(kind, name, secret[..12], Hash(secret), kind == AccessTokenKind.Kiosk ? board : null,
            actor.Name, time.GetUtcNow(), ct);
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, kind == AccessTokenKind.Kiosk ? AuditActions.KioskIssue : AuditActions.KeyCreate,
            $"{KindName(kind)} #{record.Id}", kind == AccessTokenKind.Kiosk ? $"name '{name}', board '{board}'" : $"name '{name}'", actor.Address, ct: ct);
        return new IssuedToken(record, secret);
    }

    /// <summary>Revokes a token; false when it is unknown, of the other kind or already revoked.</summary>
    public async Task<bool> RevokeAsync(AccessTokenKind kind, long id, Actor actor, CancellationToken ct = default)
    {
        var record = await store.FindAsync(id, ct);
        if (record is null || record.Kind != kind || !await store.RevokeAsync(id, actor.Name, time.GetUtcNow(), ct)) return false;
        _valid.TryRemove((kind, record.SecretHash), out _);
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, kind == AccessTokenKind.Kiosk ? AuditActions.KioskRevoke : AuditActions.KeyRevoke,
            $"{KindName(kind)} #{id}", $"name '{record.Name}'" + (record.Board is null ? "" : $", board '{record.Board}'"), actor.Address, ct: ct);
        return true;
    }

    /// <summary>Whether a token seen earlier (by id) is still active: a kiosk screen checks this while it runs.</summary>
    public async Task<bool> IsActiveAsync(long id, CancellationToken ct = default) =>
        await store.FindAsync(id, ct) is { Active: true };

    private static string KindName(AccessTokenKind kind) => kind == AccessTokenKind.Kiosk ? "kiosk token" : "ingestion key";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
