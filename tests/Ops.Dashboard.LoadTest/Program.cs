using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ops.Dashboard.Testing;
using Ops.Dashboard.Domain;
using Ops.Dashboard.LoadTest;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

LoadOptions options;
try
{
    if (args.Any(a => a is "-h" or "--help" or "-?"))
    {
        Console.WriteLine(LoadOptions.Usage);
        return 0;
    }
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("(--help lists the options)");
    return 2;
}

using var cancel = new RunCancellation();

ServerHost? server = null;
try
{
    Target target;
    if (options.Url is { } url)
    {
        target = await ExternalTargetAsync(url, options.Key!, cancel.Token);
    }
    else
    {
        var root = ServerHost.FindRepoRoot();
        if (!File.Exists(ServerHost.WebDll(root)))
        {
            Console.Error.WriteLine($"The Release build of the web app is missing: {ServerHost.WebDll(root)}");
            Console.Error.WriteLine("Build it first:  dotnet build -c Release src/Ops.Dashboard.Web");
            return 2;
        }
        target = new Target(new Uri("http://127.0.0.1/"), "", ServerHost.MakeQueues(options.Queues), true,
            ServerHost.SiteTimeZone(Path.Combine(root, "config", "site.json")), null);
    }

    if (options.Sample > 0)
    {
        PrintSample(options, target);
        return 0;
    }

    PreflightResult? preflight = null;
    if (!options.SkipPreflight)
    {
        preflight = Preflight(options, target);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"preflight: generator {preflight.GeneratorEventsPerSecond:N0} events/s alone (one thread), EventParser {preflight.ParserEventsPerSecond:N0} events/s (one thread), {preflight.BytesPerEvent:0} bytes/event, {preflight.Events:N0} events valid"));
        if (options.PreflightOnly) return 0;
    }

    if (options.Url is null)
    {
        Console.WriteLine($"starting the server (Release build) with {options.Queues} queues + probe …");
        var started = Stopwatch.StartNew();
        server = await ServerHost.StartAsync(options, cancel.Token);
        Console.WriteLine($"server pid {server.Pid} at {server.Url} healthy after {started.Elapsed.TotalSeconds:0.0} s (temp dir {server.TempDir})");
        target = new Target(server.Url, server.Key, server.Queues, true, server.TimeZone, server.Pid);
    }
    else if (!target.HasProbeQueue)
    {
        Console.Error.WriteLine($"warning: {target.Url} has no queue '{ServerHost.ProbeQueue}'; POST→visible latency is not measured.");
    }

    var result = await new LoadRun(options, target).RunAsync(cancel.Token);
    if (server is not null)
    {
        await server.DisposeAsync();
        result.ServerShutdown = server.ShutdownTime;
        result.ServerKilled = server.Killed;
        server = null;
    }
    Console.WriteLine(Report.Render(result, preflight));
    if (options.ProbesCsv is { } csv)
        await File.WriteAllLinesAsync(csv, result.Probes.Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{System.Diagnostics.Stopwatch.GetElapsedTime(result.WindowStartTimestamp, p.PostStart).TotalSeconds:F3},{p.LatencyMs:F1}")).Prepend("post_s,latency_ms"));
    return result.Errors.Count == 0 ? 0 : 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
finally
{
    if (server is not null) await server.DisposeAsync();
}

static async Task<Target> ExternalTargetAsync(Uri url, string key, CancellationToken ct)
{
    using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    http.DefaultRequestHeaders.Add("X-Api-Key", key);
    var health = await Health.GetAsync(http, ct);
    if (health.Status != "ok") throw new InvalidOperationException($"{url}healthz reports status '{health.Status}', not ok");
    using var response = await http.GetAsync("api/v1/queues", ct);
    if (!response.IsSuccessStatusCode)
        throw new InvalidOperationException($"GET {url}api/v1/queues answered {(int)response.StatusCode}; is the key right?");
    using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
    var all = doc.RootElement.EnumerateArray()
        .Select(q => new StreamQueue(q.GetProperty("id").GetString()!, q.GetProperty("channel").GetString()!)).ToList();
    var queues = all.Where(q => q.Id != ServerHost.ProbeQueue).ToList();
    if (queues.Count == 0) throw new InvalidOperationException($"{url} has no queues besides '{ServerHost.ProbeQueue}'");
    return new Target(url, key, queues, all.Count != queues.Count, TimeZoneInfo.Utc, null);
}

// The generator must not be the bottleneck, and every batch it writes must be valid contract v1:
// time it alone, then parse a sample with the server's own parser (which also times that parser).
static PreflightResult Preflight(LoadOptions options, Target target)
{
    var buffer = new ArrayBufferWriter<byte>(options.Batch * 260 + 4096);
    using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });

    var stream = new ContactCentreStream(options.Agents, target.Queues, ServerHost.ProbeQueue, "pf", options.Seed, target.TimeZone);
    long Generate(ContactCentreStream s, long events, List<byte[]>? keep)
    {
        long bytes = 0, probe = 0;
        var written = 0L;
        while (written < events)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            var withProbe = keep is not null && written % (options.Batch * 7L) < options.Batch;
            var (n, _) = s.WriteBatch(writer, options.Batch, withProbe ? ++probe : 0, withProbe && probe > 1 ? [probe - 1] : null);
            written += n;
            bytes += buffer.WrittenCount;
            keep?.Add(buffer.WrittenSpan.ToArray());
        }
        return bytes;
    }

    Generate(stream, Math.Min(50_000, 4L * options.Agents + 10_000), null); // JIT, and past the agents' introduction
    var total = Math.Max(400_000, 4L * options.Agents);
    var watch = Stopwatch.StartNew();
    var bytes = Generate(stream, total, null);
    var generatorRate = total / watch.Elapsed.TotalSeconds;

    // A fresh stream from the start: the agents' introduction, then the steady mix, with probes.
    var sample = new List<byte[]>();
    var sampleStream = new ContactCentreStream(options.Agents, target.Queues, ServerHost.ProbeQueue, "pf2", options.Seed, target.TimeZone);
    Generate(sampleStream, Math.Max(150_000, 2L * options.Agents + 100_000), sample);
    var queueIds = target.Queues.Select(q => q.Id).Append(ServerHost.ProbeQueue).ToHashSet(StringComparer.Ordinal);
    bool QueueExists(string q) => queueIds.Contains(q);
    foreach (var batch in sample.Take(20)) EventParser.Parse(batch, QueueExists); // JIT
    watch.Restart();
    long parsed = 0;
    foreach (var batch in sample)
    {
        var result = EventParser.Parse(batch, QueueExists);
        if (!result.Ok)
            throw new InvalidOperationException("The generator wrote events the server's parser refuses: " +
                string.Join("; ", result.Errors.Take(5).Select(e => $"events[{e.Index}].{e.Field}: {e.Message}")));
        parsed += result.Events.Count;
    }
    var parserRate = parsed / watch.Elapsed.TotalSeconds;
    return new PreflightResult(generatorRate, parserRate, (double)bytes / total, parsed);
}

static void PrintSample(LoadOptions options, Target target)
{
    var stream = new ContactCentreStream(options.Agents, target.Queues, ServerHost.ProbeQueue, "sample", options.Seed, target.TimeZone);
    var buffer = new ArrayBufferWriter<byte>();
    using var writer = new Utf8JsonWriter(buffer);
    string Batch(int count, long probe = 0)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        stream.WriteBatch(writer, count, probe);
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return string.Join(Environment.NewLine, doc.RootElement.EnumerateArray().Select(e => e.GetRawText()));
    }
    Console.WriteLine(Batch(2));
    while (stream.Introducing) Batch(1000);
    Batch(20_000);
    Console.WriteLine("…");
    Console.WriteLine(Batch(options.Sample, probe: 1));
}
