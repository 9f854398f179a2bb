using System.Text.Json.Nodes;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The built web app (src/Ops.Dashboard.Web/bin/&lt;Configuration&gt;/net10.0/Ops.Dashboard.Web.dll) run
/// as a child process on a given SQLite file, with fresh ports on every start.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private readonly WebAppProcess _process;

    private AppProcess(WebAppProcess process)
    {
        _process = process;
        Api = new OpsApi(new HttpClient { BaseAddress = new Uri(process.BaseUrl), Timeout = TimeSpan.FromSeconds(100) });
        Api.Http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey());
    }

    public int HttpPort => _process.HttpPort;
    public OpsApi Api { get; }
    public int ProcessId => _process.Id;

    public string Output => _process.Output;

    /// <summary>The Web project's own build output for the configuration this test assembly was built in.</summary>
    public static string WebDll()
    {
        var configuration = RepoLayout.ConfigurationOf(typeof(AppProcess).Assembly);
        var dll = RepoLayout.WebDll(SupportNet.RepositoryRoot(), configuration);
        if (!File.Exists(dll)) throw new FileNotFoundException($"the web app is not built for {configuration}: {dll}");
        return dll;
    }

    /// <summary>The first key of config/ingestion.json.</summary>
    public static string ApiKey() => RepoLayout.ApiKey(SupportNet.RepositoryRoot());

    /// <summary>Starts the app on <paramref name="databasePath"/> and waits until it has recovered and applied its log.</summary>
    public static async Task<AppProcess> StartAsync(string databasePath)
    {
        var app = new AppProcess(WebAppProcess.Start(new WebAppStart(SupportNet.RepositoryRoot(), WebDll(), databasePath)
        {
            Arguments = ["--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Ops.Dashboard=Information"],
            Environment = new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development" },
        }));
        try
        {
            await app.WaitUntilReadyAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>Polls /healthz until status is ok and appliedSeq == loggedSeq; fails early if the process dies.</summary>
    public async Task<JsonObject> WaitUntilReadyAsync()
    {
        try
        {
            return await _process.WaitUntilHealthyAsync(Api.Http, StartTimeout, ReadyWhen.AppliedEqualsLogged, TimeSpan.FromMilliseconds(50), () => Output);
        }
        catch (WebAppNotReadyException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message);
        }
    }

    /// <summary>
    /// The polite way down, as systemd or Kubernetes stop a service: SIGTERM, then wait for the exit
    /// (the guard only keeps a hung process from hanging the test run). Returns the exit code.
    /// </summary>
    public async Task<int> StopGracefullyAsync()
    {
        if (!await _process.TerminateAsync(StartTimeout))
            throw new Xunit.Sdk.XunitException($"the app did not exit after SIGTERM:\n{Output}");
        return _process.ExitCode;
    }

    /// <summary>The hard way down: no graceful stop, no final checkpoint.</summary>
    public void Kill() => _process.Kill();

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        Api.Http.Dispose();
        return ValueTask.CompletedTask;
    }
}
