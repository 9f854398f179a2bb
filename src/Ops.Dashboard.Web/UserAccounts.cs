using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

public sealed record SignInOutcome(UserRecord? User, string? Error)
{
    public bool Ok => User is not null;
}

/// <summary>
/// Local users: passwords hashed with ASP.NET Core's password hasher, a short lockout after repeated
/// failures, and every sign-in, failure and change written to the audit log.
/// </summary>
public sealed partial class UserAccounts(UserStore users, AuditLog audit, OpsOptions options, TimeProvider time)
{
    public const string DisplayNameClaim = "ops:display-name";
    public const string UserIdClaim = "ops:user-id";

    private readonly PasswordHasher<UserRecord> _hasher = new();
    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset LockedUntil)> _failures = new(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserNamePattern();

    public async Task<SignInOutcome> SignInAsync(string? userName, string? password, string? address, CancellationToken ct = default)
    {
        userName = userName?.Trim() ?? "";
        var now = time.GetUtcNow();
        if (_failures.TryGetValue(userName, out var f) && f.LockedUntil > now)
        {
            await audit.AppendAsync(now, userName, AuditActions.SignInFailed, userName, "locked after repeated failures", address, success: false, ct: ct);
            return new(null, $"Too many failed attempts: try again in {Math.Ceiling((f.LockedUntil - now).TotalMinutes)} minutes.");
        }

        var user = userName.Length == 0 ? null : await users.FindByNameAsync(userName, ct);
        var verified = user is not null && !user.Disabled && password is { Length: > 0 }
            && _hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
        if (!verified)
        {
            var failures = _failures.AddOrUpdate(userName, _ => (1, DateTimeOffset.MinValue), (_, old) => (old.Failures + 1, old.LockedUntil));
            if (failures.Failures >= options.Access.LockoutAttempts)
                _failures[userName] = (0, now.AddMinutes(options.Access.LockoutMinutes));
            var why = user is null ? "unknown user" : user.Disabled ? "user disabled" : "wrong password";
            await audit.AppendAsync(now, userName.Length == 0 ? "(blank)" : userName, AuditActions.SignInFailed, userName, why, address, success: false, ct: ct);
            return new(null, "Wrong user name or password.");
        }

        _failures.TryRemove(userName, out _);
        await users.RecordSignInAsync(user!.Id, now, ct);
        await audit.AppendAsync(now, user.UserName, AuditActions.SignIn, user.UserName, $"role {user.Role}", address, ct: ct);
        return new(user, null);
    }

    public static ClaimsPrincipal PrincipalFor(UserRecord user, string scheme) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Name, user.UserName),
        new Claim(ClaimTypes.Role, user.Role.ToString()),
        new Claim(DisplayNameClaim, user.DisplayName),
        new Claim(UserIdClaim, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ], scheme));

    public Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken ct = default) => users.ListAsync(ct);

    public Task<UserRecord?> FindAsync(long id, CancellationToken ct = default) => users.FindAsync(id, ct);

    public async Task<UserRecord> CreateAsync(string userName, string? displayName, Role role, string password, Actor actor, CancellationToken ct = default)
    {
        userName = userName.Trim();
        if (!UserNamePattern().IsMatch(userName))
            throw new CommandRejectedException($"userName: '{userName}' must be 2–64 letters, digits or . _ @ - and start with a letter or digit");
        CheckPassword(password);
        var hash = _hasher.HashPassword(null!, password);
        UserRecord user;
        try
        {
            user = await users.CreateAsync(userName, string.IsNullOrWhiteSpace(displayName) ? userName : displayName.Trim(), role, hash, time.GetUtcNow(), ct);
        }
        catch (UserNameTakenException)
        {
            throw new CommandRejectedException($"userName: '{userName}' is already taken");
        }
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.UserCreate, userName, $"role {role}", actor.Address, ct: ct);
        return user;
    }

    public async Task<UserRecord> UpdateAsync(long id, string? displayName, Role role, bool disabled, Actor actor, CancellationToken ct = default)
    {
        var user = await users.FindAsync(id, ct) ?? throw new CommandRejectedException($"no user #{id}", notFound: true);
        // The last administrator cannot lock everybody out of user administration.
        if (user.Role == Role.Admin && !user.Disabled && (role != Role.Admin || disabled) && await ActiveAdminCountAsync(ct) <= 1)
            throw new CommandRejectedException($"'{user.UserName}' is the last active administrator; make another user Admin first");
        var name = string.IsNullOrWhiteSpace(displayName) ? user.DisplayName : displayName.Trim();
        await users.UpdateAsync(id, name, role, disabled, ct);
        var changes = new List<string>();
        if (name != user.DisplayName) changes.Add($"display name '{user.DisplayName}' → '{name}'");
        if (role != user.Role) changes.Add($"role {user.Role} → {role}");
        if (disabled != user.Disabled) changes.Add(disabled ? "disabled" : "enabled");
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.UserUpdate, user.UserName,
            changes.Count == 0 ? "no change" : string.Join(", ", changes), actor.Address, ct: ct);
        return (await users.FindAsync(id, ct))!;
    }

    public async Task SetPasswordAsync(long id, string password, Actor actor, CancellationToken ct = default)
    {
        var user = await users.FindAsync(id, ct) ?? throw new CommandRejectedException($"no user #{id}", notFound: true);
        CheckPassword(password);
        await users.SetPasswordHashAsync(id, _hasher.HashPassword(user, password), ct);
        _failures.TryRemove(user.UserName, out _);
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.UserPassword, user.UserName, "password set", actor.Address, ct: ct);
    }

    /// <summary>
    /// Creates the user as Admin, or makes an existing one an active Admin with this password: the
    /// first-install path (OPS_ADMIN_USER/OPS_ADMIN_PASSWORD, or the create-admin command).
    /// </summary>
    public async Task<UserRecord> EnsureAdminAsync(string userName, string password, Actor actor, CancellationToken ct = default)
    {
        if (await users.FindByNameAsync(userName.Trim(), ct) is not { } existing)
            return await CreateAsync(userName, "Administrator", Role.Admin, password, actor, ct);
        CheckPassword(password);
        await users.UpdateAsync(existing.Id, existing.DisplayName, Role.Admin, disabled: false, ct);
        await SetPasswordAsync(existing.Id, password, actor, ct);
        await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.UserUpdate, existing.UserName, "made an active Admin", actor.Address, ct: ct);
        return (await users.FindAsync(existing.Id, ct))!;
    }

    public Task<bool> AnyActiveAdminAsync(CancellationToken ct = default) => users.AnyActiveAdminAsync(ct);

    private async Task<int> ActiveAdminCountAsync(CancellationToken ct) =>
        (await users.ListAsync(ct)).Count(u => u.Role == Role.Admin && !u.Disabled);

    private void CheckPassword(string password)
    {
        if (password.Length < options.Access.MinPasswordLength)
            throw new CommandRejectedException($"password: must have at least {options.Access.MinPasswordLength} characters");
    }
}
