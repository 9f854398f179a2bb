using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.LoadTest;

/// <summary>
/// The Release build of the web app as a child process with its own ports, temporary config
/// (generated queues, a random API key) and temporary SQLite file, removed again on dispose.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    public const string ProbeQueue = "probe";

    private static readonly (string Channel, double Share, int Threshold, int ShortAbandon)[] ChannelMix =
    [
        ("phone", 0.40, 20, 5),
        ("chat", 0.15, 60, 5),
        ("messenger", 0.15, 60, 5),
        ("email", 0.10, 14_400, 0),
        ("ticket", 0.10, 14_400, 0),
        ("social", 0.10, 86_400, 0),
    ];

    private readonly WebAppProcess _process;
    private readonly string _tempDir;
    private readonly bool _keepTemp;
    private readonly StreamWriter _log;

    private ServerHost(WebAppProcess process, string tempDir, bool keepTemp, StreamWriter log, Uri url, string key, IReadOnlyList<StreamQueue> queues, TimeZoneInfo timeZone)
    {
        _process = process;
        _tempDir = tempDir;
        _keepTemp = keepTemp;
        _log = log;
        Url = url;
        Key = key;
        Queues = queues;
        TimeZone = timeZone;
    }

    public Uri Url { get; }
    public string Key { get; }
    public int Pid => _process.Id;
    public IReadOnlyList<StreamQueue> Queues { get; }
    public TimeZoneInfo TimeZone { get; }
    public string LogPath => Path.Combine(_tempDir, "server.log");
    public string TempDir => _tempDir;
    public TimeSpan? ShutdownTime { get; private set; }
    public bool Killed { get; private set; }
    public int? ExitCode { get; private set; }

    /// <summary>The directory holding Ops.Dashboard.sln, walking up from the working directory and this program.</summary>
    public static string FindRepoRoot() => RepoLayout.FindRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);

    public static string WebDll(string repoRoot) => RepoLayout.WebDll(repoRoot, "Release");

    /// <summary>Queue ids q000…, channels mixed as <see cref="ChannelMix"/>; the probe queue is separate.</summary>
    public static List<StreamQueue> MakeQueues(int count)
    {
        var queues = new List<StreamQueue>(count);
        var width = Math.Max(3, (count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        for (var i = 0; i < count; i++)
        {
            // Spread the channels evenly over the ids (so the busy first queues have every channel).
            var x = (i * 0.618034) % 1.0;
            var cumulative = 0.0;
            var channel = ChannelMix[^1].Channel;
            foreach (var c in ChannelMix)
            {
                cumulative += c.Share;
                if (x < cumulative) { channel = c.Channel; break; }
            }
            queues.Add(new StreamQueue($"q{i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0')}", channel));
        }
        return queues;
    }

    public static async Task<ServerHost> StartAsync(LoadOptions options, CancellationToken ct)
    {
        var root = FindRepoRoot();
        var dll = WebDll(root);
        if (!File.Exists(dll))
            throw new InvalidOperationException($"The Release build of the web app is missing ({dll}).{Environment.NewLine}Build it first:  dotnet build -c Release src/Ops.Dashboard.Web");

        var temp = Path.Combine(Path.GetTempPath(), $"ops-loadtest-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}");
        var config = Path.Combine(temp, "config");
        Directory.CreateDirectory(config);
        foreach (var file in new[] { "site.json", "shifts.json" })
        {
            var source = Path.Combine(root, "config", file);
            if (File.Exists(source)) File.Copy(source, Path.Combine(config, file));
            else if (file == "site.json") throw new InvalidOperationException($"{source} is missing: the load test copies the site from it.");
        }
        var queues = MakeQueues(options.Queues);
        await WriteJsonAsync(Path.Combine(config, "queues.json"), new JsonObject { ["queues"] = QueuesJson(queues) }, ct);
        var key = RandomNumberGenerator.GetHexString(40, lowercase: true);
        await WriteJsonAsync(Path.Combine(config, "ingestion.json"), new JsonObject
        {
            ["ingestion"] = new JsonObject
            {
                ["apiKeys"] = new JsonArray(new JsonObject { ["name"] = "loadtest", ["key"] = key }),
                ["maxBatchEvents"] = Math.Max(5000, options.Batch + 100),
                ["maxBatchBytes"] = Math.Max(4L * 1024 * 1024, options.Batch * 600L),
            },
        }, ct);
        var timeZone = SiteTimeZone(Path.Combine(config, "site.json"));

        var log = new StreamWriter(Path.Combine(temp, "server.log")) { AutoFlush = true };
        var process = WebAppProcess.Start(new WebAppStart(root, dll, Path.Combine(temp, "ops.db"))
        {
            Arguments =
            [
                $"--Ops:ConfigDirectory={config}",
                // The working directory is the repository, so the build's appsettings.json is not read:
                // without this every request would be logged at Information.
                $"--Logging:LogLevel:Default={options.ServerLogLevel}",
                .. options.ServerArgs,
            ],
            OnLine = line => { lock (log) log.WriteLine(line); },
        });
        var host = new ServerHost(process, temp, options.KeepTemp, log, new Uri(process.BaseUrl + "/"), key, queues, timeZone);
        try
        {
            using var http = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(5) };
            await process.WaitUntilHealthyAsync(http, TimeSpan.FromSeconds(90), ReadyWhen.StatusOk, TimeSpan.FromMilliseconds(200), () => host.Tail(), ct);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    private static JsonArray QueuesJson(IEnumerable<StreamQueue> queues)
    {
        var array = new JsonArray();
        foreach (var q in queues.Append(new StreamQueue(ProbeQueue, "phone")))
        {
            var mix = ChannelMix.First(c => c.Channel == q.Channel);
            array.Add(new JsonObject
            {
                ["id"] = q.Id,
                ["name"] = q.Id == ProbeQueue ? "Load test probe" : $"Queue {q.Id[1..]} ({q.Channel})",
                ["channel"] = q.Channel,
                ["slThresholdSeconds"] = mix.Threshold,
                ["slTargetPercent"] = q.Channel == "social" ? 95 : 80,
                ["shortAbandonSeconds"] = mix.ShortAbandon,
                ["hours"] = "24/7",
                ["critical"] = q.Channel == "phone",
            });
        }
        return array;
    }

    private static async Task WriteJsonAsync(string path, JsonNode node, CancellationToken ct) =>
        await File.WriteAllTextAsync(path, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ct);

    /// <summary>The site's zone from site.json (site.timeZone), UTC if it cannot be read.</summary>
    public static TimeZoneInfo SiteTimeZone(string siteJson)
    {
        try
        {
            var id = JsonNode.Parse(File.ReadAllText(siteJson))?["site"]?["timeZone"]?.GetValue<string>();
            return id is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is IOException or JsonException or TimeZoneNotFoundException or InvalidOperationException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    /// <summary>The end of the server's log, for error messages.</summary>
    public string Tail(int lines = 30)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var all = new StreamReader(stream).ReadToEnd().Split('\n');
            return $"--- last lines of the server log ({LogPath}) ---{Environment.NewLine}" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Stops the server as an operator would (SIGTERM, so it checkpoints), then removes the temp directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            var sw = Stopwatch.StartNew();
            if (await _process.TerminateAsync(TimeSpan.FromSeconds(30)))
            {
                ShutdownTime = sw.Elapsed;
            }
            else
            {
                Console.Error.WriteLine("The server did not stop within 30 s of SIGTERM; killing it.");
                Killed = true;
                _process.Kill();
            }
        }
        ExitCode = _process.ExitCode;
        _process.Dispose();
        lock (_log) _log.Dispose();
        if (_keepTemp)
        {
            Console.WriteLine($"kept {_tempDir} (config, ops.db, server.log)");
        }
        else
        {
            try { Directory.Delete(_tempDir, recursive: true); }
            catch (IOException e) { Console.Error.WriteLine($"could not remove {_tempDir}: {e.Message}"); }
        }
    }
}

/// <summary>GET /healthz: {"status","appliedSeq","loggedSeq"}.</summary>
public readonly record struct Health(string Status, long AppliedSeq, long LoggedSeq)
{
    public long Backlog => Math.Max(0, LoggedSeq - AppliedSeq);

    public static async Task<Health> GetAsync(HttpClient http, CancellationToken ct)
    {
        using var response = await http.GetAsync("healthz", ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        var root = doc.RootElement;
        return new Health(root.GetProperty("status").GetString() ?? "", root.GetProperty("appliedSeq").GetInt64(), root.GetProperty("loggedSeq").GetInt64());
    }
}
