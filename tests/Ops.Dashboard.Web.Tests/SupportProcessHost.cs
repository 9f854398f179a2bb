using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The built web app (src/Ops.Dashboard.Web/bin/&lt;Configuration&gt;/net10.0/Ops.Dashboard.Web.dll) run
/// as a child process on a given SQLite file, with fresh ports on every start.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppProcess(Process process, int httpPort)
    {
        _process = process;
        HttpPort = httpPort;
        Api = new OpsApi(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(100) });
        Api.Http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey());
    }

    public int HttpPort { get; }
    public OpsApi Api { get; }
    public int ProcessId => _process.Id;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>The Web project's own build output for the configuration this test assembly was built in.</summary>
    public static string WebDll()
    {
        var configuration = typeof(AppProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var root = SupportNet.RepositoryRoot();
        var dll = Path.Combine(root, "src", "Ops.Dashboard.Web", "bin", configuration, "net10.0", "Ops.Dashboard.Web.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"the web app is not built for {configuration}: {dll}");
        return dll;
    }

    /// <summary>The first key of config/ingestion.json.</summary>
    public static string ApiKey()
    {
        var file = Path.Combine(SupportNet.RepositoryRoot(), "config", "ingestion.json");
        return (string)JsonNode.Parse(File.ReadAllText(file))!["ingestion"]!["apiKeys"]![0]!["key"]!;
    }

    /// <summary>Starts the app on <paramref name="databasePath"/> and waits until it has recovered and applied its log.</summary>
    public static async Task<AppProcess> StartAsync(string databasePath)
    {
        var httpPort = SupportNet.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = SupportNet.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            WebDll(),
            "--urls", $"http://127.0.0.1:{httpPort}",
            $"--Storage:Path={databasePath}",
            $"--Orleans:SiloPort={SupportNet.FreePort()}",
            $"--Orleans:GatewayPort={SupportNet.FreePort()}",
            "--Simulator:Enabled=false",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Ops.Dashboard=Information",
        })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment.Remove("OPS_API_KEY");

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new AppProcess(process, httpPort);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        if (!process.Start()) throw new InvalidOperationException("dotnet did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
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

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>Polls /healthz until status is ok and appliedSeq == loggedSeq; fails early if the process dies.</summary>
    public async Task<JsonObject> WaitUntilReadyAsync()
    {
        var watch = Stopwatch.StartNew();
        string last = "(no answer yet)";
        while (true)
        {
            if (_process.HasExited)
                throw new Xunit.Sdk.XunitException($"the app exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await Api.Http.GetAsync("/healthz");
                last = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode)
                {
                    var health = JsonNode.Parse(last)!.AsObject();
                    if ((string?)health["status"] == "failed") throw new Xunit.Sdk.XunitException($"recovery failed: {last}\n{Output}");
                    if ((string?)health["status"] == "ok" && (long)health["appliedSeq"]! == (long)health["loggedSeq"]!) return health;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (watch.Elapsed > StartTimeout)
                throw new Xunit.Sdk.XunitException($"the app was not ready within {StartTimeout}; last health {last}\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The polite way down, as systemd or Kubernetes stop a service: SIGTERM, then wait for the exit
    /// (the guard only keeps a hung process from hanging the test run). Returns the exit code.
    /// </summary>
    public async Task<int> StopGracefullyAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var guard = new CancellationTokenSource(StartTimeout);
        try
        {
            await _process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"the app did not exit after SIGTERM:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>The hard way down: no graceful stop, no final checkpoint.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Api.Http.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
