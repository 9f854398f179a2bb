using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>
/// Authenticates sources and tools by the X-Api-Key header: the keys in config/ingestion.json (and
/// OPS_API_KEY), and the ingestion keys administrators issue (stored hashed, revocable).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    OpsOptions options,
    AccessTokens tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string SourceRole = "Source";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!options.Ingestion.RequireApiKey)
            return Success("anonymous");
        if (PresentedKey(Request) is not { Length: > 0 } key)
            return AuthenticateResult.NoResult();
        var presented = Encoding.UTF8.GetBytes(key);
        // Compare against every configured key in constant time so timing does not reveal a prefix.
        var match = options.Ingestion.ApiKeys.FirstOrDefault(k =>
            CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(k.Key)));
        if (match is not null) return Success(match.Name);
        // Issued keys are looked up by hash, which reveals nothing either.
        return await tokens.ValidateAsync(AccessTokenKind.Ingestion, key, Context.RequestAborted) is { } issued
            ? Success($"key:{issued.Name}")
            : AuthenticateResult.Fail("unknown API key");
    }

    /// <summary>
    /// The key from the header; on hub paths also from the query string, because browsers cannot set
    /// headers on a WebSocket (SignalR's accessTokenFactory sends access_token).
    /// </summary>
    public static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(Header, out var values) && values.Count == 1) return values[0];
        if (!request.Path.StartsWithSegments("/hubs")) return null;
        return request.Query.TryGetValue("access_token", out var token) ? token.ToString()
            : request.Query.TryGetValue("apiKey", out var key) ? key.ToString() : null;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await Results.Problem(
            title: "Unauthorized",
            detail: $"a valid API key is required in the {Header} header (or sign in)",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(
            title: "Forbidden",
            detail: "this key is not allowed to do that",
            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);
    }

    private AuthenticateResult Success(string name)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, SourceRole)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
