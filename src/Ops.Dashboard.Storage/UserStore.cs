using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Storage;

/// <summary>A dashboard account. Times have offset zero and millisecond precision, as stored.</summary>
public sealed record UserRecord(long Id, string UserName, string DisplayName, Role Role, string PasswordHash,
    bool Disabled, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt)
{
    // ToString is what ends up in logs; a password hash there invites offline cracking.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Id = {Id}, UserName = {UserName}, DisplayName = {DisplayName}, Role = {Role}, PasswordHash = ***, ");
        builder.Append($"Disabled = {Disabled}, CreatedAt = {CreatedAt:O}, LastSignInAt = {LastSignInAt:O}");
        return true;
    }
}

/// <summary>Another account already has this user name (compared case-insensitively).</summary>
public sealed class UserNameTakenException(string userName)
    : Exception($"The user name '{userName}' is already taken (user names are compared case-insensitively).")
{
    public string UserName { get; } = userName;
}

/// <summary>The dashboard's own accounts. User names are unique case-insensitively, enforced by the schema.</summary>
public sealed class UserStore(OpsDatabase db)
{
    private const string Columns = """
        id AS Id, user_name AS UserName, display_name AS DisplayName, role AS Role, password_hash AS PasswordHash,
        disabled AS Disabled, created_utc_ms AS CreatedUtcMs, last_sign_in_utc_ms AS LastSignInUtcMs
        """;

    /// <summary>The account with this user name in any letter case, or null.</summary>
    public async Task<UserRecord?> FindByNameAsync(string userName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        // The column's NOCASE collation applies to the comparison, and the unique index serves it.
        return (await QueryAsync($"SELECT {Columns} FROM users WHERE user_name = @userName;", new { userName }, ct)
            .ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task<UserRecord?> FindAsync(long id, CancellationToken ct = default) =>
        (await QueryAsync($"SELECT {Columns} FROM users WHERE id = @id;", new { id }, ct).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>Every account, ordered by user name (case-insensitively).</summary>
    public async Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken ct = default) =>
        await QueryAsync($"SELECT {Columns} FROM users ORDER BY user_name, id;", null, ct).ConfigureAwait(false);

    /// <summary>Stores a new, enabled account.</summary>
    /// <exception cref="UserNameTakenException">Another account has the same user name in any letter case.</exception>
    public async Task<UserRecord> CreateAsync(
        string userName, string displayName, Role role, string passwordHash, DateTimeOffset at, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        ArgumentNullException.ThrowIfNull(displayName);
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        var roleName = RoleName(role);
        var createdMs = at.ToUnixTimeMilliseconds();

        using var connection = db.Open();
        long id;
        try
        {
            id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                INSERT INTO users (user_name, display_name, role, password_hash, disabled, created_utc_ms)
                VALUES (@userName, @displayName, @roleName, @passwordHash, 0, @createdMs)
                RETURNING id;
                """,
                new { userName, displayName, roleName, passwordHash, createdMs }, cancellationToken: ct)).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == SQLitePCL.raw.SQLITE_CONSTRAINT_UNIQUE)
        {
            // The unique index decides, so two concurrent creates of the same name cannot both succeed.
            throw new UserNameTakenException(userName);
        }

        return new UserRecord(id, userName, displayName, role, passwordHash, false, DateTimeOffset.FromUnixTimeMilliseconds(createdMs), null);
    }

    /// <summary>Changes the display name, role and disabled flag; false when there is no such account.</summary>
    public async Task<bool> UpdateAsync(long id, string displayName, Role role, bool disabled, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        var roleName = RoleName(role);
        return await ExecuteAsync(
            "UPDATE users SET display_name = @displayName, role = @roleName, disabled = @disabled WHERE id = @id;",
            new { id, displayName, roleName, disabled = disabled ? 1 : 0 }, ct).ConfigureAwait(false);
    }

    /// <summary>Replaces the password hash; false when there is no such account.</summary>
    public async Task<bool> SetPasswordHashAsync(long id, string passwordHash, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        return await ExecuteAsync(
            "UPDATE users SET password_hash = @passwordHash WHERE id = @id;", new { id, passwordHash }, ct).ConfigureAwait(false);
    }

    /// <summary>Whether some enabled account has the Admin role: the host refuses to lock the last one out.</summary>
    public async Task<bool> AnyActiveAdminAsync(CancellationToken ct = default)
    {
        using var connection = db.Open();
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM users WHERE role = @admin AND disabled = 0);",
            new { admin = nameof(Role.Admin) }, cancellationToken: ct)).ConfigureAwait(false) == 1;
    }

    /// <summary>Notes the time of a successful sign-in; an unknown id changes nothing.</summary>
    public async Task RecordSignInAsync(long id, DateTimeOffset at, CancellationToken ct = default) =>
        await ExecuteAsync(
            "UPDATE users SET last_sign_in_utc_ms = @atMs WHERE id = @id;", new { id, atMs = at.ToUnixTimeMilliseconds() }, ct)
            .ConfigureAwait(false);

    // An undefined value would be stored as a number that no longer parses back.
    private static string RoleName(Role role) =>
        Enum.IsDefined(role) ? role.ToString() : throw new ArgumentOutOfRangeException(nameof(role), role, "Not a defined role.");

    private async Task<bool> ExecuteAsync(string sql, object args, CancellationToken ct)
    {
        using var connection = db.Open();
        return await connection.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: ct)).ConfigureAwait(false) > 0;
    }

    private async Task<List<UserRecord>> QueryAsync(string sql, object? args, CancellationToken ct)
    {
        using var connection = db.Open();
        var rows = await connection.QueryAsync<UserRow>(new CommandDefinition(sql, args, cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    private sealed class UserRow
    {
        public long Id { get; set; }
        public string UserName { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string Role { get; set; } = "";
        public string PasswordHash { get; set; } = "";
        public long Disabled { get; set; }
        public long CreatedUtcMs { get; set; }
        public long? LastSignInUtcMs { get; set; }

        public UserRecord ToRecord() => new(
            Id,
            UserName,
            DisplayName,
            Roles.TryParse(Role, out var role)
                ? role
                : throw new InvalidOperationException($"User {Id} ('{UserName}') has the unknown role '{Role}'; known roles: {Roles.Names}."),
            PasswordHash,
            Disabled != 0,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedUtcMs),
            LastSignInUtcMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null);
    }
}
