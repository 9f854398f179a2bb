using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ops.Dashboard.Testing;

/// <summary>The app refused a sign-in or an admin API call made for a test or a benchmark.</summary>
public sealed class AppSessionException(string message) : InvalidOperationException(message);

/// <summary>
/// Signed-in sessions of the running app over HTTP, as a browser gets them (the sign-in form with its
/// antiforgery token, then the session cookie), and the admin API calls the tests and benchmarks need.
/// The first administrator comes from <see cref="AdminUserVariable"/>/<see cref="AdminPasswordVariable"/>
/// in the app's environment (the password needs at least 10 characters).
/// </summary>
public static partial class AppSessions
{
    public const string AdminUserVariable = "OPS_ADMIN_USER";
    public const string AdminPasswordVariable = "OPS_ADMIN_PASSWORD";
    public const string LoginPath = "/account/login";

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    /// <summary>
    /// Fetches the sign-in form with <paramref name="client"/> (for its antiforgery token and cookie) and posts it;
    /// the answer is the redirect: back to "/" when signed in, to the form with an error otherwise.
    /// </summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string userName, string password, CancellationToken ct = default)
    {
        var form = await client.GetStringAsync(LoginPath, ct);
        var token = AntiforgeryField().Match(form) is { Success: true } m
            ? WebUtility.HtmlDecode(m.Groups[1].Value)
            : throw new AppSessionException($"{LoginPath} has no antiforgery token");
        return await client.PostAsync(LoginPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["userName"] = userName,
            ["password"] = password,
            ["returnUrl"] = "/",
        }), ct);
    }

    /// <summary>
    /// A client of <paramref name="baseUrl"/> with a signed-in session (a cookie container, no redirects
    /// followed, no API key). Throws <see cref="AppSessionException"/> when the sign-in is refused.
    /// </summary>
    public static async Task<HttpClient> SignInAsync(string baseUrl, string userName, string password, CancellationToken ct = default)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        };
        try
        {
            using var response = await PostSignInAsync(client, userName, password, ct);
            if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString != "/")
                throw new AppSessionException($"signing in as {userName} failed: {(int)response.StatusCode} → {response.Headers.Location}");
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>POST /api/v1/admin/users through an Admin's <paramref name="admin"/> session.</summary>
    public static async Task CreateUserAsync(HttpClient admin, string userName, string displayName, string role, string password, CancellationToken ct = default)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/admin/users", new { userName, displayName, role, password }, ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new AppSessionException($"POST /api/v1/admin/users ({userName}, {role}): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>
    /// Issues a kiosk token for <paramref name="board"/> (POST /api/v1/admin/kiosk-tokens) through an Admin's
    /// <paramref name="admin"/> session and returns its board link (…/wallboard/BOARD?kiosk=SECRET).
    /// </summary>
    public static async Task<string> IssueKioskLinkAsync(HttpClient admin, string name, string board, CancellationToken ct = default)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/admin/kiosk-tokens", new { name, board }, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new AppSessionException($"POST /api/v1/admin/kiosk-tokens ({board}): {(int)response.StatusCode} {text}");
        var url = (string?)JsonNode.Parse(text)?["url"];
        return string.IsNullOrEmpty(url) ? throw new AppSessionException($"the kiosk token came without a board link: {text}") : url;
    }
}
