using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

/// <summary>Authenticates sources and tools by the X-Api-Key header against the configured keys.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    OpsOptions options) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string SourceRole = "Source";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!options.Ingestion.RequireApiKey)
            return Task.FromResult(Success("anonymous"));
        if (PresentedKey() is not { Length: > 0 } key)
            return Task.FromResult(AuthenticateResult.NoResult());
        var presented = Encoding.UTF8.GetBytes(key);
        // Compare against every key in constant time so timing does not reveal a prefix.
        var match = options.Ingestion.ApiKeys.FirstOrDefault(k =>
            CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(k.Key)));
        return Task.FromResult(match is null ? AuthenticateResult.Fail("unknown API key") : Success(match.Name));
    }

    /// <summary>
    /// The key from the header; on hub paths also from the query string, because browsers cannot set
    /// headers on a WebSocket (SignalR's accessTokenFactory sends access_token).
    /// </summary>
    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue(Header, out var values) && values.Count == 1) return values[0];
        if (!Request.Path.StartsWithSegments("/hubs")) return null;
        return Request.Query.TryGetValue("access_token", out var token) ? token.ToString()
            : Request.Query.TryGetValue("apiKey", out var key) ? key.ToString() : null;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await Results.Problem(
            title: "Unauthorized",
            detail: $"a valid API key is required in the {Header} header",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    private AuthenticateResult Success(string name)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, SourceRole)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
