using System.Collections.Concurrent;
using Ops.Dashboard.Contracts;

namespace Ops.Dashboard.Web;

/// <summary>When each source last sent events to this node: the input of the silent-source alarm.</summary>
public sealed class SourceActivity
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private int _version;

    public void Seen(string source, DateTimeOffset at)
    {
        _lastSeen.AddOrUpdate(source, at, (_, old) => old > at ? old : at);
        Interlocked.Increment(ref _version);
    }

    public int Version => Volatile.Read(ref _version);

    public IReadOnlyDictionary<string, DateTimeOffset> Snapshot() => new Dictionary<string, DateTimeOffset>(_lastSeen, StringComparer.Ordinal);
}

/// <summary>Hands this node's source activity to the alarm grain every few seconds (only when it changed).</summary>
public sealed class SourceActivityReporter(SourceActivity activity, IGrainFactory grains, ILogger<SourceActivityReporter> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reported = -1;
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var version = activity.Version;
            if (version == reported) continue;
            try
            {
                await grains.GetGrain<IAlarmGrain>(0).NoteSourcesAsync(activity.Snapshot());
                reported = version;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Reporting source activity to the alarms failed; retrying");
            }
        }
    }
}
