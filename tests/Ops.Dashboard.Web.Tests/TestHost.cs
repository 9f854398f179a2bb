using Ops.Dashboard.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// One in-process dashboard (web host + co-hosted silo) per xunit collection, with its own SQLite
/// file and its own Orleans ports. Tests of a collection run one after another on it, so each uses
/// its own contacts, agents and (where figures are asserted) its own time slot or queue.
/// </summary>
public class TestHost : IAsyncLifetime
{
    private Factory? _factory;

    public TestHost() : this(null)
    {
    }

    /// <summary>A host on an existing data directory (a restart); internal so xunit sees one public constructor.</summary>
    internal TestHost(string? dataDirectory) => DataDirectory = dataDirectory ?? SupportNet.NewTempDirectory("ops-web-tests-");

    public string DataDirectory { get; }
    public string DatabasePath => Path.Combine(DataDirectory, "ops.db");
    public int SiloPort { get; } = SupportNet.FreePort();
    public int GatewayPort { get; } = SupportNet.FreePort();

    public OpsApi Api { get; private set; } = null!;
    public OpsOptions Options { get; private set; } = null!;
    public string ApiKey { get; private set; } = "";

    /// <summary>More settings for a host of a particular collection (webhook targets, users…).</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    public virtual async Task InitializeAsync()
    {
        _factory = new Factory(new Dictionary<string, string>(ExtraSettings)
        {
            ["Storage:Path"] = DatabasePath,
            ["Orleans:SiloPort"] = SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Simulator:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        Options = _factory.Services.GetRequiredService<OpsOptions>();
        ApiKey = Options.Ingestion.ApiKeys[0].Key;
        Api = new OpsApi(CreateClient(ApiKey));
        await Api.WaitUntilAppliedAsync();

        // The settings must reach Program's builder: otherwise hosts share data/ops.db and port 11111.
        if (!File.Exists(DatabasePath))
            throw new InvalidOperationException($"Storage:Path was not honoured: {DatabasePath} does not exist");
        if (!SupportNet.IsListening(SiloPort))
            throw new InvalidOperationException($"Orleans:SiloPort was not honoured: nothing listens on {SiloPort}");
    }

    /// <summary>
    /// A client with a signed-in session: it fetches the sign-in form (for its antiforgery token), posts
    /// it, and keeps the session cookie. Fails the test when the sign-in is refused.
    /// </summary>
    public async Task<HttpClient> SignedInClientAsync(string userName, string password)
    {
        var client = CreateClient(null);
        using var response = await AppSessions.PostSignInAsync(client, userName, password);
        if (response.StatusCode != System.Net.HttpStatusCode.Redirect || response.Headers.Location?.OriginalString != "/")
            throw new InvalidOperationException($"sign-in as {userName} failed: {(int)response.StatusCode} → {response.Headers.Location}");
        return client;
    }

    /// <summary>Creates a user with this role (the password is the user name twice) unless it exists.</summary>
    public async Task<(string UserName, string Password)> EnsureUserAsync(string userName, Ops.Dashboard.Domain.Role role)
    {
        var password = userName + "-" + userName + "-pw";
        var accounts = Service<UserAccounts>();
        if ((await accounts.ListAsync()).All(u => !string.Equals(u.UserName, userName, StringComparison.OrdinalIgnoreCase)))
            await accounts.CreateAsync(userName, userName, role, password, new Actor("test setup", null));
        return (userName, password);
    }

    /// <summary>A client of this host; <paramref name="apiKey"/> null sends no X-Api-Key header.</summary>
    public HttpClient CreateClient(string? apiKey)
    {
        var client = _factory!.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public T Service<T>() where T : notnull => _factory!.Services.GetRequiredService<T>();

    /// <summary>The host's services, for component tests that render against the real system.</summary>
    public IServiceProvider Services => _factory!.Services;

    /// <summary>Stops the host gracefully (hosted services' StopAsync, the dispatcher's final checkpoint); errors propagate.</summary>
    public async Task StopAsync()
    {
        var factory = _factory;
        _factory = null;
        if (factory is not null) await factory.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_factory is not null) await _factory.DisposeAsync();
        }
        catch (Exception)
        {
            // A failing graceful stop is a finding of its own (RestartGracefulTests); it must not
            // turn into a cleanup failure of every collection.
        }
        SupportNet.DeleteQuietly(DataDirectory);
    }

    private sealed class Factory(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ApiHostCollection : ICollectionFixture<TestHost>
{
    public const string Name = "API host";
}

[CollectionDefinition(Name)]
public sealed class KpiHostCollection : ICollectionFixture<TestHost>
{
    public const string Name = "KPI host";
}

[CollectionDefinition(Name)]
public sealed class AcceptanceHostCollection : ICollectionFixture<TestHost>
{
    public const string Name = "Acceptance host";
}
