using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace Ops.Dashboard.E2E;

/// <summary>
/// The built web app (src/Ops.Dashboard.Web/bin/&lt;Configuration&gt;/net10.0/Ops.Dashboard.Web.dll, the
/// configuration this test assembly was built in) as a child process: Development environment (so the
/// build output serves its static web assets), simulator off, its own SQLite file and free ports.
/// Adapted from Ops.Dashboard.Web.Tests' AppProcess.
/// </summary>
public sealed class WebApp : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WebApp(Process process, int httpPort)
    {
        _process = process;
        HttpPort = httpPort;
        BaseUrl = $"http://127.0.0.1:{httpPort}";
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey());
    }

    public int HttpPort { get; }
    public string BaseUrl { get; }
    public HttpClient Http { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static string Configuration =>
        typeof(WebApp).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The web project's build output for this assembly's configuration (the project reference builds it first).</summary>
    public static string WebDll()
    {
        var dll = Path.Combine(Repo.Root, "src", "Ops.Dashboard.Web", "bin", Configuration, "net10.0", "Ops.Dashboard.Web.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"the web app is not built for {Configuration}: {dll} (dotnet build -c {Configuration} src/Ops.Dashboard.Web)");
        return dll;
    }

    /// <summary>The first key of config/ingestion.json.</summary>
    public static string ApiKey()
    {
        var file = Path.Combine(Repo.Root, "config", "ingestion.json");
        return (string)JsonNode.Parse(File.ReadAllText(file))!["ingestion"]!["apiKeys"]![0]!["key"]!;
    }

    /// <summary>
    /// Starts the app on <paramref name="databasePath"/> (on <paramref name="httpPort"/>, or a free one) with
    /// <paramref name="extraArgs"/> and waits until it has recovered and applied its log.
    /// </summary>
    public static async Task<WebApp> StartAsync(string databasePath, IEnumerable<string>? extraArgs = null, int? httpPort = null)
    {
        var port = httpPort ?? Repo.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repo.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            WebDll(),
            "--urls", $"http://127.0.0.1:{port}",
            $"--Storage:Path={databasePath}",
            $"--Orleans:SiloPort={Repo.FreePort()}",
            $"--Orleans:GatewayPort={Repo.FreePort()}",
            "--Simulator:Enabled=false",
            "--Logging:LogLevel:Default=Warning",
        }.Concat(extraArgs ?? []))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("OPS_API_KEY");

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new WebApp(process, port);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        if (!process.Start()) throw new InvalidOperationException("dotnet did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
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

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>Polls /healthz until status is ok and appliedSeq ≥ loggedSeq; fails early if the process dies.</summary>
    public async Task WaitUntilAppliedAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var watch = Stopwatch.StartNew();
        var last = "(no answer yet)";
        while (true)
        {
            if (_process.HasExited)
                throw new Xunit.Sdk.XunitException($"the app exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await Http.GetAsync("/healthz");
                last = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode)
                {
                    var health = JsonNode.Parse(last)!;
                    if ((string?)health["status"] == "failed") throw new Xunit.Sdk.XunitException($"recovery failed: {last}\n{Output}");
                    if ((string?)health["status"] == "ok" && (long)health["appliedSeq"]! >= (long)health["loggedSeq"]!) return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // slow answer on a busy machine
            }
            if (watch.Elapsed > limit)
                throw new Xunit.Sdk.XunitException($"the app was not ready within {limit}; last health {last}\n{Output}");
            await Task.Delay(50);
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

    /// <summary>The hard way down: SIGKILL, no graceful stop.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        Http.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Free ports, the repository layout, the screenshot folder.</summary>
public static class Repo
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>The directory holding Ops.Dashboard.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

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

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ops.Dashboard.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Ops.Dashboard.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A port nobody listens on now, never the same twice in this process (silos on one port interfere).</summary>
    public static int FreePort()
    {
        lock (Handed)
        {
            while (true)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Handed.Add(port)) return port;
            }
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

/// <summary>Contract-v1 events as JSON (camelCase, RFC 3339 with offset).</summary>
public static class Ev
{
    private static JsonObject Base(string type, DateTimeOffset at) => new()
    {
        ["id"] = "e2e-" + Guid.NewGuid().ToString("N"),
        ["type"] = type,
        ["at"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
    };

    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A few seconds ago, so the events are today's and not in the future.</summary>
    public static DateTimeOffset Recent(int secondsAgo = 5) => DateTimeOffset.UtcNow.AddSeconds(-secondsAgo);

    public static JsonObject Created(string contactId, string queue, DateTimeOffset at, string channel = "phone")
    {
        var e = Base("contact.created", at);
        e["contactId"] = contactId;
        e["queue"] = queue;
        e["channel"] = channel;
        return e;
    }

    public static JsonObject Answered(string contactId, string agentId, DateTimeOffset at)
    {
        var e = Base("contact.answered", at);
        e["contactId"] = contactId;
        e["agentId"] = agentId;
        return e;
    }

    public static JsonObject AgentState(string agentId, string state, DateTimeOffset at)
    {
        var e = Base("agent.state", at);
        e["agentId"] = agentId;
        e["state"] = state;
        return e;
    }

    public static JsonObject AgentQueues(string agentId, DateTimeOffset at, params string[] queues)
    {
        var e = Base("agent.queues", at);
        e["agentId"] = agentId;
        e["queues"] = new JsonArray([.. queues.Select(q => (JsonNode?)JsonValue.Create(q))]);
        return e;
    }

    /// <summary><paramref name="count"/> new phone contacts waiting in <paramref name="queue"/>.</summary>
    public static IEnumerable<JsonObject> Waiting(string queue, int count, DateTimeOffset at, string channel = "phone") =>
        Enumerable.Range(0, count).Select(i => Created(NewId("c-e2e-"), queue, at.AddMilliseconds(i), channel));
}
