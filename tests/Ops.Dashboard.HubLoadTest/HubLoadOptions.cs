using System.Globalization;

namespace Ops.Dashboard.HubLoadTest;

/// <summary>The command line of the live-update benchmark.</summary>
public sealed class HubLoadOptions
{
    public int Clients { get; private set; } = 500;
    /// <summary>0: hub mode; N &gt; 0: N Blazor wallboard circuits in one headless chromium.</summary>
    public int Circuits { get; private set; }
    public string Board { get; private set; } = "floor";
    /// <summary>How the circuits' pages get in: a kiosk link (as a TV) or the administrator's sign-in.</summary>
    public string Access { get; private set; } = "kiosk";
    public double Seconds { get; private set; } = 30;
    public double WarmupSeconds { get; private set; } = 5;
    /// <summary>Changes per second per queue (each one a POST), so each subscriber gets about this many updates/s.</summary>
    public double Rate { get; private set; } = 2;
    public int ConnectParallel { get; private set; } = 32;
    public double DrainTimeoutSeconds { get; private set; } = 10;
    public bool Timeline { get; private set; }
    public List<string> ServerArgs { get; } = [];

    public const string Usage = """
        Ops.Dashboard live-update benchmark. Starts the Release build of the web app (simulator off, own
        temp database, free ports) with the site's queues, then either

          hub mode (default): opens N SignalR clients over WebSockets, each SubscribeQueue of one of
            the site's queues (spread evenly), posts one new waiting contact per queue every 1/rate s
            (queues staggered), and measures the time from each POST's start to every client's receipt
            of the QueueUpdated whose waiting count includes it;
          circuits mode (--circuits N): opens N wallboard pages in one headless chromium (Playwright,
            /usr/bin/chromium), waits until each circuit is interactive, runs the same paced traffic and
            reports the server's memory with N open circuits. The pages open the board through a kiosk
            link, as a TV would: the server starts with OPS_ADMIN_USER/OPS_ADMIN_PASSWORD (a fresh
            password each run) and the administrator issues the link through the admin API.

        usage: dotnet run -c Release --project tests/Ops.Dashboard.HubLoadTest -- [options]

          --clients N         SignalR clients in hub mode (default 500)
          --circuits N        circuits mode with N wallboard pages (e.g. 50)
          --board NAME        board the pages open in circuits mode (default floor)
          --access MODE       how the pages get in: kiosk (default; one kiosk link, as TVs) or
                              sign-in (the browser signs in as the administrator through the form)
          --seconds S         measured window (default 30)
          --warmup S          traffic before the window (default 5)
          --rate R            changes per second per queue (default 2; the feed flushes every 200 ms,
                              so at most 5 updates/s per queue reach a client)
          --connect-parallel N  connections opened at once (default 32)
          --drain-timeout S   wait for the last updates after the window (default 10)
          --timeline          print the monitor's samples (every second: RSS, CPU, updates)
          --server-arg ARG    extra argument for the started server (repeatable)

        Build the server first:  dotnet build -c Release src/Ops.Dashboard.Web
        """;

    public static HubLoadOptions Parse(string[] args)
    {
        var o = new HubLoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is var eq and > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value() => inline ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value"));
            double Number(double min)
            {
                var text = Value();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < min)
                    throw new ArgumentException($"{arg} {text}: expected a number ≥ {min}");
                return v;
            }
            switch (arg)
            {
                case "--clients": o.Clients = (int)Number(1); break;
                case "--circuits": o.Circuits = (int)Number(1); break;
                case "--board": o.Board = Value(); break;
                case "--access":
                    var access = Value();
                    o.Access = access is "kiosk" or "sign-in" ? access : throw new ArgumentException($"--access {access}: expected kiosk or sign-in");
                    break;
                case "--seconds": o.Seconds = Number(1); break;
                case "--warmup": o.WarmupSeconds = Number(0); break;
                case "--rate": o.Rate = Number(0.1); break;
                case "--connect-parallel": o.ConnectParallel = (int)Number(1); break;
                case "--drain-timeout": o.DrainTimeoutSeconds = Number(1); break;
                case "--timeline": o.Timeline = true; break;
                case "--server-arg": o.ServerArgs.Add(Value()); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        return o;
    }
}
