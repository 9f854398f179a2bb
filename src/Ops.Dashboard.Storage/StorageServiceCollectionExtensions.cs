using Microsoft.Extensions.DependencyInjection;

namespace Ops.Dashboard.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the database at <paramref name="path"/> (migrated when first resolved), the event
    /// log, the interval store, the user, access-token and audit stores, the incident store, the webhook attempt log
    /// and the volume history as singletons.
    /// </summary>
    public static IServiceCollection AddOpsStorage(this IServiceCollection services, string path)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);

        services.AddSingleton(_ =>
        {
            var db = new OpsDatabase(path);
            db.Migrate();
            return db;
        });
        // One EventLog per process: its write lock only serialises callers that share the instance.
        services.AddSingleton<EventLog>();
        services.AddSingleton<IntervalStore>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<AccessTokenStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IncidentStore>();
        services.AddSingleton<WebhookAttemptLog>();
        services.AddSingleton<VolumeHistoryStore>();
        return services;
    }
}
