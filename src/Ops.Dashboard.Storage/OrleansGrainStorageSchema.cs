using Dapper;
using Microsoft.Data.Sqlite;

namespace Ops.Dashboard.Storage;

/// <summary>
/// Our SQLite schema for Orleans' ADO.NET grain storage (migration 3). The provider reads the query
/// texts from OrleansQuery at silo start and binds fixed parameter names (@ServiceId, @GrainTypeString,
/// @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @GrainStateVersion, @PayloadBinary, plus hashes we
/// do not need) and reads fixed column names (PayloadBinary, Version, NewGrainStateVersion); see
/// dotnet/orleans src/AdoNet/Orleans.Persistence.AdoNet/Sqlite-Persistence.sql for that contract.
/// </summary>
internal static class OrleansGrainStorageSchema
{
    // The natural key instead of the hash columns: a unique index is narrow enough on SQLite and
    // needs no collision handling. IS compares the nullable key extension null-safely.
    private const string Key = """
        ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
        AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
        AND GrainIdExtensionString IS @GrainIdExtensionString
        """;

    private const string Now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

    private const string Tables = """
        CREATE TABLE OrleansQuery (
            QueryKey TEXT NOT NULL PRIMARY KEY,
            QueryText TEXT NOT NULL
        );
        CREATE TABLE OrleansStorage (
            ServiceId TEXT NOT NULL,
            GrainTypeString TEXT NOT NULL,
            GrainIdN0 INTEGER NOT NULL,
            GrainIdN1 INTEGER NOT NULL,
            GrainIdExtensionString TEXT NULL,
            PayloadBinary BLOB NULL,
            Version INTEGER NOT NULL,
            ModifiedUtc TEXT NOT NULL
        );
        -- NULL extensions are distinct in a unique index; the insert's NOT EXISTS covers them.
        CREATE UNIQUE INDEX ux_orleans_storage
            ON OrleansStorage (GrainTypeString, GrainIdN1, GrainIdN0, GrainIdExtensionString, ServiceId);
        """;

    /// <summary>The four query keys the provider looks up.</summary>
    public static readonly IReadOnlyDictionary<string, string> Queries = new Dictionary<string, string>
    {
        ["ReadFromStorageKey"] = $"SELECT PayloadBinary, Version FROM OrleansStorage WHERE {Key};",

        // Exactly one of the two statements can take effect: the update when the etag matches, the
        // insert when there is no etag and no row. No returned row means a version conflict.
        ["WriteToStorageKey"] = $"""
            UPDATE OrleansStorage
            SET PayloadBinary = @PayloadBinary, Version = Version + 1, ModifiedUtc = {Now}
            WHERE {Key} AND Version = @GrainStateVersion
            RETURNING Version AS NewGrainStateVersion;
            INSERT INTO OrleansStorage
                (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, PayloadBinary, Version, ModifiedUtc)
            SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @PayloadBinary, 1, {Now}
            WHERE @GrainStateVersion IS NULL AND NOT EXISTS (SELECT 1 FROM OrleansStorage WHERE {Key})
            RETURNING Version AS NewGrainStateVersion;
            """,

        // Clearing keeps the row so the version keeps rising and a stale writer still conflicts.
        ["ClearStorageKey"] = $"""
            UPDATE OrleansStorage
            SET PayloadBinary = NULL, Version = Version + 1, ModifiedUtc = {Now}
            WHERE {Key} AND Version = @GrainStateVersion
            RETURNING Version AS NewGrainStateVersion;
            """,

        // Used only with DeleteStateOnClear; the provider expects the deleted version + 1 back.
        ["DeleteStorageKey"] = $"""
            DELETE FROM OrleansStorage
            WHERE {Key} AND Version = @GrainStateVersion
            RETURNING Version + 1 AS NewGrainStateVersion;
            """,
    };

    public static void Apply(SqliteConnection connection, SqliteTransaction transaction)
    {
        connection.Execute(Tables, transaction: transaction);
        // Parameters, not SQL literals, so the query texts need no quote escaping.
        connection.Execute(
            "INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES (@Key, @Value);",
            Queries.Select(q => new { q.Key, q.Value }),
            transaction);
    }
}
