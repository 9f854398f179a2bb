using System.Collections.Concurrent;

namespace Ops.Dashboard.E2E;

/// <summary>
/// One running dashboard (the built app as a child process, own temp database and ports) and one
/// headless chromium per test collection. Tests of a collection run one after another.
/// </summary>
public abstract class HostFixture : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("ops-e2e-").FullName;
    public string DatabasePath => Path.Combine(Directory, "ops.db");
    public WebApp App { get; private set; } = null!;
    public ChromiumBrowser Chromium { get; private set; } = null!;

    /// <summary>Extra command-line settings of this collection's host.</summary>
    protected virtual IEnumerable<string> ExtraArgs => [];

    private readonly ConcurrentDictionary<string, Lazy<Task<Account>>> _accounts = new(StringComparer.Ordinal);

    public string Url(string path) => App.BaseUrl + path;

    /// <summary>The administrator the host was started with (OPS_ADMIN_USER/OPS_ADMIN_PASSWORD).</summary>
    public Account Admin => WebApp.Admin;

    /// <summary>
    /// One user of <paramref name="role"/> for this host, created through the admin API the first time it is
    /// asked for (users live in the database, so they survive <see cref="RestartAsync"/>).
    /// </summary>
    public Task<Account> AccountAsync(string role) =>
        _accounts.GetOrAdd(role, r => new Lazy<Task<Account>>(() => App.CreateUserAsync(r))).Value;

    public async Task InitializeAsync()
    {
        var app = WebApp.StartAsync(DatabasePath, ExtraArgs);
        var browser = ChromiumBrowser.LaunchAsync();
        try
        {
            App = await app;
            Chromium = await browser;
        }
        catch
        {
            if (app.IsCompletedSuccessfully) await app.Result.DisposeAsync();
            if (browser.IsCompletedSuccessfully) await browser.Result.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the app again on the same database and the same HTTP port (after <see cref="WebApp.Kill"/>).</summary>
    public async Task RestartAsync()
    {
        var port = App.HttpPort;
        await App.DisposeAsync();
        App = await WebApp.StartAsync(DatabasePath, ExtraArgs, port);
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null) await Chromium.DisposeAsync();
        if (App is not null) await App.DisposeAsync();
        Repo.DeleteQuietly(Directory);
    }
}

/// <summary>The default host: heartbeat every 2 s, changes flushed every 200 ms.</summary>
public sealed class LiveHost : HostFixture;

/// <summary>A host whose feed never beats (heartbeat once an hour): without traffic a board goes stale.</summary>
public sealed class QuietHost : HostFixture
{
    protected override IEnumerable<string> ExtraArgs => ["--ChangeFeed:HeartbeatSeconds=3600"];
}

/// <summary>A host the test kills (and starts again on the same port).</summary>
public sealed class DoomedHost : HostFixture;

[CollectionDefinition(Name)]
public sealed class LiveHostCollection : ICollectionFixture<LiveHost>
{
    public const string Name = "E2E live host";
}

[CollectionDefinition(Name)]
public sealed class QuietHostCollection : ICollectionFixture<QuietHost>
{
    public const string Name = "E2E quiet host";
}

[CollectionDefinition(Name)]
public sealed class DoomedHostCollection : ICollectionFixture<DoomedHost>
{
    public const string Name = "E2E doomed host";
}

/// <summary>A host with an alarm rule that fires at once: three or more contacts waiting in social.</summary>
public sealed class AlarmHost : HostFixture
{
    public const string Queue = "social";

    protected override IEnumerable<string> ExtraArgs =>
    [
        "--alarms:rules:99:id=e2e-waiting", "--alarms:rules:99:name=Customers waiting", "--alarms:rules:99:kind=waitingAbove",
        $"--alarms:rules:99:queues:0={Queue}", "--alarms:rules:99:severity=critical", "--alarms:rules:99:raise=3",
        "--alarms:rules:99:clear=0", "--alarms:rules:99:forSeconds=0", "--alarms:rules:99:clearForSeconds=0",
    ];
}

[CollectionDefinition(Name)]
public sealed class AlarmHostCollection : ICollectionFixture<AlarmHost>
{
    public const string Name = "E2E alarm host";
}
