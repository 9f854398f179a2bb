using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Ops.Dashboard.Storage;

public static class StorageSiloExtensions
{
    /// <summary>
    /// The ADO.NET invariant under which Orleans loads Microsoft.Data.Sqlite's factory. Orleans maps
    /// this name to "Microsoft.Data.Sqlite.SqliteFactory" by reflection; no DbProviderFactories
    /// registration is involved, and "Microsoft.Data.Sqlite" is not a name it knows.
    /// </summary>
    public const string SqliteInvariant = "System.Data.SQLite";

    /// <summary>
    /// Orleans grain storage named <paramref name="name"/> on the SQLite file of
    /// <paramref name="connectionString"/>. The schema is migrated when the silo starts, before the
    /// provider reads its queries. State is stored with the Orleans serializer, so state types need
    /// [GenerateSerializer] and [Id] like every other grain type, and nothing JSON-specific.
    /// </summary>
    public static ISiloBuilder AddOpsGrainStorage(this ISiloBuilder silo, string connectionString, string name = "ops")
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        var path = new SqliteConnectionStringBuilder(connectionString).DataSource;
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new SchemaMigrator(path));
        silo.AddAdoNetGrainStorage(name, options => options.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = SqliteInvariant;
            o.ConnectionString = connectionString;
            // The default is Newtonsoft JSON, a second serialisation contract beside [Id] that mishandles
            // records with required members and non-string dictionary keys.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
        return silo;
    }

    private sealed class SchemaMigrator(string path) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            // RuntimeInitialize runs before ApplicationServices, where grain storage providers load their queries.
            lifecycle.Subscribe(nameof(SchemaMigrator), ServiceLifecycleStage.RuntimeInitialize, _ =>
            {
                new OpsDatabase(path).Migrate();
                return Task.CompletedTask;
            });
    }
}
