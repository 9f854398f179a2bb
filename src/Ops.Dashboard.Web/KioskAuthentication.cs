using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>
/// A TV shows one board without a person signing in: /wallboard/{board}?kiosk=TOKEN. The token is
/// kept in an HTTP-only cookie for the page's own requests (the Blazor circuit) and checked against
/// the store on every request, so a revoked token stops working at once.
/// </summary>
public sealed class KioskAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AccessTokens tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "Kiosk";
    public const string Role = "Kiosk";
    public const string BoardClaim = "ops:kiosk-board";
    public const string TokenIdClaim = "ops:kiosk-token";
    public const string QueryName = "kiosk";
    public const string CookieName = "ops_kiosk";

    /// <summary>Whether the request carries a kiosk token at all (the scheme selector asks).</summary>
    public static bool Presents(HttpRequest request) => PresentedToken(request) is not null;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentedToken(Request) is not { } token) return AuthenticateResult.NoResult();
        if (await tokens.ValidateAsync(AccessTokenKind.Kiosk, token, Context.RequestAborted) is not { Board: { } board } record)
        {
            Response.Cookies.Delete(CookieName);
            return AuthenticateResult.Fail("unknown or revoked kiosk token");
        }
        if (Request.Query.ContainsKey(QueryName))
        {
            Response.Cookies.Append(CookieName, token, new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Strict, IsEssential = true, Secure = Request.IsHttps,
                MaxAge = TimeSpan.FromDays(400),
            });
        }
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, $"kiosk:{record.Name}"),
            new Claim(ClaimTypes.Role, Role),
            new Claim(BoardClaim, board),
            new Claim(TokenIdClaim, record.Id.ToString(CultureInfo.InvariantCulture)),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.ContentType = "text/plain; charset=utf-8";
        await Response.WriteAsync("This kiosk token is unknown or has been revoked. Ask an administrator for a new board link.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.ContentType = "text/plain; charset=utf-8";
        await Response.WriteAsync("This kiosk token shows one board only.");
    }

    private static string? PresentedToken(HttpRequest request)
    {
        if (request.Query.TryGetValue(QueryName, out var q) && q.Count == 1 && q[0] is { Length: > 0 } fromQuery) return fromQuery;
        if (request.Path.StartsWithSegments("/hubs") && request.Query.TryGetValue("access_token", out var t)
            && t.ToString().StartsWith(AccessTokens.KioskPrefix, StringComparison.Ordinal)) return t.ToString();
        return request.Cookies.TryGetValue(CookieName, out var c) && c.Length > 0 ? c : null;
    }
}
