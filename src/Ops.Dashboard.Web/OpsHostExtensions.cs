using Orleans.Configuration;
using Orleans.Dashboard;
using Microsoft.Data.Sqlite;
using Ops.Dashboard.Grains;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>The host's building blocks, one call each from Program.cs.</summary>
public static class OpsHostExtensions
{
    /// <summary>The SQLite file (<c>Storage:Path</c>, default data/ops.db): event log, history, grain state.</summary>
    public static WebApplicationBuilder AddOpsStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpsStorage(StoragePath(builder.Configuration));
        builder.Services.AddSingleton<RecoveryPointStore>();
        return builder;
    }

    /// <summary>
    /// The co-hosted silo: localhost clustering on <c>Orleans:SiloPort</c>/<c>Orleans:GatewayPort</c>,
    /// grain state in the same SQLite file, reminders in memory.
    /// </summary>
    public static WebApplicationBuilder AddOpsOrleans(this WebApplicationBuilder builder)
    {
        var siloPort = builder.Configuration.GetValue("Orleans:SiloPort", 11111);
        var gatewayPort = builder.Configuration.GetValue("Orleans:GatewayPort", 30000);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = StoragePath(builder.Configuration) }.ToString();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort);
            silo.AddOpsGrainStorage(connectionString, OpsGrainStorage.Name);
            // Orleans has no SQLite reminder store: one node keeps reminders in memory (the nightly retrain re-registers at start).
            silo.UseInMemoryReminderService();
            silo.AddDashboard();
            // The directory cache is sized for a million grains by default (about 19 MB of empty buckets);
            // this node holds one grain per agent, queue and shift and 32 contact shards.
            silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = 50_000);
        });
        builder.Services.AddOpsDispatch();
        return builder;
    }

    /// <summary>Ingestion and the read API (who may call them: <see cref="AccessExtensions"/>).</summary>
    public static WebApplicationBuilder AddOpsApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IngestionService>();
        builder.Services.AddSingleton<ReadModel>();
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        return builder;
    }

    /// <summary>The live feed of this node, its wallboard layouts and the SignalR hub that pushes both.</summary>
    public static WebApplicationBuilder AddOpsLiveFeed(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LiveFeed>();
        builder.Services.AddHostedService<LiveFeedSubscription>();
        builder.Services.AddSingleton(sp => new BoardCatalog(
            BoardCatalog.Locate(builder.Configuration, builder.Environment.ContentRootPath), sp.GetRequiredService<Ops.Dashboard.Domain.OpsOptions>()));
        builder.Services.AddSignalR().AddJsonProtocol(o =>
            o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.AddHostedService<WallboardHubBridge>();
        return builder;
    }

    /// <summary>
    /// The supervisor console's commands (reallocation, agent state, what-if) and where they go: the
    /// hub, control webhooks and in-process listeners such as the simulator.
    /// </summary>
    public static WebApplicationBuilder AddOpsConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(WebhookSender.ClientName);
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        builder.Services.AddSingleton<ControlPublisher>();
        builder.Services.AddSingleton<IConsoleCommands, ConsoleCommandService>();
        return builder;
    }

    /// <summary>
    /// Alarms: the alarm grain evaluates the rules (Grains); this host tells it which sources send and
    /// notifies the configured webhook targets of alarm changes, recording every delivery attempt.
    /// </summary>
    public static WebApplicationBuilder AddOpsAlarms(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IAlarmCommands, AlarmCommandService>();
        builder.Services.AddSingleton<SourceActivity>();
        builder.Services.AddHostedService<SourceActivityReporter>();
        builder.Services.AddSingleton<Ops.Dashboard.Contracts.IAlarmNotifier, AlarmNotifier>();
        builder.Services.AddHostedService<WebhookAttemptRecorder>();
        return builder;
    }

    /// <summary>
    /// Orleans' own dashboard at /orleans, for administrators. Mapping it loads and gzips all its embedded
    /// scripts (about 20 MB of heap for the life of the process, plus the 17 MB assembly read in full), and
    /// administrators open it rarely: so its endpoints are mapped in a branch built by the first request.
    /// </summary>
    public static WebApplication MapOpsOrleansDashboard(this WebApplication app)
    {
        const string prefix = "/orleans";
        app.MapWhen(ctx => ctx.Request.Path.StartsWithSegments(prefix), branch =>
        {
            var pipeline = new Lazy<RequestDelegate>(() =>
            {
                // A branch of a WebApplication has its own routing world: these endpoints stay out of the app's.
                var dashboard = branch.New();
                dashboard.UseRouting();
                dashboard.UseAuthorization();
                dashboard.UseEndpoints(e => e.MapOrleansDashboard(routePrefix: prefix).RequireAuthorization(Policies.Admin));
                return dashboard.Build();
            });
            branch.Run(ctx =>
            {
                // Routing skips a request that already has an endpoint: the branch must match its own.
                ctx.SetEndpoint(null);
                ctx.Request.RouteValues.Clear();
                return pipeline.Value(ctx);
            });
        });
        return app;
    }

    public static string StoragePath(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Storage:Path"] is { Length: > 0 } p ? p : Path.Combine("data", "ops.db"));
}
