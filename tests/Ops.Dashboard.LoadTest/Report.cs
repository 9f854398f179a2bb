using System.Globalization;
using System.Text;

namespace Ops.Dashboard.LoadTest;

/// <summary>The preflight's findings: the generator and the server's parser, alone on one thread.</summary>
public sealed record PreflightResult(double GeneratorEventsPerSecond, double ParserEventsPerSecond, double BytesPerEvent, long Events);

/// <summary>The table printed at the end and the one-line summary for the README.</summary>
public static class Report
{
    public const double TargetEventsPerSecond = 20_000;
    public const double TargetP99Ms = 250;
    public const double TargetRssMb = 500;

    /// <summary>Nearest-rank percentile; NaN for no values.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string Render(RunResult r, PreflightResult? preflight)
    {
        var o = r.Options;
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        void Line(string text) => sb.AppendLine(text);
        void Row(string metric, string value, string target = "", bool? pass = null) =>
            Line(string.Create(ci, $"  {metric,-34} {value,-44} {target,-12} {(pass is null ? "" : pass.Value ? "PASS" : "FAIL")}").TrimEnd());

        var rate = r.WindowSeconds > 0 ? r.AcceptedInWindow / r.WindowSeconds : 0;
        var latencies = r.Probes.Where(p => p.SeenAt != 0).Select(p => p.LatencyMs).ToList();
        var p50 = Percentile(latencies, 50);
        var p90 = Percentile(latencies, 90);
        var p99 = Percentile(latencies, 99);
        var max = latencies.Count == 0 ? double.NaN : latencies.Max();
        var serverCpu = r.ProcAtStart is { } ps && r.ProcAtEnd is { } pe ? (pe.Cpu - ps.Cpu).TotalSeconds / r.WindowSeconds : (double?)null;
        var serverUser = r.ProcAtStart is { } us && r.ProcAtEnd is { } ue ? (ue.UserCpu - us.UserCpu).TotalSeconds / r.WindowSeconds : (double?)null;
        var serverSys = r.ProcAtStart is { } ss && r.ProcAtEnd is { } se ? (se.SystemCpu - ss.SystemCpu).TotalSeconds / r.WindowSeconds : (double?)null;
        var clientCpu = r.ClientCpu.TotalSeconds / r.WindowSeconds;
        var applied = r.HealthAtStart is { } hs && r.HealthAtEnd is { } he ? (he.AppliedSeq - hs.AppliedSeq) / r.WindowSeconds : (double?)null;
        var peakMb = r.PeakRssBytes / 1048576.0;
        var probesOk = latencies.Count > 0 && r.ProbesUnseen == 0;

        Line("");
        Line(string.Create(ci, $"Ops.Dashboard ingestion benchmark — {o.Agents:N0} agents, {r.Target.Queues.Count:N0} queues (+probe), batch {o.Batch:N0}, {o.Clients} clients, target rate {(o.Rate > 0 ? o.Rate.ToString("N0", ci) + " events/s" : "unlimited")}"));
        Line(string.Create(ci, $"  server {r.Target.Url} ({(r.Target.Pid is { } pid ? $"started by this run, pid {pid}" : "given by --url")}); machine before the run: {r.LoadBefore}"));
        if (preflight is { } pf)
            Line(string.Create(ci, $"  generator alone: {pf.GeneratorEventsPerSecond:N0} events/s on one thread; the server's EventParser alone: {pf.ParserEventsPerSecond:N0} events/s on one thread ({pf.BytesPerEvent:0} bytes/event, {pf.Events:N0} events checked, all valid)"));
        Line(string.Create(ci, $"  measured window {r.WindowSeconds:0.0} s after {o.WarmupSeconds:0.#} s warm-up; stream so far: {r.EventsGenerated:N0} events, {r.ContactsCreated:N0} contacts ({TypeMix(r)})"));
        Line("");
        Row("metric", "value", "target", null);
        Row("accepted events/s (window)", string.Create(ci, $"{rate:N0}  ({r.AcceptedInWindow:N0} events, {r.PostsInWindow:N0} POSTs)"), string.Create(ci, $">= {TargetEventsPerSecond:N0}"), rate >= TargetEventsPerSecond);
        Row("applied by dispatcher events/s", applied is { } ap ? string.Create(ci, $"{ap:N0}  (appliedSeq delta over the window)") : "n/a");
        Row("POST round trip p50 / p99 / max", string.Create(ci, $"{Percentile(r.PostMs, 50):0} / {Percentile(r.PostMs, 99):0} / {(r.PostMs.Count > 0 ? r.PostMs.Max() : double.NaN):0} ms"));
        Row("POST→visible p50 / p90", latencies.Count > 0 ? string.Create(ci, $"{p50:0} / {p90:0} ms") : "n/a (no probe seen)");
        Row("POST→visible p99 / max", latencies.Count > 0 ? string.Create(ci, $"{p99:0} / {max:0} ms  ({latencies.Count} probes{(r.ProbesUnseen > 0 ? $", {r.ProbesUnseen} never seen" : "")})") : "n/a",
            string.Create(ci, $"p99 < {TargetP99Ms:0} ms"), latencies.Count > 0 ? p99 < TargetP99Ms && probesOk : null);
        Row("probe poll (GET /queues/probe) p50/p99", r.PollMs.Count > 0 ? string.Create(ci, $"{Percentile(r.PollMs, 50):0.0} / {Percentile(r.PollMs, 99):0.0} ms  ({r.PollMs.Count / Math.Max(0.001, r.WindowSeconds):0} polls/s)") : "n/a");
        foreach (var (error, n) in r.PollErrors.OrderByDescending(e => e.Value).Take(3))
            Line(string.Create(ci, $"      {n,6}× poll failed: {Shorten(error, 150)}"));
        Row("dispatcher backlog max in window", r.Timeline.Count > 0 ? string.Create(ci, $"{r.MaxBacklogInWindow:N0} events (/healthz loggedSeq − appliedSeq)") : "n/a");
        Row("backlog at window end, drain time", r.HealthAtEnd is { } end
            ? string.Create(ci, $"{end.Backlog:N0} events, {(r.DrainSeconds is { } d ? $"drained {d:0.00} s after the window" : "NOT drained within the timeout")}")
            : "n/a");
        Row("server peak RSS", r.Target.Pid is null ? "n/a (--url)" : string.Create(ci, $"{peakMb:N0} MB  (at window end {(r.RssAtEndBytes ?? 0) / 1048576.0:N0} MB)"),
            string.Create(ci, $"< {TargetRssMb:0} MB"), r.Target.Pid is null ? null : peakMb < TargetRssMb);
        Row("server CPU per second of window", serverCpu is { } sc ? string.Create(ci, $"{sc:0.00} cores (user {serverUser:0.00}, system {serverSys:0.00}) = {sc * 1000 * 1000 / Math.Max(1, rate):0} µs per accepted event") : "n/a");
        Row("client CPU per second of window", string.Create(ci, $"{clientCpu:0.00} cores"));
        if (r.MachineBusyCores is { } busy)
            Row("machine CPU busy in window", string.Create(ci, $"{busy:0.00} of {Environment.ProcessorCount} cores; other processes ≈ {Math.Max(0, busy - (serverCpu ?? 0) - clientCpu):0.00}"));
        Row("errors (non-202, failed requests)", r.Errors.Count == 0 ? "0" : string.Create(ci, $"{r.Errors.Values.Sum():N0} ({r.FailedEvents:N0} events not accepted)"), "0", r.Errors.Count == 0);
        foreach (var (error, n) in r.Errors.OrderByDescending(e => e.Value).Take(5))
            Line(string.Create(ci, $"      {n,6}× {Shorten(error, 160)}"));
        if (r.ThreadCpuTicks.Count > 0)
        {
            var total = Math.Max(1, r.ThreadCpuTicks.Values.Sum());
            Line(string.Create(ci, $"  server CPU by thread name: {string.Join(", ", r.ThreadCpuTicks.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Take(6).Select(kv => $"{kv.Key} {100.0 * kv.Value / total:0}%"))}"));
        }
        if (r.ServerShutdown is { } stop) Line(string.Create(ci, $"  server stopped by SIGTERM in {stop.TotalSeconds:0.0} s (final checkpoint)"));
        if (r.ServerKilled) Line("  server did NOT stop within 30 s of SIGTERM and was killed");
        if (o.Timeline) Line(Timeline(r));
        Line("");
        Line(Summary(r));
        return sb.ToString();
    }

    /// <summary>e.g. "ingest: 21,340 events/s sustained (60 s, 5,000 agents, 200 queues), POST→visible p50 38 ms p99 190 ms, server peak RSS 410 MB".</summary>
    public static string Summary(RunResult r)
    {
        var ci = CultureInfo.InvariantCulture;
        var rate = r.WindowSeconds > 0 ? r.AcceptedInWindow / r.WindowSeconds : 0;
        var latencies = r.Probes.Where(p => p.SeenAt != 0).Select(p => p.LatencyMs).ToList();
        var sb = new StringBuilder(string.Create(ci,
            $"ingest: {rate:N0} events/s sustained ({r.WindowSeconds:0} s, {r.Options.Agents:N0} agents, {r.Target.Queues.Count:N0} queues{(r.Options.Rate > 0 ? $", offered {r.Options.Rate:N0}/s" : ", unpaced")})"));
        sb.Append(latencies.Count > 0
            ? string.Create(ci, $", POST→visible p50 {Percentile(latencies, 50):0} ms p99 {Percentile(latencies, 99):0} ms")
            : ", POST→visible n/a");
        if (r.ProbesUnseen > 0) sb.Append(string.Create(ci, $" ({r.ProbesUnseen} probes never visible)"));
        if (r.HealthAtStart is { } hs && r.HealthAtEnd is { } he && r.WindowSeconds > 0 && (he.AppliedSeq - hs.AppliedSeq) / r.WindowSeconds < 0.95 * rate)
            sb.Append(string.Create(ci, $", dispatcher applied only {(he.AppliedSeq - hs.AppliedSeq) / r.WindowSeconds:N0} events/s"));
        if (r.Target.Pid is not null) sb.Append(string.Create(ci, $", server peak RSS {r.PeakRssBytes / 1048576.0:N0} MB"));
        if (r.DrainSeconds is null) sb.Append(", dispatcher did not drain");
        else if (r.HealthAtEnd is { Backlog: > 0 } end) sb.Append(string.Create(ci, $", backlog {end.Backlog:N0} at end (drained in {r.DrainSeconds:0.0} s)"));
        if (r.Errors.Count > 0) sb.Append(string.Create(ci, $", {r.Errors.Values.Sum():N0} errors"));
        return sb.ToString();
    }

    /// <summary>The monitor's samples: per interval accepted/s, applied/s, backlog, RSS, server CPU.</summary>
    public static string Timeline(RunResult r)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("  timeline (w = inside the measured window)");
        sb.AppendLine("        t   accepted/s    applied/s      backlog   rss MB  cpu cores");
        MonitorSample? previous = null;
        foreach (var s in r.Timeline)
        {
            if (previous is { } p && s.Seconds > p.Seconds)
            {
                var dt = s.Seconds - p.Seconds;
                var applied = p.Health is { } a && s.Health is { } b ? ((b.AppliedSeq - a.AppliedSeq) / dt).ToString("N0", ci) : "?";
                var cpu = p.Proc is { } pa && s.Proc is { } pb ? ((pb.Cpu - pa.Cpu).TotalSeconds / dt).ToString("0.00", ci) : "?";
                var mark = s.Seconds >= r.WindowStartSeconds && s.Seconds <= r.WindowEndSeconds ? "w" : " ";
                sb.AppendLine(string.Create(ci,
                    $"  {mark}{s.Seconds,6:0.0}  {(s.AcceptedTotal - p.AcceptedTotal) / dt,11:N0}  {applied,11}  {(s.Health is { } h ? h.Backlog.ToString("N0", ci) : "?"),11}  {(s.Proc?.RssBytes ?? 0) / 1048576.0,7:0}  {cpu,9}"));
            }
            previous = s;
        }
        return sb.ToString();
    }

    private static string TypeMix(RunResult r)
    {
        var total = Math.Max(1, r.TypeCounts.Sum());
        return string.Join(", ", r.TypeCounts.Select((n, i) => (Name: ContactCentreStream.TypeNames[i], N: n))
            .Where(t => t.N > 0).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} {100.0 * t.N / total:0.#}%")));
    }

    private static string Shorten(string text, int max)
    {
        text = text.ReplaceLineEndings(" ");
        return text.Length <= max ? text : text[..max] + "…";
    }
}
