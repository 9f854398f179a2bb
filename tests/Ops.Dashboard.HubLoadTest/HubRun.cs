using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Ops.Dashboard.HubLoadTest;

/// <summary>The parts of a QueueUpdated the clients read (the rest of the payload is skipped).</summary>
public sealed record QueueMessage(string Id, int Waiting);

public sealed record SnapshotMessage(IReadOnlyList<QueueMessage> Queues);

/// <summary>
/// Hub fan-out: N WebSocket clients, each subscribed to one queue, and the paced traffic. Each client
/// records, for every change it sees (waiting rose from w to w'), the time from the POST start of each
/// change in (w, w'] to its receipt of the message.
/// </summary>
public sealed class HubRun(HubLoadOptions options, Server server, IReadOnlyList<string> queues)
{
    private sealed class Client(int queue)
    {
        public int Queue { get; } = queue;
        public HubConnection Connection { get; set; } = null!;
        public int Base { get; set; } = -1;
        public int LastSeen { get; set; }
        public List<double> LatenciesMs { get; } = new(128);
        public long UpdatesInWindow;
        public long MessagesInWindow;
        public long WrongQueue;
        public TaskCompletionSource Subscribed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;

    private bool InWindow(long timestamp) => timestamp >= Volatile.Read(ref _windowStart) && timestamp < Volatile.Read(ref _windowEnd);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        using var poster = new EventPoster(server.Url, server.Key);
        var traffic = new PacedTraffic(queues, options.Rate, poster);
        var clients = Enumerable.Range(0, options.Clients).Select(i => new Client(i % queues.Count)).ToList();

        Console.WriteLine($"connecting {clients.Count} SignalR clients (WebSockets) to {queues.Count} queues …");
        var connectWatch = Stopwatch.StartNew();
        using (var gate = new SemaphoreSlim(options.ConnectParallel))
        {
            await Task.WhenAll(clients.Select(async c =>
            {
                await gate.WaitAsync(ct);
                try
                {
                    await ConnectAsync(c, traffic, ct);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all connected and subscribed in {connectWatch.Elapsed.TotalSeconds:0.0} s"));
        for (var q = 0; q < queues.Count; q++)
        {
            var rest = await poster.WaitingAsync(queues[q], ct);
            var bases = clients.Where(c => c.Queue == q).Select(c => c.Base).Distinct().ToList();
            if (bases.Count != 1 || bases[0] != rest)
                throw new InvalidOperationException($"queue {queues[q]}: snapshots say waiting {string.Join("/", bases)}, the read API {rest}");
        }

        var before = ProcSample.Read(server.Pid);
        var selfBefore = ProcSample.Read(Environment.ProcessId);
        long Received() => clients.Sum(c => Interlocked.Read(ref c.UpdatesInWindow));
        await using var monitor = new ProcMonitor(server.Pid, options.Timeline, () => $"updates in window {Received():N0}");
        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref _windowStart, start + (long)(options.WarmupSeconds * Stopwatch.Frequency));
        Volatile.Write(ref _windowEnd, start + (long)((options.WarmupSeconds + options.Seconds) * Stopwatch.Frequency));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"traffic: {options.Rate:0.##} changes/s per queue ({options.Rate * queues.Count:0.#} POSTs/s), {options.WarmupSeconds:0} s warm-up + {options.Seconds:0} s measured …"));

        ProcSample? atWindowStart = null;
        var warm = Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds), ct).ContinueWith(_ =>
        {
            atWindowStart = ProcSample.Read(server.Pid);
            monitor.ResetPeak();
        }, TaskScheduler.Default);
        await traffic.RunAsync(TimeSpan.FromSeconds(options.WarmupSeconds + options.Seconds), ct);
        var atWindowEnd = ProcSample.Read(server.Pid);
        var selfAfter = ProcSample.Read(Environment.ProcessId);
        await warm;

        // Drain: every client should end on its queue's last change.
        var drain = Stopwatch.StartNew();
        while (drain.Elapsed < TimeSpan.FromSeconds(options.DrainTimeoutSeconds)
               && clients.Any(c => c.LastSeen - c.Base < traffic.Posted(c.Queue)))
        {
            await Task.Delay(50, ct);
        }
        var behind = clients.Count(c => c.LastSeen - c.Base < traffic.Posted(c.Queue));

        var all = clients.SelectMany(c => c.LatenciesMs).Order().ToArray();
        var expected = clients.Sum(c => CountInWindow(traffic, c.Queue));
        var updates = clients.Sum(c => c.UpdatesInWindow);
        var messages = clients.Sum(c => c.MessagesInWindow);
        var perClient = clients.Select(c => c.UpdatesInWindow / options.Seconds).ToArray();
        var wrong = clients.Sum(c => c.WrongQueue);
        var cpu = atWindowStart is { } a && atWindowEnd is { } b ? (b.Cpu - a.Cpu).TotalSeconds / options.Seconds * 100 : double.NaN;
        var selfCpu = selfBefore is { } sa && selfAfter is { } sb ? (sb.Cpu - sa.Cpu).TotalSeconds / (options.WarmupSeconds + options.Seconds) * 100 : double.NaN;
        var peak = Math.Max(monitor.PeakRss, atWindowEnd?.RssBytes ?? 0);
        var hwm = ProcSample.Read(server.Pid)?.PeakRssBytes ?? 0;

        string P(double p) => all.Length == 0 ? "n/a" : Percentile(all, p).ToString("0", CultureInfo.InvariantCulture);
        var i = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(i, $"clients                 {clients.Count} (WebSockets), {queues.Count} queues, ~{clients.Count / queues.Count} clients per queue"));
        Console.WriteLine(string.Create(i, $"changes posted          {options.Rate:0.##}/s per queue; {expected:N0} change deliveries due in the {options.Seconds:0} s window"));
        Console.WriteLine(string.Create(i, $"latency POST→client     p50 {P(0.50)} ms, p90 {P(0.90)} ms, p99 {P(0.99)} ms, max {(all.Length == 0 ? "n/a" : all[^1].ToString("0", i))} ms over {all.Length:N0} deliveries"));
        Console.WriteLine(string.Create(i, $"updates per client      {perClient.Average():0.00}/s mean, {perClient.Min():0.00}/s min, {perClient.Max():0.00}/s max (QueueUpdated; coalesced changes count once)"));
        Console.WriteLine(string.Create(i, $"messages delivered      {messages / options.Seconds:N0}/s (all hub messages), {updates / options.Seconds:N0} QueueUpdated/s"));
        Console.WriteLine(string.Create(i, $"completeness            {clients.Count - behind}/{clients.Count} clients ended on their queue's last change; {all.Length:N0}/{expected:N0} deliveries seen; {wrong} updates of other queues; {poster.Errors} POST errors"));
        Console.WriteLine(string.Create(i, $"server                  CPU {cpu:0} % of one core (window), peak RSS {peak / 1048576.0:0} MB (VmHWM {hwm / 1048576.0:0} MB), pid {server.Pid}"));
        Console.WriteLine(string.Create(i, $"this program            CPU {selfCpu:0} % of one core (clients + traffic, same 2 cores), load average {ProcSample.LoadAverage()}"));
        Console.WriteLine();
        Console.WriteLine(string.Create(i,
            $"SUMMARY hub: {clients.Count} SignalR clients (WebSockets, {queues.Count} queues) at {perClient.Average():0.0} updates/s each ({updates / options.Seconds:N0} QueueUpdated/s): POST→client p50 {P(0.50)} ms, p90 {P(0.90)} ms, p99 {P(0.99)} ms, max {(all.Length == 0 ? "n/a" : all[^1].ToString("0", i))} ms; server CPU {cpu:0} % of one core, peak RSS {peak / 1048576.0:0} MB; {Environment.ProcessorCount} cores shared with the clients, load {ProcSample.LoadAverage()}"));

        await Task.WhenAll(clients.Select(c => c.Connection.DisposeAsync().AsTask()));
        var ok = all.Length > 0 && behind == 0 && wrong == 0 && poster.Errors == 0;
        return ok ? 0 : 1;
    }

    private long CountInWindow(PacedTraffic traffic, int q)
    {
        long n = 0;
        for (long k = 1; k <= traffic.Posted(q); k++)
            if (InWindow(traffic.PostStart(q, k))) n++;
        return n;
    }

    private async Task ConnectAsync(Client c, PacedTraffic traffic, CancellationToken ct)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.Url, "hubs/wallboard"), HttpTransportType.WebSockets, o =>
            {
                o.SkipNegotiation = true;
                o.Headers["X-Api-Key"] = server.Key;
            })
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .Build();
        connection.ServerTimeout = TimeSpan.FromSeconds(60);
        c.Connection = connection;
        var queue = queues[c.Queue];
        connection.On<SnapshotMessage>("Snapshot", s =>
        {
            var mine = s.Queues.Single(q => q.Id == queue);
            c.Base = mine.Waiting;
            c.LastSeen = mine.Waiting;
            c.Subscribed.TrySetResult();
        });
        connection.On<QueueMessage>("QueueUpdated", m =>
        {
            var now = Stopwatch.GetTimestamp();
            if (InWindow(now))
            {
                Interlocked.Increment(ref c.UpdatesInWindow);
                Interlocked.Increment(ref c.MessagesInWindow);
            }
            if (m.Id != queue)
            {
                Interlocked.Increment(ref c.WrongQueue);
                return;
            }
            if (c.Base < 0 || m.Waiting <= c.LastSeen) return;
            for (var w = c.LastSeen + 1; w <= m.Waiting; w++)
            {
                var posted = traffic.PostStart(c.Queue, w - c.Base);
                if (posted != 0 && InWindow(posted)) c.LatenciesMs.Add(Stopwatch.GetElapsedTime(posted, now).TotalMilliseconds);
            }
            c.LastSeen = m.Waiting;
        });
        connection.On("Heartbeat", (object _) =>
        {
            if (InWindow(Stopwatch.GetTimestamp())) Interlocked.Increment(ref c.MessagesInWindow);
        });
        connection.On("AgentStatesUpdated", (object _) =>
        {
            if (InWindow(Stopwatch.GetTimestamp())) Interlocked.Increment(ref c.MessagesInWindow);
        });
        await connection.StartAsync(ct);
        await connection.InvokeAsync("SubscribeQueue", queue, ct);
        await c.Subscribed.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
    }

    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
