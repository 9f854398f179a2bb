using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ops.Dashboard.Testing;

/// <summary>What /healthz must report before <see cref="WebAppProcess.WaitUntilHealthyAsync"/> returns.</summary>
public enum ReadyWhen
{
    /// <summary>status "ok".</summary>
    StatusOk,

    /// <summary>status "ok" and appliedSeq ≥ loggedSeq.</summary>
    AppliedAtLeastLogged,

    /// <summary>status "ok" and appliedSeq == loggedSeq.</summary>
    AppliedEqualsLogged,
}

/// <summary>How to start the built web app; see <see cref="WebAppProcess.Start"/>.</summary>
public sealed record WebAppStart(string Root, string WebDll, string DatabasePath)
{
    /// <summary>The HTTP port; a free one when null.</summary>
    public int? HttpPort { get; init; }

    /// <summary>Arguments after the common ones (ports, storage path, simulator off): logging levels, config overrides.</summary>
    public IEnumerable<string> Arguments { get; init; } = [];

    /// <summary>Environment variables to set; a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Receives each line of standard output and error; when null the lines are kept in <see cref="WebAppProcess.Output"/>.</summary>
    public Action<string>? OnLine { get; init; }
}

/// <summary>The web app's start did not reach the wanted /healthz state.</summary>
public sealed class WebAppNotReadyException(string message) : InvalidOperationException(message);

/// <summary>
/// The BUILT web app (src/Ops.Dashboard.Web/bin/&lt;Configuration&gt;/net10.0/Ops.Dashboard.Web.dll) as a
/// child process: `dotnet` in the repository root with its own SQLite file and free loopback ports
/// (HTTP, Orleans silo and gateway), the simulator off, ASPNETCORE_URLS and OPS_API_KEY removed.
/// </summary>
public sealed class WebAppProcess : IDisposable
{
    private readonly Process _process;
    private readonly Action<string>? _onLine;
    private readonly StringBuilder _output = new();

    private WebAppProcess(Process process, int httpPort, Action<string>? onLine)
    {
        _process = process;
        _onLine = onLine;
        HttpPort = httpPort;
        BaseUrl = $"http://127.0.0.1:{httpPort}";
    }

    public int HttpPort { get; }
    public string BaseUrl { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Standard output and error so far (empty when the start gave an <see cref="WebAppStart.OnLine"/>).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts the process; it does not wait for it to be ready (see <see cref="WaitUntilHealthyAsync"/>).</summary>
    public static WebAppProcess Start(WebAppStart options)
    {
        var port = options.HttpPort ?? FreePorts.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = options.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            options.WebDll,
            "--urls", $"http://127.0.0.1:{port}",
            $"--Storage:Path={options.DatabasePath}",
            $"--Orleans:SiloPort={FreePorts.Next()}",
            $"--Orleans:GatewayPort={FreePorts.Next()}",
            "--Simulator:Enabled=false",
        }.Concat(options.Arguments))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("OPS_API_KEY");
        foreach (var (name, value) in options.Environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new WebAppProcess(process, port, options.OnLine);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException("dotnet did not start");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        if (_onLine is not null) _onLine(line);
        else lock (_output) _output.AppendLine(line);
    }

    /// <summary>
    /// Polls GET /healthz through <paramref name="http"/> every <paramref name="poll"/> until it reports
    /// <paramref name="when"/>, and returns that answer. Throws <see cref="WebAppNotReadyException"/> when the
    /// process exits, reports status "failed", or is not ready within <paramref name="timeout"/>; the message
    /// says which and ends with <paramref name="details"/>' text (a log tail, the captured output).
    /// </summary>
    public async Task<JsonObject> WaitUntilHealthyAsync(
        HttpClient http, TimeSpan timeout, ReadyWhen when, TimeSpan poll, Func<string> details, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        var last = "(no answer yet)";
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
                throw new WebAppNotReadyException($"the app exited with code {_process.ExitCode}:\n{details()}");
            try
            {
                using var response = await http.GetAsync("/healthz", ct);
                last = await response.Content.ReadAsStringAsync(ct);
                if (response.IsSuccessStatusCode)
                {
                    var health = JsonNode.Parse(last)!.AsObject();
                    var status = (string?)health["status"];
                    if (status == "failed") throw new WebAppNotReadyException($"recovery failed: {last}\n{details()}");
                    if (status == "ok" && IsReady(health, when)) return health;
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException
                                      || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // not listening yet, or a slow answer on a busy machine
                if (e is not HttpRequestException) last = e.Message;
            }
            if (watch.Elapsed > timeout)
                throw new WebAppNotReadyException($"the app was not ready within {timeout}; last health {last}\n{details()}");
            await Task.Delay(poll, ct);
        }
    }

    private static bool IsReady(JsonObject health, ReadyWhen when) => when switch
    {
        ReadyWhen.AppliedAtLeastLogged => (long)health["appliedSeq"]! >= (long)health["loggedSeq"]!,
        ReadyWhen.AppliedEqualsLogged => (long)health["appliedSeq"]! == (long)health["loggedSeq"]!,
        _ => true,
    };

    /// <summary>
    /// The polite way down, as systemd or Kubernetes stop a service: SIGTERM, then wait up to
    /// <paramref name="wait"/> for the exit. False when it is still running then (or SIGTERM could not be sent).
    /// </summary>
    public async Task<bool> TerminateAsync(TimeSpan wait)
    {
        if (_process.HasExited) return true;
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            if (kill is not null) await kill.WaitForExitAsync();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no kill(1) to send the signal with
        }
        using var guard = new CancellationTokenSource(wait);
        try
        {
            await _process.WaitForExitAsync(guard.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The hard way down: SIGKILL to the process tree, no graceful stop, no final checkpoint.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Kills the process if it still runs, then releases it.</summary>
    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        _process.Dispose();
    }
}
