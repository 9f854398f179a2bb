using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ops.Dashboard.HubLoadTest;

/// <summary>
/// The Release build of the web app as a child process with the repository's config (its queues and
/// boards), a temporary SQLite file, free loopback ports and the simulator off. Development
/// environment, so the build output serves its static web assets to the browser in circuits mode.
/// </summary>
public sealed class Server : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _temp;
    private readonly StreamWriter _log;

    private Server(Process process, string temp, StreamWriter log, Uri url, string key)
    {
        _process = process;
        _temp = temp;
        _log = log;
        Url = url;
        Key = key;
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Url { get; }
    public string Key { get; }
    public int Pid => _process.Id;
    public string LogPath => Path.Combine(_temp, "server.log");

    public static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Ops.Dashboard.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Ops.Dashboard.sln not found above the working directory or the program; run from the repository.");
    }

    public static string WebDll(string root) => Path.Combine(root, "src", "Ops.Dashboard.Web", "bin", "Release", "net10.0", "Ops.Dashboard.Web.dll");

    /// <summary>The site's queue ids (config/queues.json) and the first API key (config/ingestion.json).</summary>
    public static (IReadOnlyList<string> Queues, string Key) SiteConfig(string root)
    {
        var queues = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "config", "queues.json")))!["queues"]!.AsArray()
            .Select(q => (string)q!["id"]!).ToList();
        var key = (string)JsonNode.Parse(File.ReadAllText(Path.Combine(root, "config", "ingestion.json")))!["ingestion"]!["apiKeys"]![0]!["key"]!;
        return (queues, key);
    }

    public static async Task<Server> StartAsync(HubLoadOptions options, CancellationToken ct)
    {
        var root = FindRepoRoot();
        var dll = WebDll(root);
        if (!File.Exists(dll))
            throw new InvalidOperationException($"The Release build of the web app is missing ({dll}).\nBuild it first:  dotnet build -c Release src/Ops.Dashboard.Web");
        var (_, key) = SiteConfig(root);
        var temp = Directory.CreateTempSubdirectory("ops-hubload-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            dll,
            "--urls", $"http://127.0.0.1:{port}",
            $"--Storage:Path={Path.Combine(temp, "ops.db")}",
            $"--Orleans:SiloPort={FreePort()}",
            $"--Orleans:GatewayPort={FreePort()}",
            "--Simulator:Enabled=false",
            "--Logging:LogLevel:Default=Warning",
        }.Concat(options.ServerArgs))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("OPS_API_KEY");
        var log = new StreamWriter(Path.Combine(temp, "server.log")) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started");
        var server = new Server(process, temp, log, new Uri($"http://127.0.0.1:{port}/"), key);
        try
        {
            await server.WaitHealthyAsync(TimeSpan.FromSeconds(120), ct);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_log) _log.WriteLine(line);
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        var last = "no answer";
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The server exited with code {_process.ExitCode} during start; log: {LogPath}");
            try
            {
                using var doc = JsonDocument.Parse(await http.GetStringAsync("healthz", ct));
                var r = doc.RootElement;
                last = r.GetRawText();
                if (r.GetProperty("status").GetString() == "ok" && r.GetProperty("appliedSeq").GetInt64() >= r.GetProperty("loggedSeq").GetInt64()) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                last = e.Message;
            }
            await Task.Delay(200, ct);
        }
        throw new InvalidOperationException($"The server was not healthy within {timeout.TotalSeconds:0} s (last: {last}); log: {LogPath}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGTERM (timed), SIGKILL after 30 s; then the temp directory goes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
                {
                    if (kill is not null) await kill.WaitForExitAsync();
                }
                using var graceful = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(graceful.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
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
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public static ProcSample? Read(int pid)
    {
        try
        {
            long rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line) * 1024;
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kb(line) * 1024;
            }
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may contain spaces: count from its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return new ProcSample(rss, hwm, TimeSpan.FromSeconds(ticks / TicksPerSecond));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static long Kb(string line) =>
        long.Parse(new string([.. line.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(char.IsAsciiDigit)]), CultureInfo.InvariantCulture);
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
