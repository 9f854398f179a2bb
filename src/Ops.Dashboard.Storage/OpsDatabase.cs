using Dapper;
using Microsoft.Data.Sqlite;

namespace Ops.Dashboard.Storage;

/// <summary>
/// The SQLite file behind the event log, the interval history and Orleans' grain state.
/// Every connection it opens carries the same pragmas, so callers never set them.
/// </summary>
public sealed class OpsDatabase
{
    public const string DefaultPath = "data/ops.db";

    public OpsDatabase(string path = DefaultPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Also applies to connections that are not opened through Open(), such as Orleans' own.
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    public string ConnectionString { get; }

    /// <summary>An open connection with busy timeout, synchronous=NORMAL and foreign keys set.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            // NORMAL is durable across process crashes in WAL mode; only a power loss can drop the last commits.
            pragmas.CommandText = "PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The highest migration version this build knows.</summary>
    public static int LatestVersion => Migrations.All[^1].Version;

    /// <summary>
    /// Switches the file to WAL and applies the migrations it lacks, each in its own transaction.
    /// Safe to call any number of times, also from several processes at once.
    /// </summary>
    public void Migrate()
    {
        using var connection = Open();
        // journal_mode cannot change inside a transaction, and WAL sticks to the file once set.
        var mode = connection.ExecuteScalar<string>("PRAGMA journal_mode=WAL;");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"The database '{FilePath}' refused WAL mode (journal_mode is '{mode}').");
        }

        connection.Execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_utc TEXT NOT NULL);");

        var found = CurrentVersion(connection, null);
        if (found > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database '{FilePath}' has schema version {found}, but this build knows only up to {LatestVersion}. " +
                "It was written by a newer Ops.Dashboard; run that version or restore a matching backup.");
        }

        foreach (var migration in Migrations.All)
        {
            // IMMEDIATE takes the write lock before reading the version, so two migrators cannot both apply a step.
            using var transaction = connection.BeginTransaction(deferred: false);
            if (CurrentVersion(connection, transaction) >= migration.Version)
            {
                continue;
            }

            migration.Apply(connection, transaction);
            connection.Execute(
                "INSERT INTO schema_version (version, name, applied_utc) VALUES (@Version, @Name, @AppliedUtc);",
                new { migration.Version, migration.Name, AppliedUtc = DateTimeOffset.UtcNow.ToString("O") },
                transaction);
            transaction.Commit();
        }
    }

    /// <summary>The schema version the file is at (0 for a new file).</summary>
    public int SchemaVersion()
    {
        using var connection = Open();
        var exists = connection.ExecuteScalar<long>(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';");
        return exists == 0 ? 0 : CurrentVersion(connection, null);
    }

    private static int CurrentVersion(SqliteConnection connection, SqliteTransaction? transaction) =>
        connection.ExecuteScalar<int>("SELECT coalesce(max(version), 0) FROM schema_version;", transaction: transaction);
}
