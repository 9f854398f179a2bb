namespace Ops.Dashboard.Web;

/// <summary>
/// Starts a full compacting collection when young collections have promoted more than
/// <c>Memory:MaxHeapGrowthMB</c> (default 32; 0 turns it off) since the last full one. Under sustained
/// ingestion each young collection promotes 10–15 MB of contacts that settle seconds later. The GC
/// (at ConserveMemory 9) nearly always collects them after one or two young collections, but now and then
/// lets five or six go by: the heap grew from 115 to 190 MB and the process by 60 MB for a few seconds,
/// the only times the ingestion benchmark went over 500 MB (README, benchmarks).
/// </summary>
public sealed class HeapGovernor(long maxGrowthBytes, ILogger<HeapGovernor> logger) : BackgroundService
{
    public const string ConfigKey = "Memory:MaxHeapGrowthMB";
    public const int DefaultMaxGrowthMB = 32;
    // Young collections come every half second or more under load: a check between each two.
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(200);
    // At most one induced collection this often, however fast long-lived data grows (a history import).
    public static readonly TimeSpan MinSpacing = TimeSpan.FromSeconds(1);

    private long _induced;

    /// <summary>How many full collections this governor has started (for the log and tests).</summary>
    public long Induced => Interlocked.Read(ref _induced);

    /// <summary>
    /// Whether to collect now: a collection came after the last full one, the heap it left is more than
    /// <paramref name="maxGrowthBytes"/> above what the full one left, and the last induced one is long enough ago.
    /// </summary>
    public static bool ShouldCollect(
        (long Index, long HeapBytes) latest, (long Index, long HeapBytes) lastFull, long maxGrowthBytes, TimeSpan sinceLastInduced) =>
        maxGrowthBytes > 0 && latest.Index > lastFull.Index && latest.HeapBytes - lastFull.HeapBytes > maxGrowthBytes
        && sinceLastInduced >= MinSpacing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (maxGrowthBytes <= 0) return;
        using var timer = new PeriodicTimer(CheckEvery);
        var lastInduced = System.Diagnostics.Stopwatch.StartNew();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var latest = GC.GetGCMemoryInfo(GCKind.Any);
            var full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
            if (!ShouldCollect((latest.Index, latest.HeapSizeBytes), (full.Index, full.HeapSizeBytes), maxGrowthBytes, lastInduced.Elapsed))
                continue;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            lastInduced.Restart();
            if (Interlocked.Increment(ref _induced) % 100 == 1)
                logger.LogInformation("Started a full collection: the heap had grown {GrowthMB} MB past the last full one ({Count} so far).",
                    (latest.HeapSizeBytes - full.HeapSizeBytes) / (1024 * 1024), Induced);
        }
    }
}

public static class HeapGovernorExtensions
{
    /// <summary>The <see cref="HeapGovernor"/>, with its limit from <see cref="HeapGovernor.ConfigKey"/>.</summary>
    public static WebApplicationBuilder AddOpsHeapGovernor(this WebApplicationBuilder builder)
    {
        var mb = MaxGrowthMB(builder.Configuration);
        builder.Services.AddSingleton(sp => new HeapGovernor(mb * 1024L * 1024, sp.GetRequiredService<ILogger<HeapGovernor>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HeapGovernor>());
        return builder;
    }

    /// <summary>The configured limit in MB; a value that is not a whole number of 0 or more stops the host, naming the key.</summary>
    public static int MaxGrowthMB(IConfiguration configuration)
    {
        var text = configuration[HeapGovernor.ConfigKey];
        if (string.IsNullOrWhiteSpace(text)) return HeapGovernor.DefaultMaxGrowthMB;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var mb)
            ? mb
            : throw new OpsConfigurationException("Ops.Dashboard cannot start: the memory setting is invalid.",
                [$"{HeapGovernor.ConfigKey} = {text}, must be a whole number of MB, 0 or more (0 turns the heap governor off)"]);
    }
}
