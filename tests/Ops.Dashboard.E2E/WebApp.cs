using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.E2E;

/// <summary>
/// The built web app (src/Ops.Dashboard.Web/bin/&lt;Configuration&gt;/net10.0/Ops.Dashboard.Web.dll, the
/// configuration this test assembly was built in) as a child process: Development environment (so the
/// build output serves its static web assets), simulator off, its own SQLite file and free ports.
/// The process itself is Ops.Dashboard.Testing's <see cref="WebAppProcess"/>. The first administrator
/// (<see cref="Admin"/>) is created at start from OPS_ADMIN_USER/OPS_ADMIN_PASSWORD; the other users and
/// kiosk links come from the admin API, through a session signed in like a browser would.
/// </summary>
public sealed class WebApp : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The administrator every host creates at start (the password has the 10 characters the app asks for).</summary>
    public static readonly Account Admin = new("e2e-admin", "e2e-admin-password-0", "Admin");

    private readonly WebAppProcess _process;
    private readonly SemaphoreSlim _adminGate = new(1, 1);
    private HttpClient? _admin;

    private WebApp(WebAppProcess process)
    {
        _process = process;
        BaseUrl = process.BaseUrl;
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey());
    }

    public int HttpPort => _process.HttpPort;
    public string BaseUrl { get; }
    public HttpClient Http { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

    public static string Configuration => RepoLayout.ConfigurationOf(typeof(WebApp).Assembly);

    /// <summary>The web project's build output for this assembly's configuration (the project reference builds it first).</summary>
    public static string WebDll()
    {
        var dll = RepoLayout.WebDll(Repo.Root, Configuration);
        if (!File.Exists(dll))
            throw new FileNotFoundException($"the web app is not built for {Configuration}: {dll} (dotnet build -c {Configuration} src/Ops.Dashboard.Web)");
        return dll;
    }

    /// <summary>The first key of config/ingestion.json.</summary>
    public static string ApiKey() => RepoLayout.ApiKey(Repo.Root);

    /// <summary>
    /// Starts the app on <paramref name="databasePath"/> (on <paramref name="httpPort"/>, or a free one) with
    /// <paramref name="extraArgs"/> and waits until it has recovered and applied its log.
    /// </summary>
    public static async Task<WebApp> StartAsync(string databasePath, IEnumerable<string>? extraArgs = null, int? httpPort = null)
    {
        var app = new WebApp(WebAppProcess.Start(new WebAppStart(Repo.Root, WebDll(), databasePath)
        {
            HttpPort = httpPort,
            Arguments = ["--Logging:LogLevel:Default=Warning", .. extraArgs ?? []],
            Environment = new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                [AppSessions.AdminUserVariable] = Admin.UserName,
                [AppSessions.AdminPasswordVariable] = Admin.Password,
            },
        }));
        try
        {
            await app.WaitUntilAppliedAsync(StartTimeout);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>Polls /healthz until status is ok and appliedSeq ≥ loggedSeq; fails early if the process dies.</summary>
    public async Task WaitUntilAppliedAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitUntilHealthyAsync(Http, timeout ?? TimeSpan.FromSeconds(60), ReadyWhen.AppliedAtLeastLogged, TimeSpan.FromMilliseconds(50), () => Output);
        }
        catch (WebAppNotReadyException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message);
        }
    }

    /// <summary>POSTs a batch of contract-v1 events and asserts the 202.</summary>
    public async Task PostAsync(IEnumerable<JsonObject> events)
    {
        var body = "[" + string.Join(",", events.Select(e => e.ToJsonString())) + "]";
        using var response = await Http.PostAsync("/api/v1/events", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/v1/events: {(int)response.StatusCode} {text}");
    }

    public async Task<JsonNode> QueueAsync(string id)
    {
        using var response = await Http.GetAsync($"/api/v1/queues/{id}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET queue {id}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>
    /// A client with a signed-in session of <paramref name="account"/> (no API key), signed in through the
    /// sign-in form like a browser (<see cref="AppSessions.SignInAsync"/>). Fails when the sign-in is refused.
    /// </summary>
    public async Task<HttpClient> SignedInClientAsync(Account account)
    {
        try
        {
            return await AppSessions.SignInAsync(BaseUrl, account.UserName, account.Password);
        }
        catch (AppSessionException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message);
        }
    }

    /// <summary>The administrator's session (signed in once per process of the app).</summary>
    public async Task<HttpClient> AdminAsync()
    {
        await _adminGate.WaitAsync();
        try
        {
            return _admin ??= await SignedInClientAsync(Admin);
        }
        finally
        {
            _adminGate.Release();
        }
    }

    /// <summary>Creates a user with <paramref name="role"/> through the admin API (POST /api/v1/admin/users).</summary>
    public async Task<Account> CreateUserAsync(string role, string? userName = null)
    {
        var account = new Account(userName ?? WireEvents.NewId($"e2e-{role.ToLowerInvariant()}-"), WireEvents.NewId("pw-"), role);
        var admin = await AdminAsync();
        try
        {
            await AppSessions.CreateUserAsync(admin, account.UserName, $"E2E {role} {account.UserName[^4..]}", role, account.Password);
        }
        catch (AppSessionException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message);
        }
        return account;
    }

    /// <summary>Issues a kiosk token for <paramref name="board"/> through the admin API and returns its board link.</summary>
    public async Task<string> KioskLinkAsync(string board)
    {
        var admin = await AdminAsync();
        try
        {
            return await AppSessions.IssueKioskLinkAsync(admin, WireEvents.NewId($"e2e-tv-{board}-"), board);
        }
        catch (AppSessionException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message);
        }
    }

    /// <summary>GET /api/v1/admin/audit as the administrator; <paramref name="query"/> is the query string without '?'.</summary>
    public async Task<JsonArray> AuditAsync(string query = "")
    {
        var admin = await AdminAsync();
        using var response = await admin.GetAsync("/api/v1/admin/audit" + (query.Length > 0 ? "?" + query : ""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /api/v1/admin/audit?{query}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsArray();
    }

    /// <summary>The hard way down: SIGKILL, no graceful stop.</summary>
    public void Kill() => _process.Kill();

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        Http.Dispose();
        _admin?.Dispose();
        _adminGate.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A user of the app: what the sign-in form takes, and the role it was created with.</summary>
public sealed record Account(string UserName, string Password, string Role);

/// <summary>The repository layout, the screenshot folder.</summary>
public static class Repo
{
    /// <summary>The directory holding Ops.Dashboard.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = RepoLayout.FindRoot();

    /// <summary>TestResults/screenshots under the repository root (tests/run.sh clears TestResults at its start).</summary>
    public static string Screenshots
    {
        get
        {
            var dir = Path.Combine(Root, "TestResults", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>The browser tests' own traffic; the events themselves come from <c>WireEvents</c>.</summary>
public static class Ev
{
    /// <summary>A few seconds ago, so the events are today's and not in the future.</summary>
    public static DateTimeOffset Recent(int secondsAgo = 5) => DateTimeOffset.UtcNow.AddSeconds(-secondsAgo);

    /// <summary><paramref name="count"/> new phone contacts waiting in <paramref name="queue"/>.</summary>
    public static IEnumerable<JsonObject> Waiting(string queue, int count, DateTimeOffset at, string channel = "phone") =>
        Enumerable.Range(0, count).Select(i => WireEvents.Created(WireEvents.NewId("c-e2e-"), queue, at.AddMilliseconds(i), channel));
}
