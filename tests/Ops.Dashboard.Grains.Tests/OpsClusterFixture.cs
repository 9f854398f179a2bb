using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using Orleans.TestingHost;

namespace Ops.Dashboard.Grains.Tests;

/// <summary>
/// One in-process silo (and client) for the whole "cluster" collection, configured like the
/// production host: SQLite grain storage and event log in one temp file, the recovery point store,
/// the site options (Europe/Berlin, a few queues, the default shift templates), a fake clock and the
/// event dispatcher as a hosted service. Tests feed it the way ingestion does: append to the event
/// log, hand the stored events to the dispatcher, wait until their seq is applied.
/// </summary>
public class OpsClusterFixture : IAsyncLifetime
{
    /// <summary>The fake "now": Monday 2026-11-23 14:00 in Berlin (13:00Z); the tests' contacts happen earlier that day.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 14, 0, 0, TimeSpan.FromHours(1));

    private readonly SemaphoreSlim _ingestGate = new(1, 1);

    public OpsClusterFixture()
    {
        DbPath = Path.Combine(Path.GetTempPath(), "ops-grain-tests", $"{Guid.NewGuid():N}.db");
        Time = new FakeTimeProvider(Now);
        Options = new OpsOptions
        {
            Site = new SiteOptions { Name = "Test site", TimeZoneId = "Europe/Berlin" },
            Queues =
            [
                Queue("figures", "phone", sl: 20, shortAbandon: 5),
                Queue("reverse", "phone", sl: 20, shortAbandon: 5),
                Queue("ooo", "phone", sl: 20, shortAbandon: 5),
                Queue("waitlist", "chat", sl: 30, shortAbandon: 5),
                Queue("waitlist-big", "chat", sl: 30, shortAbandon: 5),
                Queue("agents", "phone", sl: 20, shortAbandon: 5),
                Queue("first-level", "phone", sl: 20, shortAbandon: 5),
                Queue("tech", "ticket", sl: 60, shortAbandon: 10),
                Queue("late", "phone", sl: 20, shortAbandon: 5),
                Queue("view", "phone", sl: 20, shortAbandon: 5),
                Queue("replay", "phone", sl: 20, shortAbandon: 5),
                Queue("dupes", "phone", sl: 20, shortAbandon: 5),
                Queue("escalation", "phone", sl: 20, shortAbandon: 5),
                Queue("escalation-tech", "ticket", sl: 60, shortAbandon: 5),
                Queue("shards", "phone", sl: 20, shortAbandon: 5),
            ],
            Shifts = ShiftOptions.DefaultTemplates(),
        };
        Options.Shifts.ForEach(s => s.PlannedAgents = s.Id == "nacht" ? 2 : 6);
        Clock = new SiteClock(Time, Options.Site);
    }

    /// <summary>More silo services for a fixture of its own (e.g. alarm notifiers).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    private static QueueOptions Queue(string id, string channel, int sl, int shortAbandon) => new()
    {
        Id = id,
        Name = id,
        Channel = channel,
        SlThresholdSeconds = sl,
        SlTargetPercent = 80,
        ShortAbandonSeconds = shortAbandon,
    };

    public string DbPath { get; }

    public FakeTimeProvider Time { get; }

    public OpsOptions Options { get; }

    public SiteClock Clock { get; }

    /// <summary>What the nightly retrain grain calls instead of the web host's forecast service.</summary>
    public RecordingRetrainer Retrainer { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public EventDispatcher Dispatcher { get; private set; } = null!;

    public EventLog Log { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = DbPath }.ToString();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        // The builder's port allocator reserves a free, consecutive silo/gateway port range for this
        // cluster alone (two silos on the same ports do not fail on Linux, so never share them).
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddOpsGrainStorage(connectionString, OpsGrainStorage.Name);
            silo.UseInMemoryReminderService();
            var services = silo.Services;
            // The fake clock drives the site clock and the dispatcher; Orleans' own background loops keep real time.
            services.AddSingleton<TimeProvider>(Time);
            services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            services.AddSingleton(Options);
            services.AddSingleton(Clock);
            services.AddOpsStorage(DbPath);
            services.AddSingleton<RecoveryPointStore>();
            services.AddOpsDispatch();
            services.AddSingleton<IForecastRetrainer>(Retrainer);
            ConfigureServices(services);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        var silo = Cluster.GetSiloServiceProvider();
        Dispatcher = silo.GetRequiredService<EventDispatcher>();
        Log = silo.GetRequiredService<EventLog>();
        await Dispatcher.Recovered;
    }

    /// <summary>
    /// Stores a batch in the log and hands it to the dispatcher like the ingestion service, then waits
    /// until the grains have applied it. Returns the highest stored seq (0 when all were duplicates).
    /// </summary>
    public async Task<AppendResult> IngestAsync(params OpsEvent[] events)
    {
        AppendResult result;
        await _ingestGate.WaitAsync();
        try
        {
            result = await Log.AppendAsync(events, Time.GetUtcNow());
            Dispatcher.Enqueue(result.Stored);
        }
        finally
        {
            _ingestGate.Release();
        }
        if (result.Stored.Count > 0)
            await WaitAppliedAsync(result.Stored[^1].Seq);
        return result;
    }

    /// <summary>Waits for the dispatcher to apply up to <paramref name="seq"/>; fails (instead of hanging) if dispatch died.</summary>
    public async Task WaitAppliedAsync(long seq)
    {
        var applied = Dispatcher.WaitForAsync(seq);
        var finished = await Task.WhenAny(applied, Dispatcher.ExecuteTask ?? Task.Delay(Timeout.Infinite));
        if (finished != applied)
        {
            await finished; // rethrows the dispatcher's failure
            throw new InvalidOperationException($"The event dispatcher stopped before applying seq {seq}.");
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Cluster.DisposeAsync();
        }
        finally
        {
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath }.ToString()))
                SqliteConnection.ClearPool(connection);
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                try { File.Delete(DbPath + suffix); } catch (IOException) { }
            }
        }
    }
}

/// <summary>Counts the retrains and lets a test wait for the next one.</summary>
public sealed class RecordingRetrainer : IForecastRetrainer
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _runs;

    public int Runs => Volatile.Read(ref _runs);

    /// <summary>Completes at the next retrain after this call.</summary>
    public Task NextRun() => Volatile.Read(ref _next).Task;

    public Task RetrainAllAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _runs);
        Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class OpsClusterCollection : ICollectionFixture<OpsClusterFixture>
{
    public const string Name = "ops cluster";
}
