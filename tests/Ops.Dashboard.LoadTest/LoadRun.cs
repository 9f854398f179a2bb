using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Ops.Dashboard.LoadTest;

/// <summary>A target server: where it is, its key, its queues, and its process id when known.</summary>
public sealed record Target(Uri Url, string Key, IReadOnlyList<StreamQueue> Queues, bool HasProbeQueue, TimeZoneInfo TimeZone, int? Pid);

/// <summary>One sample of the monitor (every 500 ms): the server process and its /healthz.</summary>
public sealed record MonitorSample(double Seconds, ProcSample? Proc, Health? Health, long AcceptedTotal);

/// <summary>Everything measured in one run, for the report.</summary>
public sealed class RunResult
{
    public required LoadOptions Options { get; init; }
    public required Target Target { get; init; }
    public double WindowSeconds { get; set; }
    public long AcceptedInWindow { get; set; }
    public long AcceptedTotal { get; set; }
    public long PostsInWindow { get; set; }
    public List<double> PostMs { get; } = [];
    public long FailedEvents { get; set; }
    public Dictionary<string, int> Errors { get; } = [];
    public Dictionary<string, int> PollErrors { get; } = [];
    public Health? HealthAtStart { get; set; }
    public Health? HealthAtEnd { get; set; }
    public Health? HealthDrained { get; set; }
    public double? DrainSeconds { get; set; }
    public long MaxBacklogInWindow { get; set; }
    public List<ProbeTracker.Probe> Probes { get; } = [];
    /// <summary>Stopwatch timestamp of the window's start (probe times are relative to it in --probes-csv).</summary>
    public long WindowStartTimestamp { get; set; }
    public int ProbesUnseen { get; set; }
    public List<double> PollMs { get; } = [];
    public long PeakRssBytes { get; set; }
    public long? RssAtEndBytes { get; set; }
    public ProcSample? ProcAtStart { get; set; }
    public ProcSample? ProcAtEnd { get; set; }
    public Dictionary<string, long> ThreadCpuTicks { get; set; } = [];
    public TimeSpan ClientCpu { get; set; }
    public double? MachineBusyCores { get; set; }
    public string LoadBefore { get; set; } = "";
    public long EventsGenerated { get; set; }
    public long ContactsCreated { get; set; }
    public IReadOnlyList<long> TypeCounts { get; set; } = [];
    public List<MonitorSample> Timeline { get; } = [];
    public TimeSpan? ServerShutdown { get; set; }
    public bool ServerKilled { get; set; }
    public double WindowStartSeconds { get; set; }
    public double WindowEndSeconds { get; set; }
}

/// <summary>Posting loops, the probe poller and the monitor, run against one server for warm-up + window.</summary>
public sealed class LoadRun(LoadOptions options, Target target)
{
    private readonly object _generatorGate = new();
    private readonly ProbeTracker _probes = new();
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private readonly ConcurrentDictionary<string, int> _pollErrors = new();
    private readonly List<double> _postMs = [];
    private readonly List<double> _pollMs = [];
    private ContactCentreStream _stream = null!;
    private HttpClient _post = null!;
    private HttpClient _read = null!;
    private long _acceptedTotal;
    private long _acceptedInWindow;
    private long _postsInWindow;
    private long _failedEvents;
    private long _failedPosts;
    private long _windowStart;
    private long _windowEnd;
    private volatile bool _stopPosting;
    private long _nextProbe;
    private long _nextSlot;
    private readonly long _runStart = Stopwatch.GetTimestamp();

    public async Task<RunResult> RunAsync(CancellationToken ct)
    {
        var result = new RunResult { Options = options, Target = target, LoadBefore = ProcStat.LoadAverage() };
        var runId = "lt" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
        _stream = new ContactCentreStream(options.Agents, target.Queues, ServerHost.ProbeQueue, runId, options.Seed, target.TimeZone);
        using var postHandler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients + 1, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
        using var readHandler = new SocketsHttpHandler { MaxConnectionsPerServer = 4, UseProxy = false };
        _post = new HttpClient(postHandler) { BaseAddress = target.Url, Timeout = TimeSpan.FromSeconds(60) };
        _read = new HttpClient(readHandler) { BaseAddress = target.Url, Timeout = TimeSpan.FromSeconds(10) };
        _post.DefaultRequestHeaders.Add("X-Api-Key", target.Key);
        _read.DefaultRequestHeaders.Add("X-Api-Key", target.Key);
        using (_post)
        using (_read)
        {
            var probeEnabled = target.HasProbeQueue;
            var baseline = probeEnabled ? await ReadProbeQueueAsync(ct) : default;

            using var stopBackground = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var monitor = MonitorAsync(result, stopBackground.Token);
            var poller = probeEnabled ? PollAsync(baseline, stopBackground.Token) : Task.CompletedTask;
            _nextSlot = Stopwatch.GetTimestamp();
            _nextProbe = Stopwatch.GetTimestamp();
            var clients = Enumerable.Range(0, options.Clients).Select(_ => Task.Run(() => PostLoopAsync(probeEnabled, ct), ct)).ToList();

            try
            {
                Console.WriteLine($"introducing {options.Agents:N0} agents ({2 * options.Agents:N0} events), then {options.WarmupSeconds:0.#} s warm-up …");
                while (true)
                {
                    lock (_generatorGate) if (!_stream.Introducing) break;
                    CheckFatal(clients);
                    await Task.Delay(50, ct);
                }
                await DelayChecking(TimeSpan.FromSeconds(options.WarmupSeconds), clients, ct);

                // The measured window.
                var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                var machineStart = ProcStat.MachineCpu();
                result.HealthAtStart = await TryHealthAsync(ct);
                result.ProcAtStart = target.Pid is { } pid0 ? ProcStat.Read(pid0, Elapsed()) : null;
                var threadsStart = target.Pid is { } pid1 ? ProcStat.ThreadCpu(pid1) : [];
                Interlocked.Exchange(ref _windowStart, Stopwatch.GetTimestamp());
                Console.WriteLine($"measuring for {options.Seconds:0.#} s …");
                var windowWatch = Stopwatch.StartNew();
                var nextPrint = 5.0;
                while (windowWatch.Elapsed.TotalSeconds < options.Seconds)
                {
                    var left = options.Seconds - windowWatch.Elapsed.TotalSeconds;
                    await DelayChecking(TimeSpan.FromSeconds(Math.Min(left, Math.Max(0.05, nextPrint - windowWatch.Elapsed.TotalSeconds))), clients, ct);
                    if (windowWatch.Elapsed.TotalSeconds >= nextPrint - 0.01 && windowWatch.Elapsed.TotalSeconds < options.Seconds - 0.5)
                    {
                        PrintProgress(result, windowWatch.Elapsed.TotalSeconds);
                        nextPrint += 5;
                    }
                }
                Interlocked.Exchange(ref _windowEnd, Stopwatch.GetTimestamp());
                result.WindowSeconds = Stopwatch.GetElapsedTime(_windowStart, _windowEnd).TotalSeconds;
                result.WindowStartSeconds = Stopwatch.GetElapsedTime(_runStart, _windowStart).TotalSeconds;
                result.WindowEndSeconds = Stopwatch.GetElapsedTime(_runStart, _windowEnd).TotalSeconds;
                result.ClientCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
                result.ProcAtEnd = target.Pid is { } pid2 ? ProcStat.Read(pid2, Elapsed()) : null;
                result.RssAtEndBytes = result.ProcAtEnd?.RssBytes;
                if (target.Pid is { } pid3)
                {
                    var threadsEnd = ProcStat.ThreadCpu(pid3);
                    result.ThreadCpuTicks = threadsEnd.ToDictionary(kv => kv.Key, kv => kv.Value - threadsStart.GetValueOrDefault(kv.Key));
                }
                if (machineStart is { } m0 && ProcStat.MachineCpu() is { } m1 && m1.Total > m0.Total)
                    result.MachineBusyCores = (double)(m1.Busy - m0.Busy) / (m1.Total - m0.Total) * Environment.ProcessorCount;
                result.HealthAtEnd = await TryHealthAsync(ct);
                _stopPosting = true;
                await Task.WhenAll(clients);

                // Drain: how long until the dispatcher has applied everything that was accepted.
                Console.WriteLine("window over; waiting for the dispatcher to drain and the probes to show …");
                var drainWatch = Stopwatch.StartNew();
                var last = await TryHealthAsync(ct);
                var targetSeq = last?.LoggedSeq ?? 0;
                while (last is { } h && h.AppliedSeq < targetSeq && drainWatch.Elapsed.TotalSeconds < options.DrainTimeoutSeconds)
                {
                    await Task.Delay(50, ct);
                    last = await TryHealthAsync(ct);
                }
                result.HealthDrained = last;
                if (last is { } drained && drained.AppliedSeq >= targetSeq)
                    result.DrainSeconds = Stopwatch.GetElapsedTime(_windowEnd).TotalSeconds;
                while (probeEnabled && _probes.Outstanding > 0 && drainWatch.Elapsed.TotalSeconds < options.DrainTimeoutSeconds)
                    await Task.Delay(50, ct);
                // One more batch closes the last probes (contact.abandoned), so the probe queue is left empty.
                if (probeEnabled && !_probes.ToClose.IsEmpty) await PostClosingBatchAsync(ct);
            }
            finally
            {
                _stopPosting = true;
                await stopBackground.CancelAsync();
                await Task.WhenAll(clients.Append(monitor).Append(poller)).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            result.AcceptedInWindow = Interlocked.Read(ref _acceptedInWindow);
            result.AcceptedTotal = Interlocked.Read(ref _acceptedTotal);
            result.PostsInWindow = Interlocked.Read(ref _postsInWindow);
            result.FailedEvents = Interlocked.Read(ref _failedEvents);
            foreach (var (k, v) in _errors) result.Errors[k] = v;
            foreach (var (k, v) in _pollErrors) result.PollErrors[k] = v;
            lock (_postMs) result.PostMs.AddRange(_postMs);
            lock (_pollMs) result.PollMs.AddRange(_pollMs);
            var window = _probes.Snapshot().Where(p => p.PostStart >= _windowStart && p.PostStart < _windowEnd && !p.Failed).ToList();
            result.Probes.AddRange(window);
            result.WindowStartTimestamp = _windowStart;
            result.ProbesUnseen = window.Count(p => p.SeenAt == 0);
            lock (_generatorGate)
            {
                result.EventsGenerated = _stream.Written;
                result.ContactsCreated = _stream.ContactsCreated;
                result.TypeCounts = [.. _stream.TypeCounts];
            }
            lock (result.Timeline)
            {
                result.PeakRssBytes = result.Timeline.Select(s => s.Proc?.RssBytes ?? 0).DefaultIfEmpty(0).Max();
                var inWindow = result.Timeline.Where(s => InWindow(s.Seconds)).ToList();
                result.MaxBacklogInWindow = inWindow.Select(s => s.Health?.Backlog ?? 0).DefaultIfEmpty(0).Max();
                // /healthz can be slow to answer on a starved server: fall back to the monitor's nearest samples.
                result.HealthAtStart ??= inWindow.FirstOrDefault(s => s.Health is not null)?.Health;
                result.HealthAtEnd ??= inWindow.LastOrDefault(s => s.Health is not null)?.Health;
            }
            return result;
        }
    }

    private TimeSpan Elapsed() => Stopwatch.GetElapsedTime(_runStart);

    private bool InWindow(double seconds)
    {
        var start = Interlocked.Read(ref _windowStart);
        var end = Interlocked.Read(ref _windowEnd);
        var s = Stopwatch.GetElapsedTime(_runStart, start).TotalSeconds;
        var e = end == 0 ? double.MaxValue : Stopwatch.GetElapsedTime(_runStart, end).TotalSeconds;
        return start != 0 && seconds >= s && seconds <= e;
    }

    private void CheckFatal(List<Task> clients)
    {
        if (Interlocked.Read(ref _acceptedTotal) == 0 && Interlocked.Read(ref _failedPosts) >= 3)
            throw new InvalidOperationException("The server refuses every batch: " + string.Join("; ", _errors.Keys.Take(3)));
        if (clients.FirstOrDefault(c => c.IsFaulted) is { } failed)
            throw new InvalidOperationException("A posting loop failed: " + failed.Exception?.GetBaseException().Message, failed.Exception);
    }

    private async Task DelayChecking(TimeSpan delay, List<Task> clients, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < delay)
        {
            CheckFatal(clients);
            var left = delay - watch.Elapsed;
            if (left > TimeSpan.Zero) await Task.Delay(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200), ct);
        }
    }

    /// <summary>One posting loop: wait for the next slot of the pace, generate a batch (under the generator's lock), POST it.</summary>
    private async Task PostLoopAsync(bool probeEnabled, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(options.Batch * 260 + 4096);
        await using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        var interval = options.Rate > 0 ? (long)(Stopwatch.Frequency * options.Batch / options.Rate) : 0;
        var maxBurst = Stopwatch.Frequency / 4;
        var probeEvery = (long)(Stopwatch.Frequency * options.ProbeIntervalMs / 1000);
        var close = new List<long>();
        while (!_stopPosting && !ct.IsCancellationRequested)
        {
            if (interval > 0)
            {
                long slot;
                lock (_generatorGate)
                {
                    // Behind schedule (a slow server) does not earn a burst of more than a quarter second.
                    slot = Math.Max(_nextSlot, Stopwatch.GetTimestamp() - maxBurst);
                    _nextSlot = slot + interval;
                }
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), slot);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
                if (_stopPosting) break;
            }

            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            long probe = 0;
            int count;
            close.Clear();
            while (close.Count < 200 && _probes.ToClose.TryDequeue(out var p)) close.Add(p);
            lock (_generatorGate)
            {
                var now = Stopwatch.GetTimestamp();
                if (probeEnabled && now >= _nextProbe)
                {
                    probe = _probes.NextNumber;
                    _nextProbe = now + probeEvery;
                }
                (count, var probeAt) = _stream.WriteBatch(writer, options.Batch, probe, close);
                if (probe > 0) _probes.Register(probe, probeAt);
            }

            using var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var start = Stopwatch.GetTimestamp();
            if (probe > 0) _probes.Posted(probe, start);
            try
            {
                using var response = await _post.PostAsync("api/v1/events", content, ct);
                var end = Stopwatch.GetTimestamp();
                var body = await response.Content.ReadAsByteArrayAsync(ct);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    var accepted = ReadAccepted(body);
                    Interlocked.Add(ref _acceptedTotal, accepted);
                    if (IsInWindow(end))
                    {
                        Interlocked.Add(ref _acceptedInWindow, accepted);
                        Interlocked.Increment(ref _postsInWindow);
                        lock (_postMs) _postMs.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
                    }
                }
                else
                {
                    var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 400));
                    Fail(count, probe, $"HTTP {(int)response.StatusCode}: {text}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                Fail(count, probe, $"{e.GetType().Name}: {e.Message}");
            }
        }
    }

    private bool IsInWindow(long timestamp)
    {
        var start = Interlocked.Read(ref _windowStart);
        var end = Interlocked.Read(ref _windowEnd);
        return start != 0 && timestamp >= start && (end == 0 || timestamp < end);
    }

    private void Fail(int count, long probe, string error)
    {
        Interlocked.Add(ref _failedEvents, count);
        Interlocked.Increment(ref _failedPosts);
        _errors.AddOrUpdate(error, 1, (_, n) => n + 1);
        if (probe > 0) _probes.Failed(probe);
    }

    private static long ReadAccepted(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("accepted"u8) && reader.Read())
                return reader.GetInt64();
        }
        throw new JsonException("the 202 answer has no \"accepted\"");
    }

    private async Task PostClosingBatchAsync(CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>();
        await using var writer = new Utf8JsonWriter(buffer);
        var close = new List<long>();
        while (_probes.ToClose.TryDequeue(out var p)) close.Add(p);
        lock (_generatorGate) _stream.WriteBatch(writer, 0, 0, close);
        using var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await _post.PostAsync("api/v1/events", content, ct);
        }
        catch (HttpRequestException)
        {
        }
    }

    private readonly record struct ProbeQueueReading(long Offered, DateTimeOffset DayStart);

    private async Task<ProbeQueueReading> ReadProbeQueueAsync(CancellationToken ct)
    {
        using var response = await _read.GetAsync($"api/v1/queues/{ServerHost.ProbeQueue}", ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        using var doc = JsonDocument.Parse(body);
        var today = doc.RootElement.GetProperty("today");
        return new ProbeQueueReading(today.GetProperty("offered").GetInt64(), today.GetProperty("start").GetDateTimeOffset());
    }

    /// <summary>Polls the probe queue; a count of k offered means probes 1..k are visible (allowing for a change of day).</summary>
    private async Task PollAsync(ProbeQueueReading baseline, CancellationToken ct)
    {
        var pause = TimeSpan.FromMilliseconds(options.PollMs);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var start = Stopwatch.GetTimestamp();
                var reading = await ReadProbeQueueAsync(ct);
                var seenAt = Stopwatch.GetTimestamp();
                lock (_pollMs) if (IsInWindow(start)) _pollMs.Add(Stopwatch.GetElapsedTime(start, seenAt).TotalMilliseconds);
                var before = reading.DayStart == baseline.DayStart ? baseline.Offered : 0;
                var visible = _probes.CountBefore(reading.DayStart) + (int)(reading.Offered - before);
                _probes.Seen(visible, seenAt);
                if (pause > TimeSpan.Zero) await Task.Delay(pause, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                _pollErrors.AddOrUpdate($"{e.GetType().Name}: {e.Message}", 1, (_, n) => n + 1);
                await Task.Delay(100, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task MonitorAsync(RunResult result, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        do
        {
            var at = Elapsed();
            var proc = target.Pid is { } pid ? ProcStat.Read(pid, at) : null;
            var health = await TryHealthAsync(ct);
            lock (result.Timeline) result.Timeline.Add(new MonitorSample(at.TotalSeconds, proc, health, Interlocked.Read(ref _acceptedTotal)));
        }
        while (await timer.WaitForNextTickAsync(ct).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    private async Task<Health?> TryHealthAsync(CancellationToken ct)
    {
        try
        {
            return await Health.GetAsync(_read, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return null;
        }
    }

    private void PrintProgress(RunResult result, double windowSeconds)
    {
        List<MonitorSample> recent;
        lock (result.Timeline) recent = result.Timeline.TakeLast(11).ToList();
        if (recent.Count < 2) return;
        var (a, b) = (recent[0], recent[^1]);
        var dt = b.Seconds - a.Seconds;
        var accepted = (b.AcceptedTotal - a.AcceptedTotal) / dt;
        var applied = a.Health is { } ha && b.Health is { } hb ? (hb.AppliedSeq - ha.AppliedSeq) / dt : double.NaN;
        var cpu = a.Proc is { } pa && b.Proc is { } pb ? (pb.Cpu - pa.Cpu).TotalSeconds / dt : double.NaN;
        var seen = _probes.Snapshot().Where(p => p.SeenAt != 0 && p.PostStart >= _windowStart).Select(p => p.LatencyMs).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {windowSeconds,5:0}s  accepted {accepted,8:N0}/s  applied {applied,8:N0}/s  backlog {b.Health?.Backlog,8:N0}  " +
            $"rss {(b.Proc?.RssBytes ?? 0) / 1048576.0,5:0} MB  server cpu {cpu,4:0.00} cores  probes {seen.Count,4} p50 {Report.Percentile(seen, 50),4:0} ms p99 {Report.Percentile(seen, 99),5:0} ms  outstanding {_probes.Outstanding}"));
    }
}
