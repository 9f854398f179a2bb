using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

public sealed record UserDto(long Id, string UserName, string DisplayName, string Role, bool Disabled, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt)
{
    public static UserDto From(UserRecord u) => new(u.Id, u.UserName, u.DisplayName, u.Role.ToString(), u.Disabled, u.CreatedAt, u.LastSignInAt);
}

public sealed record NewUserRequest(string? UserName, string? DisplayName, string? Role, string? Password);

public sealed record UserUpdateRequest(string? DisplayName, string? Role, bool? Disabled);

public sealed record PasswordRequest(string? Password);

public sealed record TokenDto(long Id, string Name, string Prefix, string? Board, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, string? RevokedBy, bool Active)
{
    public static TokenDto From(AccessTokenRecord t) => new(t.Id, t.Name, t.Prefix, t.Board, t.CreatedAt, t.CreatedBy, t.RevokedAt, t.RevokedBy, t.Active);
}

public sealed record NewTokenRequest(string? Name, string? Board);

/// <summary>The secret appears only in this answer; <paramref name="Url"/> is the board link for a kiosk token.</summary>
public sealed record IssuedTokenDto(TokenDto Token, string Secret, string? Url);

/// <summary>Sign-in and sign-out (form posts from the sign-in page), and the administrators' API.</summary>
public static class AccessEndpoints
{
    public static WebApplication MapOpsAccess(this WebApplication app)
    {
        app.MapPost("/account/login", SignInAsync).AllowAnonymous().DisableRequestTimeout();
        app.MapPost("/account/logout", SignOutAsync).AllowAnonymous();

        var admin = app.MapGroup("/api/v1/admin").RequireAuthorization(Policies.Admin);
        admin.MapGet("/users", async (UserAccounts accounts) => Results.Ok((await accounts.ListAsync()).Select(UserDto.From)));
        admin.MapPost("/users", CreateUserAsync);
        admin.MapPut("/users/{id:long}", UpdateUserAsync);
        admin.MapPost("/users/{id:long}/password", SetPasswordAsync);
        admin.MapGet("/keys", async (AccessTokens tokens) => Results.Ok((await tokens.ListAsync(AccessTokenKind.Ingestion)).Select(TokenDto.From)));
        admin.MapPost("/keys", (NewTokenRequest body, HttpContext http, AccessTokens tokens, BoardCatalog boards) => IssueAsync(AccessTokenKind.Ingestion, body, http, tokens, boards));
        admin.MapPost("/keys/{id:long}/revoke", (long id, HttpContext http, AccessTokens tokens) => RevokeAsync(AccessTokenKind.Ingestion, id, http, tokens));
        admin.MapGet("/kiosk-tokens", async (AccessTokens tokens) => Results.Ok((await tokens.ListAsync(AccessTokenKind.Kiosk)).Select(TokenDto.From)));
        admin.MapPost("/kiosk-tokens", (NewTokenRequest body, HttpContext http, AccessTokens tokens, BoardCatalog boards) => IssueAsync(AccessTokenKind.Kiosk, body, http, tokens, boards));
        admin.MapPost("/kiosk-tokens/{id:long}/revoke", (long id, HttpContext http, AccessTokens tokens) => RevokeAsync(AccessTokenKind.Kiosk, id, http, tokens));
        admin.MapGet("/audit", QueryAuditAsync);
        admin.MapGet("/webhooks/attempts", async (WebhookAttemptLog attempts, string? target, string? delivery, int? limit) =>
            limit is < 1 or > 1000
                ? Problems.Invalid("limit", "must be 1–1000")
                : Results.Ok(await attempts.RecentAsync(limit ?? 200, target, delivery)));
        return app;
    }

    private static async Task<IResult> SignInAsync(
        HttpContext http, [FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl, UserAccounts accounts)
    {
        var outcome = await accounts.SignInAsync(userName, password, http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted);
        var back = SafeReturnUrl(returnUrl);
        if (!outcome.Ok)
        {
            var error = outcome.Error!.StartsWith("Too many", StringComparison.Ordinal) ? "locked" : "invalid";
            return Results.Redirect($"{AccessExtensions.LoginPath}?error={error}&returnUrl={Uri.EscapeDataString(back)}");
        }
        // A browser that showed a kiosk board before is a person's browser now.
        http.Response.Cookies.Delete(KioskAuthenticationHandler.CookieName);
        await http.SignInAsync(AccessExtensions.CookieScheme, UserAccounts.PrincipalFor(outcome.User!, AccessExtensions.CookieScheme));
        return Results.Redirect(back);
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, AuditLog audit, TimeProvider time)
    {
        if (AccessExtensions.IsPerson(http.User))
        {
            var actor = AccessExtensions.ActorOf(http);
            await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.SignOut, actor.Name, null, actor.Address);
        }
        await http.SignOutAsync(AccessExtensions.CookieScheme);
        http.Response.Cookies.Delete(KioskAuthenticationHandler.CookieName);
        return Results.Redirect(AccessExtensions.LoginPath);
    }

    /// <summary>Only a path on this site: an open redirect would let a link send people elsewhere after signing in.</summary>
    public static string SafeReturnUrl(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url : "/";

    private static async Task<IResult> CreateUserAsync(NewUserRequest body, HttpContext http, UserAccounts accounts)
    {
        if (!Roles.TryParse(body.Role, out var role)) return Problems.Invalid("role", $"'{body.Role}' is not one of {Roles.Names}");
        if (string.IsNullOrWhiteSpace(body.UserName)) return Problems.Invalid("userName", "required");
        return await Problems.RejectionsAsync(async () =>
        {
            var user = await accounts.CreateAsync(body.UserName, body.DisplayName, role, body.Password ?? "", AccessExtensions.ActorOf(http), http.RequestAborted);
            return Results.Created($"/api/v1/admin/users/{user.Id}", UserDto.From(user));
        });
    }

    private static async Task<IResult> UpdateUserAsync(long id, UserUpdateRequest body, HttpContext http, UserAccounts accounts)
    {
        var current = await accounts.FindAsync(id, http.RequestAborted);
        if (current is null) return Results.Problem(title: "Not found", detail: $"no user #{id}", statusCode: 404);
        var role = current.Role;
        if (body.Role is not null && !Roles.TryParse(body.Role, out role)) return Problems.Invalid("role", $"'{body.Role}' is not one of {Roles.Names}");
        return await Problems.RejectionsAsync(async () => Results.Ok(UserDto.From(await accounts.UpdateAsync(
            id, body.DisplayName, role, body.Disabled ?? current.Disabled, AccessExtensions.ActorOf(http), http.RequestAborted))));
    }

    private static Task<IResult> SetPasswordAsync(long id, PasswordRequest body, HttpContext http, UserAccounts accounts) => Problems.RejectionsAsync(async () =>
    {
        await accounts.SetPasswordAsync(id, body.Password ?? "", AccessExtensions.ActorOf(http), http.RequestAborted);
        return Results.NoContent();
    });

    private static Task<IResult> IssueAsync(AccessTokenKind kind, NewTokenRequest body, HttpContext http, AccessTokens tokens, BoardCatalog boards) => Problems.RejectionsAsync(async () =>
    {
        if (kind == AccessTokenKind.Kiosk && (body.Board is null || !boards.Names().Contains(body.Board, StringComparer.Ordinal)))
            return Problems.Invalid("board", $"'{body.Board}' is not a board in {boards.Directory}");
        var issued = await tokens.IssueAsync(kind, body.Name ?? "", body.Board, AccessExtensions.ActorOf(http), http.RequestAborted);
        var url = kind == AccessTokenKind.Kiosk
            ? $"{http.Request.Scheme}://{http.Request.Host}/wallboard/{Uri.EscapeDataString(body.Board!)}?{KioskAuthenticationHandler.QueryName}={issued.Secret}"
            : null;
        var path = kind == AccessTokenKind.Kiosk ? "kiosk-tokens" : "keys";
        return Results.Created($"/api/v1/admin/{path}/{issued.Record.Id}", new IssuedTokenDto(TokenDto.From(issued.Record), issued.Secret, url));
    });

    private static async Task<IResult> RevokeAsync(AccessTokenKind kind, long id, HttpContext http, AccessTokens tokens) =>
        await tokens.RevokeAsync(kind, id, AccessExtensions.ActorOf(http), http.RequestAborted)
            ? Results.NoContent()
            : Results.Problem(title: "Not found", detail: $"no active {(kind == AccessTokenKind.Kiosk ? "kiosk token" : "ingestion key")} #{id}", statusCode: 404);

    private static async Task<IResult> QueryAuditAsync(
        [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? actor, [FromQuery] string? action, [FromQuery] string? text,
        [FromQuery] long? before, [FromQuery] int? limit, [FromQuery] string? format, HttpContext http, AuditLog audit, TimeProvider time)
    {
        DateTimeOffset? fromAt = null, toAt = null;
        if (from is not null)
        {
            if (!DateTimeOffset.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var f)) return Problems.Invalid("from", $"'{from}' is not an RFC 3339 timestamp");
            fromAt = f;
        }
        if (to is not null)
        {
            if (!DateTimeOffset.TryParse(to, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return Problems.Invalid("to", $"'{to}' is not an RFC 3339 timestamp");
            toAt = t;
        }
        if (limit is < 1 or > 1000) return Problems.Invalid("limit", "must be 1–1000");
        if (format is not (null or "json" or "csv")) return Problems.Invalid("format", "must be json or csv");
        var entries = await audit.QueryAsync(new AuditQuery(fromAt, toAt, actor, action, text, before, limit ?? 200), http.RequestAborted);
        var who = AccessExtensions.ActorOf(http);
        // Reading the audit log shows who did what: that view is itself recorded.
        await audit.AppendAsync(time.GetUtcNow(), who.Name, format == "csv" ? AuditActions.ExportAudit : AuditActions.ViewAudit, "audit log",
            $"{entries.Count} entries; filter from={from} to={to} actor={actor} action={action} text={text}", who.Address);
        return format == "csv" ? Results.Text(AuditCsv(entries), "text/csv; charset=utf-8") : Results.Ok(entries);
    }

    public static string AuditCsv(IEnumerable<AuditEntry> entries)
    {
        var csv = new StringBuilder("id,at,actor,action,target,detail,address,success\n");
        foreach (var e in entries)
            csv.AppendJoin(',', e.Id.ToString(CultureInfo.InvariantCulture), e.At.ToString("O", CultureInfo.InvariantCulture), Csv(e.Actor), Csv(e.Action),
                Csv(e.Target), Csv(e.Detail), Csv(e.Address), e.Success ? "true" : "false").Append('\n');
        return csv.ToString();
    }

    private static string Csv(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
}
