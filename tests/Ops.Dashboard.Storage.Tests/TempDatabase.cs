using Microsoft.Data.Sqlite;

namespace Ops.Dashboard.Storage.Tests;

/// <summary>A migrated database in its own temp file, deleted with its WAL files on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase(bool migrate = true)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ops-storage-tests", $"{Guid.NewGuid():N}.db");
        Db = new OpsDatabase(Path);
        if (migrate)
        {
            Db.Migrate();
        }
    }

    public string Path { get; }

    public OpsDatabase Db { get; }

    public void Dispose()
    {
        // Pooled connections keep the file open; release only this file's pool, other tests run in parallel.
        using (var connection = new SqliteConnection(Db.ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }
    }
}
