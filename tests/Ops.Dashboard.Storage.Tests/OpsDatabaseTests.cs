using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Ops.Dashboard.Storage.Tests;

public sealed class OpsDatabaseTests
{
    [Fact]
    public void Migrate_brings_a_new_file_to_the_latest_version_in_wal_mode()
    {
        using var temp = new TempDatabase(migrate: false);
        Assert.Equal(0, temp.Db.SchemaVersion());

        temp.Db.Migrate();

        Assert.Equal(OpsDatabase.LatestVersion, temp.Db.SchemaVersion());
        using var connection = temp.Db.Open();
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode;"));
        var tables = connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table';").ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "schema_version", "events", "interval_stats", "queue_progress", "OrleansQuery", "OrleansStorage",
                "users", "access_tokens", "audit_log", "incidents", "incident_timeline", "webhook_attempts", "volume_history",
                "agent_state_index", "agent_state_index_progress",
            },
            tables);
    }

    [Fact]
    public void Migrate_twice_changes_nothing_the_second_time()
    {
        using var temp = new TempDatabase();
        using var connection = temp.Db.Open();
        var before = connection.Query<(long, string, string)>("SELECT version, name, applied_utc FROM schema_version ORDER BY version;").ToList();

        temp.Db.Migrate();
        new OpsDatabase(temp.Path).Migrate();

        var after = connection.Query<(long, string, string)>("SELECT version, name, applied_utc FROM schema_version ORDER BY version;").ToList();
        Assert.Equal(before, after);
        Assert.Equal(Enumerable.Range(1, OpsDatabase.LatestVersion).Select(v => (long)v), after.Select(r => r.Item1));
        Assert.Equal(4, connection.ExecuteScalar<long>("SELECT count(*) FROM OrleansQuery;"));
    }

    [Fact]
    public async Task Migrate_from_several_processes_at_once_applies_each_step_once()
    {
        using var temp = new TempDatabase(migrate: false);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new OpsDatabase(temp.Path).Migrate())));

        using var connection = temp.Db.Open();
        Assert.Equal(OpsDatabase.LatestVersion, connection.ExecuteScalar<long>("SELECT count(*) FROM schema_version;"));
    }

    [Fact]
    public void Migrate_refuses_a_database_from_a_newer_build_with_a_clear_message()
    {
        using var temp = new TempDatabase();
        using (var connection = temp.Db.Open())
        {
            connection.Execute("INSERT INTO schema_version (version, name, applied_utc) VALUES (999, 'from the future', '2030-01-01');");
        }

        var error = Assert.Throws<InvalidOperationException>(() => temp.Db.Migrate());

        Assert.Contains("schema version 999", error.Message);
        Assert.Contains($"only up to {OpsDatabase.LatestVersion}", error.Message);
    }

    [Fact]
    public void Open_sets_busy_timeout_synchronous_normal_and_foreign_keys()
    {
        using var temp = new TempDatabase();
        using var connection = temp.Db.Open();

        Assert.Equal(10000, connection.ExecuteScalar<long>("PRAGMA busy_timeout;"));
        Assert.Equal(1, connection.ExecuteScalar<long>("PRAGMA synchronous;")); // 1 = NORMAL
        Assert.Equal(1, connection.ExecuteScalar<long>("PRAGMA foreign_keys;"));
    }

    [Fact]
    public void Constructor_creates_the_directory_and_resolves_the_path_to_an_absolute_one()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ops-storage-tests", Guid.NewGuid().ToString("N"), "nested");
        try
        {
            var db = new OpsDatabase(Path.Combine(directory, "ops.db"));

            Assert.True(Directory.Exists(directory));
            Assert.True(Path.IsPathRooted(db.FilePath));
            Assert.Contains(db.FilePath, db.ConnectionString);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
        }
    }

    [Fact]
    public void A_relative_path_is_resolved_against_the_current_directory()
    {
        var relative = Path.Combine($"ops-relative-{Guid.NewGuid():N}", "ops.db");
        try
        {
            var db = new OpsDatabase(relative);

            Assert.Equal(Path.Combine(Environment.CurrentDirectory, relative), db.FilePath);
            Assert.True(Directory.Exists(Path.GetDirectoryName(db.FilePath)));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetFullPath(relative))!, recursive: true);
        }
    }

    [Fact]
    public async Task AddOpsStorage_registers_migrated_singletons()
    {
        using var temp = new TempDatabase(migrate: false);
        await using var services = new ServiceCollection().AddOpsStorage(temp.Path).BuildServiceProvider();

        var log = services.GetRequiredService<EventLog>();

        Assert.Same(log, services.GetRequiredService<EventLog>());
        Assert.Same(services.GetRequiredService<IntervalStore>(), services.GetRequiredService<IntervalStore>());
        Assert.Equal(OpsDatabase.LatestVersion, services.GetRequiredService<OpsDatabase>().SchemaVersion());
        Assert.Equal(0, await log.CountAsync());
    }

    [Fact]
    public async Task AddOpsStorage_registers_the_user_token_and_audit_stores_as_singletons()
    {
        using var temp = new TempDatabase(migrate: false);
        await using var services = new ServiceCollection().AddOpsStorage(temp.Path).BuildServiceProvider();

        Assert.Same(services.GetRequiredService<UserStore>(), services.GetRequiredService<UserStore>());
        Assert.Same(services.GetRequiredService<AccessTokenStore>(), services.GetRequiredService<AccessTokenStore>());
        Assert.Same(services.GetRequiredService<AuditLog>(), services.GetRequiredService<AuditLog>());
        Assert.False(await services.GetRequiredService<UserStore>().AnyActiveAdminAsync());
    }

    [Fact]
    public async Task AddOpsStorage_registers_the_incident_store_and_the_webhook_attempt_log_as_singletons()
    {
        using var temp = new TempDatabase(migrate: false);
        await using var services = new ServiceCollection().AddOpsStorage(temp.Path).BuildServiceProvider();

        Assert.Same(services.GetRequiredService<IncidentStore>(), services.GetRequiredService<IncidentStore>());
        Assert.Same(services.GetRequiredService<WebhookAttemptLog>(), services.GetRequiredService<WebhookAttemptLog>());
        Assert.Empty(await services.GetRequiredService<IncidentStore>().QueryAsync(new IncidentQuery()));
        Assert.Empty(await services.GetRequiredService<WebhookAttemptLog>().RecentAsync());
    }

    [Fact]
    public async Task AddOpsStorage_registers_the_volume_history_as_a_singleton()
    {
        using var temp = new TempDatabase(migrate: false);
        await using var services = new ServiceCollection().AddOpsStorage(temp.Path).BuildServiceProvider();

        Assert.Same(services.GetRequiredService<VolumeHistoryStore>(), services.GetRequiredService<VolumeHistoryStore>());
        Assert.Empty(await services.GetRequiredService<VolumeHistoryStore>().QueuesAsync());
    }

    [Fact]
    public async Task Migrate_adds_users_tokens_and_the_audit_log_to_a_version_5_database_and_keeps_its_data()
    {
        using var temp = new TempDatabase();
        // Take the file back to what a version-5 build left: later steps' objects gone, their version rows removed.
        using (var connection = temp.Db.Open())
        {
            connection.Execute(
                """
                DROP TABLE users; DROP TABLE access_tokens; DROP TABLE audit_log;
                ALTER TABLE interval_stats DROP COLUMN agent_error_escalations;
                DROP TABLE incident_timeline; DROP TABLE incidents; DROP TABLE webhook_attempts;
                DROP TABLE volume_history;
                """ + UndoVersion10 + """
                DELETE FROM schema_version WHERE version >= 6;
                """);
            Assert.Equal(0, connection.ExecuteScalar<long>(
                "SELECT count(*) FROM sqlite_master WHERE tbl_name IN ('users', 'access_tokens', 'audit_log');"));
        }

        Assert.Equal(5, temp.Db.SchemaVersion());
        await new RecoveryPointStore(temp.Db).WriteAsync(42);

        temp.Db.Migrate();

        Assert.Equal(OpsDatabase.LatestVersion, temp.Db.SchemaVersion());
        Assert.Equal(42, await new RecoveryPointStore(temp.Db).ReadAsync());
        using (var connection = temp.Db.Open())
        {
            var objects = connection.Query<string>("SELECT name FROM sqlite_master WHERE tbl_name IN ('users', 'access_tokens', 'audit_log');")
                .ToHashSet();
            Assert.Superset(
                new HashSet<string>
                {
                    "users", "access_tokens", "audit_log", "ix_access_tokens_kind_hash", "ix_audit_log_at",
                    "audit_log_no_update", "audit_log_no_delete",
                },
                objects);
            Assert.Equal(
                "users, access tokens and the audit log",
                connection.ExecuteScalar<string>("SELECT name FROM schema_version WHERE version = 6;"));
        }

        var user = await new UserStore(temp.Db).CreateAsync("admin", "Admin", Ops.Dashboard.Domain.Role.Admin, "h", DateTimeOffset.UnixEpoch);
        Assert.Equal(user, await new UserStore(temp.Db).FindByNameAsync("ADMIN"));
    }
    [Fact]
    public async Task Migrate_adds_incidents_and_webhook_attempts_to_a_version_7_database_and_keeps_its_data()
    {
        using var temp = new TempDatabase();
        // Take the file back to what a version-7 build left: step 8's tables (with their indexes and triggers) and version row gone.
        using (var connection = temp.Db.Open())
        {
            connection.Execute(
                """
                DROP TABLE incident_timeline; DROP TABLE incidents; DROP TABLE webhook_attempts;
                DROP TABLE volume_history;
                """ + UndoVersion10 + """
                DELETE FROM schema_version WHERE version >= 8;
                """);
            Assert.Equal(0, connection.ExecuteScalar<long>(
                "SELECT count(*) FROM sqlite_master WHERE tbl_name IN ('incidents', 'incident_timeline', 'webhook_attempts');"));
        }

        Assert.Equal(7, temp.Db.SchemaVersion());
        var at = new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.Zero);
        var entry = await new AuditLog(temp.Db).AppendAsync(at, "ana", AuditActions.SignIn, null, null, null);
        await new RecoveryPointStore(temp.Db).WriteAsync(42);

        temp.Db.Migrate();

        Assert.Equal(OpsDatabase.LatestVersion, temp.Db.SchemaVersion());
        Assert.Equal([entry], await new AuditLog(temp.Db).QueryAsync(new AuditQuery()));
        Assert.Equal(42, await new RecoveryPointStore(temp.Db).ReadAsync());
        using (var connection = temp.Db.Open())
        {
            var objects = connection.Query<string>(
                "SELECT name FROM sqlite_master WHERE tbl_name IN ('incidents', 'incident_timeline', 'webhook_attempts');").ToHashSet();
            Assert.Superset(
                new HashSet<string>
                {
                    "incidents", "incident_timeline", "webhook_attempts", "ix_incidents_detected", "ux_incidents_open_alarm",
                    "ix_incident_timeline_incident", "incident_timeline_no_update", "incident_timeline_no_delete",
                    "ix_webhook_attempts_target", "ix_webhook_attempts_delivery", "ix_webhook_attempts_at",
                },
                objects);
            Assert.Equal(
                "incidents and webhook delivery attempts",
                connection.ExecuteScalar<string>("SELECT name FROM schema_version WHERE version = 8;"));
        }

        var incidents = new IncidentStore(temp.Db);
        var opened = await incidents.OpenAsync("Telephony down", "billing", "a1", "critical", null, at, "monitoring", at);
        Assert.Equal(opened, await incidents.FindOpenByAlarmAsync("a1"));
        await new WebhookAttemptLog(temp.Db).AppendAsync("d1", "control", "acd", 1, at, 200, null, true);
        Assert.Single(await new WebhookAttemptLog(temp.Db).RecentAsync());
    }

    // What a build before step 10 had instead of the agent state index table.
    private const string UndoVersion10 = """
        DROP TABLE agent_state_index; DROP TABLE agent_state_index_progress;
        CREATE INDEX ix_events_agent_at ON events (agent_id, at_utc_ms) WHERE agent_id IS NOT NULL;
        """;

    [Fact]
    public async Task Migrate_moves_a_version_9_databases_agent_events_into_the_agent_state_index()
    {
        using var temp = new TempDatabase();
        var at = new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.Zero);
        var stored = (await new EventLog(temp.Db).AppendAsync(
        [
            new Ops.Dashboard.Domain.OpsEvent { Id = "s1", Type = Ops.Dashboard.Domain.EventType.AgentState, At = at, AgentId = "a1", State = Ops.Dashboard.Domain.AgentState.Available },
            new Ops.Dashboard.Domain.OpsEvent { Id = "q1", Type = Ops.Dashboard.Domain.EventType.AgentQueues, At = at.AddMinutes(1), AgentId = "a1", Queues = ["billing"] },
            new Ops.Dashboard.Domain.OpsEvent { Id = "answer", Type = Ops.Dashboard.Domain.EventType.ContactAnswered, At = at.AddMinutes(2), ContactId = "c1", AgentId = "a1" },
        ], at)).Stored;
        using (var connection = temp.Db.Open())
        {
            connection.Execute(UndoVersion10 + " DELETE FROM schema_version WHERE version >= 10;");
        }
        Assert.Equal(9, temp.Db.SchemaVersion());

        temp.Db.Migrate();

        Assert.Equal(OpsDatabase.LatestVersion, temp.Db.SchemaVersion());
        using (var connection = temp.Db.Open())
        {
            Assert.Equal(
                [("a1", stored[0].Seq, 1L), ("a1", stored[1].Seq, 0L)],
                connection.Query<(string, long, long)>("SELECT agent_id, seq, is_state FROM agent_state_index ORDER BY seq;"));
            Assert.Equal(stored[^1].Seq, connection.ExecuteScalar<long>("SELECT seq FROM agent_state_index_progress;"));
            Assert.Equal(0, connection.ExecuteScalar<long>("SELECT count(*) FROM sqlite_master WHERE name = 'ix_events_agent_at';"));
        }
        Assert.Equal(["s1", "q1"], (await new EventLog(temp.Db).ReadAgentAsync("a1", at)).Select(e => e.Id));
    }

    [Fact]
    public async Task Migrate_adds_the_volume_history_to_a_version_8_database_and_keeps_its_data()
    {
        using var temp = new TempDatabase();
        // Take the file back to what a version-8 build left: step 9's table and version row gone.
        using (var connection = temp.Db.Open())
        {
            connection.Execute("DROP TABLE volume_history; " + UndoVersion10 + " DELETE FROM schema_version WHERE version >= 9;");
        }

        Assert.Equal(8, temp.Db.SchemaVersion());
        var at = new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.Zero);
        var incident = await new IncidentStore(temp.Db).OpenAsync("Telephony down", "billing", null, "critical", null, at, "ana", at);

        temp.Db.Migrate();

        Assert.Equal(OpsDatabase.LatestVersion, temp.Db.SchemaVersion());
        Assert.Equal(incident, await new IncidentStore(temp.Db).FindAsync(incident.Id));
        using (var connection = temp.Db.Open())
        {
            Assert.Equal("contact volume history", connection.ExecuteScalar<string>("SELECT name FROM schema_version WHERE version = 9;"));
        }

        var history = new VolumeHistoryStore(temp.Db);
        await history.ReplaceAsync("billing", [new Ops.Dashboard.Domain.HourVolume(at, 12)], at);
        Assert.Equal([new Ops.Dashboard.Domain.HourVolume(at, 12)], await history.ReadAsync("billing", at, at.AddHours(1)));
    }
}
