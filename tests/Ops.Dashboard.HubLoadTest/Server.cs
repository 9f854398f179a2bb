using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.HubLoadTest;

/// <summary>
/// The Release build of the web app as a child process with the repository's config (its queues and
/// boards), a temporary SQLite file, free loopback ports and the simulator off. Development
/// environment, so the build output serves its static web assets to the browser in circuits mode.
/// Its first administrator (<see cref="AdminUser"/>, a fresh password each run) comes from
/// OPS_ADMIN_USER/OPS_ADMIN_PASSWORD: circuits mode signs in with it to issue a kiosk link.
/// </summary>
public sealed class Server : IAsyncDisposable
{
    private readonly WebAppProcess _process;
    private readonly string _temp;
    private readonly StreamWriter _log;

    private Server(WebAppProcess process, string temp, StreamWriter log, string key, string adminPassword)
    {
        _process = process;
        _temp = temp;
        _log = log;
        Url = new Uri(process.BaseUrl + "/");
        Key = key;
        AdminPassword = adminPassword;
    }

    public Uri Url { get; }
    public string Key { get; }
    public const string AdminUser = "hubload-admin";
    public string AdminPassword { get; }

    /// <summary>A session of the administrator, signed in through the sign-in form (for the admin API).</summary>
    public Task<HttpClient> AdminAsync(CancellationToken ct) => AppSessions.SignInAsync(Url.ToString(), AdminUser, AdminPassword, ct);
    public int Pid => _process.Id;
    public string LogPath => Path.Combine(_temp, "server.log");

    public static string FindRepoRoot() => RepoLayout.FindRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);

    public static string WebDll(string root) => RepoLayout.WebDll(root, "Release");

    /// <summary>The site's queue ids (config/queues.json) and the first API key (config/ingestion.json).</summary>
    public static (IReadOnlyList<string> Queues, string Key) SiteConfig(string root)
    {
        var queues = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "config", "queues.json")))!["queues"]!.AsArray()
            .Select(q => (string)q!["id"]!).ToList();
        return (queues, RepoLayout.ApiKey(root));
    }

    public static async Task<Server> StartAsync(HubLoadOptions options, CancellationToken ct)
    {
        var root = FindRepoRoot();
        var dll = WebDll(root);
        if (!File.Exists(dll))
            throw new InvalidOperationException($"The Release build of the web app is missing ({dll}).\nBuild it first:  dotnet build -c Release src/Ops.Dashboard.Web");
        var (_, key) = SiteConfig(root);
        var temp = Directory.CreateTempSubdirectory("ops-hubload-").FullName;
        var log = new StreamWriter(Path.Combine(temp, "server.log")) { AutoFlush = true };
        var adminPassword = "hl-" + Guid.NewGuid().ToString("N");
        var process = WebAppProcess.Start(new WebAppStart(root, dll, Path.Combine(temp, "ops.db"))
        {
            Arguments = ["--Logging:LogLevel:Default=Warning", .. options.ServerArgs],
            Environment = new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                [AppSessions.AdminUserVariable] = AdminUser,
                [AppSessions.AdminPasswordVariable] = adminPassword,
            },
            OnLine = line => { lock (log) log.WriteLine(line); },
        });
        var server = new Server(process, temp, log, key, adminPassword);
        try
        {
            using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(5) };
            await process.WaitUntilHealthyAsync(http, TimeSpan.FromSeconds(120), ReadyWhen.AppliedAtLeastLogged, TimeSpan.FromMilliseconds(200), () => $"log: {server.LogPath}", ct);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>SIGTERM (timed), SIGKILL after 30 s; then the temp directory goes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!await _process.TerminateAsync(TimeSpan.FromSeconds(30))) _process.Kill();
        _process.Dispose();
        lock (_log) _log.Dispose();
        try
        {
            Directory.Delete(_temp, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not remove {_temp}: {e.Message}");
        }
    }
}

/// <summary>One reading of a Linux process from /proc: resident memory (now and peak) and CPU time so far.</summary>
public readonly record struct ProcSample(long RssBytes, long PeakRssBytes, TimeSpan Cpu)
{
    public static ProcSample? Read(int pid) =>
        ProcReading.Read(pid) is { } r ? new ProcSample(r.RssBytes, r.PeakRssBytes, r.Cpu) : null;

    public static string LoadAverage() => ProcReading.LoadAverages() is { } l ? string.Join(" ", l) : "?";
}

/// <summary>Samples a process every second while a run lasts: peak RSS, CPU between two marks.</summary>
public sealed class ProcMonitor : IAsyncDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<string>? _extra;
    private readonly bool _timeline;
    private long _peakRss;

    public ProcMonitor(int pid, bool timeline, Func<string>? extra = null)
    {
        _pid = pid;
        _timeline = timeline;
        _extra = extra;
        _loop = Task.Run(LoopAsync);
    }

    public long PeakRss => Interlocked.Read(ref _peakRss);

    public void ResetPeak() => Interlocked.Exchange(ref _peakRss, ProcSample.Read(_pid)?.RssBytes ?? 0);

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var watch = Stopwatch.StartNew();
        var lastPrint = TimeSpan.Zero;
        var lastCpu = ProcSample.Read(_pid)?.Cpu ?? TimeSpan.Zero;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (ProcSample.Read(_pid) is not { } s) continue;
                long peak;
                while (s.RssBytes > (peak = Interlocked.Read(ref _peakRss)) && Interlocked.CompareExchange(ref _peakRss, s.RssBytes, peak) != peak)
                {
                }
                if (_timeline && watch.Elapsed - lastPrint >= TimeSpan.FromSeconds(1))
                {
                    var cpu = (s.Cpu - lastCpu).TotalSeconds / (watch.Elapsed - lastPrint).TotalSeconds * 100;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  t={watch.Elapsed.TotalSeconds,5:0} s  server RSS {s.RssBytes / 1048576.0,6:0} MB  CPU {cpu,5:0} %  load {ProcSample.LoadAverage()}  {_extra?.Invoke()}"));
                    lastPrint = watch.Elapsed;
                    lastCpu = s.Cpu;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>Posting contract-v1 events: one new waiting phone contact per queue and tick.</summary>
public sealed class EventPoster(Uri url, string key) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = url,
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestHeaders = { { "X-Api-Key", key } },
    };
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private long _errors;

    public long Errors => Interlocked.Read(ref _errors);

    public async Task PostContactAsync(string queue, long n, CancellationToken ct)
    {
        var at = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var id = $"hl-{_run}-{queue}-{n.ToString(CultureInfo.InvariantCulture)}";
        var body = $$"""[{"id":"{{id}}","type":"contact.created","at":"{{at}}","contactId":"{{id}}","queue":"{{queue}}","channel":"phone"}]""";
        try
        {
            using var response = await _http.PostAsync("api/v1/events", new StringContent(body, Encoding.UTF8, "application/json"), ct);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Interlocked.Increment(ref _errors);
                Console.Error.WriteLine($"POST for {queue}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        }
        catch (HttpRequestException e)
        {
            Interlocked.Increment(ref _errors);
            Console.Error.WriteLine($"POST for {queue}: {e.Message}");
        }
    }

    public async Task<int> WaitingAsync(string queue, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync($"api/v1/queues/{queue}", ct));
        return doc.RootElement.GetProperty("waiting").GetInt32();
    }

    public void Dispose() => _http.Dispose();
}
