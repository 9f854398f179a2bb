using System.Globalization;

namespace Ops.Dashboard.LoadTest;

/// <summary>The command line of the load program.</summary>
public sealed class LoadOptions
{
    public int Agents { get; private set; } = 5000;
    public int Queues { get; private set; } = 200;
    public double Seconds { get; private set; } = 60;
    public double WarmupSeconds { get; private set; } = 5;
    /// <summary>Target events per second; 0 = as fast as the server takes them.</summary>
    public double Rate { get; private set; } = 20_000;
    public int Batch { get; private set; } = 1000;
    public int Clients { get; private set; } = 4;
    public Uri? Url { get; private set; }
    public string? Key { get; private set; }
    public double ProbeIntervalMs { get; private set; } = 100;
    public double PollMs { get; private set; } = 5;
    public double DrainTimeoutSeconds { get; private set; } = 60;
    public string ServerLogLevel { get; private set; } = "Warning";
    public bool KeepTemp { get; private set; }
    public bool SkipPreflight { get; private set; }
    public bool PreflightOnly { get; private set; }
    public int Sample { get; private set; }
    public bool Timeline { get; private set; }
    public string? ProbesCsv { get; private set; }
    public int Seed { get; private set; } = Environment.TickCount;
    public List<string> ServerArgs { get; } = [];

    public const string Usage = """
        Ops.Dashboard ingestion benchmark: posts a realistic contact-centre event stream over HTTP on
        loopback and reports sustained events/s and the latency from POST to the figures being visible
        in the read API.

        usage: dotnet run -c Release --project tests/Ops.Dashboard.LoadTest -- [options]

          --agents N          agents in the stream (default 5000)
          --queues N          queues in the generated config (default 200; plus one 'probe' queue)
          --seconds S         measured window (default 60)
          --warmup S          warm-up before the window, after the agents' first events (default 5)
          --rate R            target events/s (default 20000; 0 = as fast as possible)
          --batch N           events per POST (default 1000)
          --clients N         concurrent posting loops (default 4)
          --url URL --key K   use a running server instead of starting one (its config must have
                              a queue 'probe' for the latency probe; its other queues are used)
          --probe-ms MS       one probe contact every MS milliseconds (default 100)
          --poll-ms MS        delay between polls of GET /api/v1/queues/probe (default 5)
          --drain-timeout S   how long to wait for the dispatcher and probes after the window (default 60)
          --server-log-level  log level of the started server (default Warning)
          --server-arg ARG    extra argument for the started server (repeatable), e.g. --server-arg=--Foo=1
          --seed N            random seed of the generator
          --keep-temp         keep the temporary config and database
          --no-preflight      skip the generator/parser self-check
          --preflight-only    run the generator/parser self-check and exit
          --timeline          print the monitor's samples (every 500 ms: accepted, applied, backlog, RSS, CPU)
          --probes-csv FILE   write every probe of the window: seconds after the window's start, POST→visible ms
          --sample N          print an agent's introduction and N events of the steady stream, and exit

        By default it starts the Release build of the web app, which must be built first:
          dotnet build -c Release src/Ops.Dashboard.Web
        """;

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value() => inline ?? (++i < args.Length ? args[i] : throw new ArgumentException($"{arg} needs a value"));
            switch (arg)
            {
                case "--agents": o.Agents = Int(arg, Value(), 1); break;
                case "--queues": o.Queues = Int(arg, Value(), 1); break;
                case "--seconds": o.Seconds = Number(arg, Value(), 0.5); break;
                case "--warmup": o.WarmupSeconds = Number(arg, Value(), 0); break;
                case "--rate": o.Rate = Number(arg, Value(), 0); break;
                case "--batch": o.Batch = Int(arg, Value(), 1); break;
                case "--clients": o.Clients = Int(arg, Value(), 1); break;
                case "--url": o.Url = new Uri(Value().TrimEnd('/') + "/"); break;
                case "--key": o.Key = Value(); break;
                case "--probe-ms": o.ProbeIntervalMs = Number(arg, Value(), 1); break;
                case "--poll-ms": o.PollMs = Number(arg, Value(), 0); break;
                case "--drain-timeout": o.DrainTimeoutSeconds = Number(arg, Value(), 1); break;
                case "--server-log-level": o.ServerLogLevel = Value(); break;
                case "--server-arg": o.ServerArgs.Add(Value()); break;
                case "--seed": o.Seed = Int(arg, Value(), int.MinValue); break;
                case "--keep-temp": o.KeepTemp = true; break;
                case "--no-preflight": o.SkipPreflight = true; break;
                case "--preflight-only": o.PreflightOnly = true; break;
                case "--sample": o.Sample = Int(arg, Value(), 1); break;
                case "--timeline": o.Timeline = true; break;
                case "--probes-csv": o.ProbesCsv = Value(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        if (o.Url is not null && string.IsNullOrEmpty(o.Key))
            throw new ArgumentException("--url needs --key (an API key of that server)");
        return o;
    }

    private static int Int(string name, string text, int min) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v
            : throw new ArgumentException($"{name} must be a whole number ≥ {min}, not '{text}'");

    private static double Number(string name, string text, double min) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v
            : throw new ArgumentException($"{name} must be a number ≥ {min}, not '{text}'");
}
