using System.Reflection;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web.Components.Wallboard;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// A bUnit context with what the screens inject: the real <see cref="LiveFeed"/> (changes are pushed
/// through it as the change feed would), a fake clock, the site clock in Europe/Berlin, fake interval
/// statistics for the charts, and JS interop in loose mode.
/// </summary>
public abstract class UiTestBase : BunitContext
{
    /// <summary>09:00 UTC = 10:00 in Berlin on a Monday.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    protected UiTestBase()
    {
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        Time = new FakeTimeProvider(Start);
        Options = UiData.Options();
        Clock = new SiteClock(Time, Options.Site);
        Read = new ReadModel(DispatchProxy.Create<IGrainFactory, NoGrains>(), Options, Clock, Time);
        Feed = new CountingFigures(new LiveFeed(Read, Time, NullLogger<LiveFeed>.Instance));
        Stats = new FakeStats();
        Boards = new UiData.BoardDirectory();
        Services.AddSingleton<TimeProvider>(Time);
        Services.AddSingleton(new BoardCatalog(Boards.Path, Options));
        Services.AddSingleton(Options);
        Services.AddSingleton(Clock);
        Services.AddSingleton<ILiveFigures>(Feed);
        Services.AddSingleton<IIntervalStats>(Stats);
        TodayForecasts = new FakeTodayForecasts();
        Services.AddSingleton<IForecasts>(TodayForecasts);
        Services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        // Pages that check kiosk tokens get the real service over a database made only when first used.
        Services.AddSingleton(_ => new Storage.AuditLog(Database));
        Services.AddSingleton(sp => new AccessTokens(new Storage.AccessTokenStore(Database), sp.GetRequiredService<Storage.AuditLog>(), Time));
        JSInterop.Mode = JSRuntimeMode.Loose;
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected FakeTimeProvider Time { get; }

    protected OpsOptions Options { get; }

    protected SiteClock Clock { get; }

    protected ReadModel Read { get; }

    protected CountingFigures Feed { get; }

    protected FakeStats Stats { get; }

    /// <summary>Today's forecasts the wallboard charts read (none unless a test sets one).</summary>
    protected FakeTodayForecasts TodayForecasts { get; }

    /// <summary>The board files of this test (a temporary directory).</summary>
    protected UiData.BoardDirectory Boards { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Boards.Dispose();
            if (_databaseDirectory is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try { Directory.Delete(_databaseDirectory, recursive: true); } catch (IOException) { }
            }
        }
    }

    protected LiveFeed Live => Feed.Inner;

    /// <summary>A temporary SQLite database for the stores a screen uses, created on first use.</summary>
    protected Storage.OpsDatabase Database => _database ??= NewDatabase();

    private Storage.OpsDatabase? _database;
    private string? _databaseDirectory;

    private Storage.OpsDatabase NewDatabase()
    {
        _databaseDirectory = Directory.CreateTempSubdirectory("ops-ui-tests-").FullName;
        var db = new Storage.OpsDatabase(Path.Combine(_databaseDirectory, "ops.db"));
        db.Migrate();
        return db;
    }

    /// <summary>
    /// Cascades a signed-in person as the host's CascadingAuthenticationState would (a cookie identity with
    /// the role), and the browser's address; call before rendering.
    /// </summary>
    protected System.Security.Claims.ClaimsPrincipal SignIn(string userName, Role role, string? address = "10.0.0.7")
    {
        var user = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
        [
            new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, userName),
            new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, role.ToString()),
            new System.Security.Claims.Claim(UserAccounts.DisplayNameClaim, userName),
        ], AccessExtensions.CookieScheme));
        RenderTree.Add<CascadingValue<Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState>>>(p =>
            p.Add(x => x.Value, Task.FromResult(new Microsoft.AspNetCore.Components.Authorization.AuthenticationState(user))));
        RenderTree.Add<CascadingValue<ClientAddress>>(p => p.Add(x => x.Value, new ClientAddress(address)));
        return user;
    }

    /// <summary>Pushes one batch through the live feed, stamped with the fake clock's now.</summary>
    protected Task PushAsync(IReadOnlyList<QueueLive>? queues = null, IReadOnlyList<AgentSummary>? agents = null) =>
        Live.ApplyAsync(new ChangeBatch(++_seq, Time.GetUtcNow(), queues ?? [], agents ?? []));

    /// <summary>An empty batch: the feed's heartbeat.</summary>
    protected Task HeartbeatAsync() => PushAsync();

    private long _seq;

    /// <summary>Stands in for Orleans: the screens never call grains directly.</summary>
    public class NoGrains : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new NotSupportedException($"UI tests have no grains ({targetMethod?.Name})");
    }
}

/// <summary>The live feed as the screens see it, counting open subscriptions (to prove they are disposed).</summary>
public sealed class CountingFigures(LiveFeed inner) : ILiveFigures
{
    private int _open;

    public LiveFeed Inner { get; } = inner;

    public int OpenSubscriptions => Volatile.Read(ref _open);

    public IReadOnlyCollection<QueueDto> Queues => Inner.Queues;

    public IReadOnlyCollection<AgentDto> Agents => Inner.Agents;

    public QueueDto? Queue(string id) => Inner.Queue(id);

    public IReadOnlyCollection<AlarmView> Alarms => Inner.Alarms;

    public DateTimeOffset? LastUpdateAt => Inner.LastUpdateAt;

    public IDisposable Subscribe(Func<LiveChange, Task> onChange)
    {
        var s = Inner.Subscribe(onChange);
        Interlocked.Increment(ref _open);
        return new Counted(this, s);
    }

    private sealed class Counted(CountingFigures owner, IDisposable inner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
            inner.Dispose();
            Interlocked.Decrement(ref owner._open);
        }
    }
}

/// <summary>Interval statistics per queue, set by a test; records the calls.</summary>
public sealed class FakeStats : IIntervalStats
{
    private readonly Dictionary<string, List<IntervalDto>> _rows = new(StringComparer.Ordinal);
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public void Set(string queue, params (DateTimeOffset Start, long Offered)[] rows)
    {
        lock (_rows)
            _rows[queue] = [.. rows.Select(r => UiData.Interval(r.Start, offered: r.Offered))];
    }

    /// <summary>When set, every read fails (the grains are unreachable).</summary>
    public bool Fail { get; set; }

    public Task<IReadOnlyList<IntervalDto>> StatsAsync(string? queue, DateTimeOffset fromUtc, DateTimeOffset toUtc, string bucket)
    {
        Interlocked.Increment(ref _calls);
        if (Fail) return Task.FromException<IReadOnlyList<IntervalDto>>(new TimeoutException("grains unreachable"));
        lock (_rows)
        {
            IReadOnlyList<IntervalDto> rows = queue is not null && _rows.TryGetValue(queue, out var r)
                ? [.. r.Where(i => i.Start >= fromUtc && i.Start < toUtc)]
                : [];
            return Task.FromResult(rows);
        }
    }
}

/// <summary>Today's forecast per queue for the wallboard charts, set by a test (null: no saved model); records the calls.</summary>
public sealed class FakeTodayForecasts : IForecasts
{
    private readonly Dictionary<string, ForecastDto> _today = new(StringComparer.Ordinal);
    private int _calls;

    public int TodayCalls => Volatile.Read(ref _calls);

    public void Set(string queue, ForecastDto? forecast)
    {
        lock (_today)
        {
            if (forecast is null) _today.Remove(queue);
            else _today[queue] = forecast;
        }
    }

    public Task<ForecastDto?> TryTodayAsync(string queue, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _calls);
        lock (_today)
            return Task.FromResult(_today.GetValueOrDefault(queue));
    }

    public Task<ForecastDto> ForecastAsync(string queue, int? days = null, CancellationToken ct = default) => throw new NotSupportedException();

    public Task<StaffingPlanDto> StaffingAsync(string queue, int? days = null, CancellationToken ct = default) => throw new NotSupportedException();

    public Task<TwentyFourSevenDto> TwentyFourSevenAsync(int weeks = 6, CancellationToken ct = default) => throw new NotSupportedException();

    public TrainingState Train(string queue) => throw new NotSupportedException();

    public TrainingState Status(string queue) => throw new NotSupportedException();
}

/// <summary>Configured queues, DTOs and board files for the UI tests.</summary>
public static class UiData
{
    public static OpsOptions Options() => new OpsOptions
    {
        Site = new SiteOptions { Name = "Test Site", TimeZoneId = "Europe/Berlin" },
        Queues =
        [
            new QueueOptions { Id = "billing", Name = "Billing", Channel = "phone", SlThresholdSeconds = 20, SlTargetPercent = 80, ShortAbandonSeconds = 5 },
            new QueueOptions { Id = "tech", Name = "Tech", Channel = "phone", SlThresholdSeconds = 30, SlTargetPercent = 80, ShortAbandonSeconds = 5 },
            new QueueOptions { Id = "sales", Name = "Sales", Channel = "phone", SlThresholdSeconds = 30, SlTargetPercent = 70, ShortAbandonSeconds = 5 },
            new QueueOptions { Id = "chat", Name = "Chat", Channel = "messenger", SlThresholdSeconds = 60, SlTargetPercent = 80, ShortAbandonSeconds = 5 },
        ],
    }.ApplyDefaults();

    public static IntervalDto Interval(
        DateTimeOffset start, long offered = 0, long answered = 0, long within = 0, long abandoned = 0, long shortAbandoned = 0,
        long handled = 0, double? asa = null, double? aht = null) =>
        new(start, start.AddMinutes(15), offered, answered, within, abandoned, shortAbandoned, 0, handled,
            null, asa, aht, null);

    /// <summary>A queue's live figures as the read model shows them; today's counters as given.</summary>
    public static QueueDto Queue(
        string id, int waiting = 0, DateTimeOffset? oldestWaitingSince = null, long offered = 0, long answered = 0,
        long within = 0, long abandoned = 0, long shortAbandoned = 0, long handled = 0, double? asa = null, double? aht = null,
        int slSeconds = 20, double slTarget = 80, int shortAbandonSeconds = 5) =>
        new(id, id, "phone", slSeconds, slTarget, shortAbandonSeconds, waiting, null, oldestWaitingSince,
            new AgentCountsDto(0, 0, 0, 0, 0, 0),
            Interval(UiTestBase.Start.Date, offered, answered, within, abandoned, shortAbandoned, handled, asa, aht));

    public static AgentDto Agent(string id, string state, params string[] queues) =>
        new(id, id, null, state, UiTestBase.Start, queues, null, 0, 0);

    /// <summary>A queue change as the change feed delivers it.</summary>
    public static QueueLive Live(string queue, int waiting = 0, DateTimeOffset? oldest = null, IntervalCounters? today = null) =>
        new(new QueueSnapshot(queue, waiting, oldest, today ?? IntervalCounters.Zero, []), AgentCounts.None);

    public static AgentSummary AgentLive(string id, AgentState state, params string[] queues) =>
        new(id, id, null, state, UiTestBase.Start, queues, null, DateOnly.FromDateTime(UiTestBase.Start.Date), 0, 0);

    public static TileDefinition Tile(TileMetric metric, string[] queues, double? amber = null, double? red = null, string? label = null, int span = 1) =>
        new()
        {
            Metric = metric,
            Queues = [.. queues],
            Label = label,
            Span = span,
            Thresholds = amber is null && red is null ? null : new Thresholds { Amber = amber, Red = red },
        };

    /// <summary>A temporary dashboards directory; deleted with the test.</summary>
    public sealed class BoardDirectory : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ui-boards-" + Guid.NewGuid().ToString("N"));

        public BoardDirectory() => Directory.CreateDirectory(Path);

        public void Write(string name, string json)
        {
            var file = System.IO.Path.Combine(Path, name + ".json");
            File.WriteAllText(file, json);
            // The catalog caches by write time; make every rewrite visible even within one clock tick.
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(_writes++));
        }

        private int _writes;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>
/// A bUnit context for the forecast page and its sections: a fake clock at <see cref="UiTestBase.Start"/>, the site
/// clock in Europe/Berlin, the demo options, interactive rendering; each test class adds its fake forecast services.
/// </summary>
public abstract class UiForecastTestBase : BunitContext
{
    protected UiForecastTestBase()
    {
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        var options = UiData.Options();
        Services.AddSingleton<TimeProvider>(Time);
        Services.AddSingleton(options);
        Services.AddSingleton(new SiteClock(Time, options.Site));
        Services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        // Before the JS interop and renderer settings below, which start the service provider.
        AddFakes(Services);
        JSInterop.Mode = JSRuntimeMode.Loose;
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    /// <summary>The test class's fake services (its field initialisers have run by the time this is called).</summary>
    protected abstract void AddFakes(IServiceCollection services);

    /// <summary>10:00 in Berlin on Monday 23 November 2026.</summary>
    protected FakeTimeProvider Time { get; } = new(UiTestBase.Start);

    /// <summary>The chart module with its three calls answered, so tests can read what the charts were given.</summary>
    protected BunitJSModuleInterop ForecastChartModule()
    {
        var module = JSInterop.SetupModule(Components.Forecast.ForecastChart.ModulePath);
        module.SetupVoid("createForecast", _ => true).SetVoidResult();
        module.SetupVoid("updateForecast", _ => true).SetVoidResult();
        module.SetupVoid("destroy", _ => true).SetVoidResult();
        return module;
    }
}
