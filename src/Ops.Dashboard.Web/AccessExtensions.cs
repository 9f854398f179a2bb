using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

/// <summary>
/// Who may do what: people sign in with a cookie, sources and tools present an API key, a TV presents
/// a kiosk token. One selector scheme picks the handler from what the request carries.
/// </summary>
public static class AccessExtensions
{
    public const string SelectorScheme = "Ops";
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string LoginPath = "/account/login";
    public const string DeniedPath = "/account/denied";

    /// <summary>The supervisory chain from TeamLead up: wallboards and the read API.</summary>
    public static readonly Role[] TeamLeadAndAbove = [Role.TeamLead, Role.ShiftManager, Role.Management, Role.Admin];
    public static readonly Role[] ShiftManagerAndAbove = [Role.ShiftManager, Role.Management, Role.Admin];
    public static readonly Role[] PlanningRoles = [Role.Management, Role.Admin];

    public static WebApplicationBuilder AddOpsAccess(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AccessTokens>();
        builder.Services.AddSingleton<UserAccounts>();
        builder.Services.AddHostedService<AccessBootstrap>();
        // Session cookies are encrypted with keys kept next to the database: sign-ins survive a restart,
        // and nodes sharing the data directory accept each other's cookies.
        builder.Services.AddDataProtection()
            .SetApplicationName("Ops.Dashboard")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetDirectoryName(OpsHostExtensions.StoragePath(builder.Configuration))!, "keys")));
        var sessionHours = builder.Configuration.GetValue("access:sessionHours", 12);

        builder.Services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "API key, kiosk token or sign-in", o => o.ForwardDefaultSelector = SelectScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "ops_session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.LoginPath = LoginPath;
                o.AccessDeniedPath = DeniedPath;
                o.ExpireTimeSpan = TimeSpan.FromHours(sessionHours);
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = ctx => IsMachinePath(ctx.Request)
                    ? WriteProblemAsync(ctx.HttpContext, 401, "Unauthorized", "a valid API key (X-Api-Key) or a signed-in session is required")
                    : Redirect(ctx);
                o.Events.OnRedirectToAccessDenied = ctx => IsMachinePath(ctx.Request)
                    ? WriteProblemAsync(ctx.HttpContext, 403, "Forbidden", "your role does not allow this")
                    : Redirect(ctx);
                o.Events.OnValidatePrincipal = RevalidateAsync;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, KioskAuthenticationHandler>(KioskAuthenticationHandler.SchemeName, null);

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SignedIn, p => p.RequireAssertion(ctx => IsPerson(ctx.User)))
            .AddPolicy(Policies.Wallboard, p => p.RequireAssertion(ctx => HasRole(ctx.User, TeamLeadAndAbove) || KioskBoard(ctx.User) is { } board
                && string.Equals(board, RouteBoard(ctx.Resource), StringComparison.OrdinalIgnoreCase)))
            .AddPolicy(Policies.Read, p => p.RequireAssertion(ctx => IsSource(ctx.User) || HasRole(ctx.User, TeamLeadAndAbove)))
            .AddPolicy(Policies.Live, p => p.RequireAssertion(ctx => IsSource(ctx.User) || HasRole(ctx.User, TeamLeadAndAbove) || KioskBoard(ctx.User) is not null))
            .AddPolicy(Policies.Ingest, p => p.RequireAssertion(ctx => IsSource(ctx.User)))
            .AddPolicy(Policies.Acknowledge, p => p.RequireAssertion(ctx => HasRole(ctx.User, TeamLeadAndAbove)))
            .AddPolicy(Policies.Console, p => p.RequireAssertion(ctx => HasRole(ctx.User, ShiftManagerAndAbove)))
            .AddPolicy(Policies.Planning, p => p.RequireAssertion(ctx => HasRole(ctx.User, PlanningRoles)))
            .AddPolicy(Policies.Admin, p => p.RequireAssertion(ctx => HasRole(ctx.User, Role.Admin)));
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }

    public static bool IsSource(ClaimsPrincipal user) => user.IsInRole(ApiKeyAuthenticationHandler.SourceRole);

    /// <summary>A signed-in person (cookie), as opposed to a source's key or a kiosk.</summary>
    public static bool IsPerson(ClaimsPrincipal user) => user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == CookieScheme);

    public static bool HasRole(ClaimsPrincipal user, params Role[] roles) => IsPerson(user) && roles.Any(r => user.IsInRole(r.ToString()));

    /// <summary>The one board a kiosk token may show; null for everyone else.</summary>
    public static string? KioskBoard(ClaimsPrincipal user) =>
        user.IsInRole(KioskAuthenticationHandler.Role) ? user.FindFirstValue(KioskAuthenticationHandler.BoardClaim) : null;

    public static Actor ActorOf(HttpContext http) =>
        new(http.User.Identity?.Name ?? "anonymous", http.Connection.RemoteIpAddress?.ToString());

    /// <summary>The board of the route being authorised: an endpoint (HttpContext) or an interactive route (RouteData).</summary>
    private static string? RouteBoard(object? resource) => resource switch
    {
        HttpContext http => http.GetRouteValue("board") as string,
        Microsoft.AspNetCore.Components.RouteData route => route.RouteValues.TryGetValue("Board", out var b) ? b as string : null,
        _ => null,
    };

    private static string SelectScheme(HttpContext http)
    {
        var request = http.Request;
        if (request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header)) return ApiKeyAuthenticationHandler.SchemeName;
        if (request.Path.StartsWithSegments("/hubs") && (request.Query.TryGetValue("access_token", out var token) || request.Query.TryGetValue("apiKey", out token)))
            return token.ToString().StartsWith(AccessTokens.KioskPrefix, StringComparison.Ordinal)
                ? KioskAuthenticationHandler.SchemeName : ApiKeyAuthenticationHandler.SchemeName;
        if (KioskAuthenticationHandler.Presents(request)) return KioskAuthenticationHandler.SchemeName;
        // A closed demo network without keys: sources and tools need none.
        if (IsMachinePath(request) && !http.RequestServices.GetRequiredService<OpsOptions>().Ingestion.RequireApiKey
            && !request.Cookies.ContainsKey("ops_session"))
            return ApiKeyAuthenticationHandler.SchemeName;
        return CookieScheme;
    }

    private static bool IsMachinePath(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx)
    {
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    private static Task WriteProblemAsync(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        return Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(http);
    }

    /// <summary>A disabled user is signed out on the next request, a changed role applies on the next request.</summary>
    private static async Task RevalidateAsync(CookieValidatePrincipalContext ctx)
    {
        var accounts = ctx.HttpContext.RequestServices.GetRequiredService<UserAccounts>();
        var user = long.TryParse(ctx.Principal?.FindFirstValue(UserAccounts.UserIdClaim), out var id)
            ? await accounts.FindAsync(id, ctx.HttpContext.RequestAborted) : null;
        if (user is null || user.Disabled)
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(CookieScheme);
            return;
        }
        if (!ctx.Principal!.IsInRole(user.Role.ToString()) || ctx.Principal.FindFirstValue(UserAccounts.DisplayNameClaim) != user.DisplayName)
        {
            ctx.ReplacePrincipal(UserAccounts.PrincipalFor(user, CookieScheme));
            ctx.ShouldRenew = true;
        }
    }
}

/// <summary>
/// The first administrator on a fresh install (OPS_ADMIN_USER and OPS_ADMIN_PASSWORD, used only while
/// no active administrator exists), and in demo mode the demo users of config/access.json.
/// </summary>
public sealed class AccessBootstrap(UserAccounts accounts, OpsOptions options, IConfiguration configuration, ILogger<AccessBootstrap> logger) : IHostedService
{
    public const string AdminUserVariable = "OPS_ADMIN_USER";
    public const string AdminPasswordVariable = "OPS_ADMIN_PASSWORD";
    private static readonly Actor System = new("system", null);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var user = configuration[AdminUserVariable];
        var password = configuration[AdminPasswordVariable];
        if (!string.IsNullOrWhiteSpace(user) && !string.IsNullOrEmpty(password) && !await accounts.AnyActiveAdminAsync(cancellationToken))
        {
            try
            {
                await accounts.EnsureAdminAsync(user, password, System, cancellationToken);
                logger.LogInformation("Created the administrator '{User}' from {Variable}", user, AdminUserVariable);
            }
            catch (CommandRejectedException e)
            {
                throw new OpsConfigurationException("Ops.Dashboard cannot start: the first administrator cannot be created.",
                    [$"{AdminUserVariable}/{AdminPasswordVariable}: {e.Message}"]);
            }
        }
        else if (string.IsNullOrWhiteSpace(user) != string.IsNullOrEmpty(password))
        {
            logger.LogWarning("Set both {User} and {Password} to create the first administrator", AdminUserVariable, AdminPasswordVariable);
        }

        if (configuration.GetValue<bool>("Simulator:Enabled"))
        {
            foreach (var demo in options.Access.DemoUsers)
            {
                Roles.TryParse(demo.Role, out var role);
                try
                {
                    await accounts.CreateAsync(demo.UserName, demo.DisplayName, role, demo.Password, new Actor("demo configuration", null), cancellationToken);
                }
                catch (CommandRejectedException)
                {
                    // Already there (an earlier start): a demo user's later changes are kept.
                }
            }
        }

        if (!await accounts.AnyActiveAdminAsync(cancellationToken))
            logger.LogWarning("No active administrator: set {User} and {Password}, or run `Ops.Dashboard.Web create-admin <user>`", AdminUserVariable, AdminPasswordVariable);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
