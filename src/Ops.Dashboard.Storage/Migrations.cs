using Dapper;
using Microsoft.Data.Sqlite;

namespace Ops.Dashboard.Storage;

/// <summary>One numbered schema step; it runs inside the transaction that records its version.</summary>
internal sealed record Migration(int Version, string Name, Action<SqliteConnection, SqliteTransaction> Apply)
{
    public static Migration Sql(int version, string name, string sql) =>
        new(version, name, (connection, transaction) => connection.Execute(sql, transaction: transaction));
}

/// <summary>
/// The schema history. Append new steps at the end with the next number; never edit a step that
/// has shipped, because databases that already applied it will not run it again.
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        Migration.Sql(1, "event log", """
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                at_utc_ms INTEGER NOT NULL,
                contact_id TEXT NULL,
                agent_id TEXT NULL,
                payload TEXT NOT NULL,
                received_utc_ms INTEGER NOT NULL
            );
            -- Partial: most events lack one of the two ids, and smaller indexes keep appends fast.
            CREATE INDEX ix_events_contact ON events (contact_id) WHERE contact_id IS NOT NULL;
            CREATE INDEX ix_events_agent_at ON events (agent_id, at_utc_ms) WHERE agent_id IS NOT NULL;
            """),

        Migration.Sql(2, "interval history and queue progress", """
            CREATE TABLE interval_stats (
                queue TEXT NOT NULL,
                start_utc_ms INTEGER NOT NULL,
                offered INTEGER NOT NULL DEFAULT 0,
                answered INTEGER NOT NULL DEFAULT 0,
                answered_within_threshold INTEGER NOT NULL DEFAULT 0,
                abandoned INTEGER NOT NULL DEFAULT 0,
                short_abandoned INTEGER NOT NULL DEFAULT 0,
                transferred_out INTEGER NOT NULL DEFAULT 0,
                handled INTEGER NOT NULL DEFAULT 0,
                answer_wait_ms INTEGER NOT NULL DEFAULT 0,
                handle_ms INTEGER NOT NULL DEFAULT 0,
                abandon_wait_ms INTEGER NOT NULL DEFAULT 0,
                csat_count INTEGER NOT NULL DEFAULT 0,
                csat_score_sum INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (queue, start_utc_ms)
            ) WITHOUT ROWID;
            -- Reads across all queues filter on the start only.
            CREATE INDEX ix_interval_stats_start ON interval_stats (start_utc_ms);
            CREATE TABLE queue_progress (
                queue TEXT NOT NULL PRIMARY KEY,
                last_seq INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),

        new(3, "orleans grain storage", OrleansGrainStorageSchema.Apply),

        Migration.Sql(4, "recovery point", """
            -- One row: the log seq up to which every grain's persisted state is complete.
            CREATE TABLE recovery_point (
                id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
                seq INTEGER NOT NULL
            );
            """),

        // Orleans opens its own connections, which start at synchronous=FULL: an fsync per grain-state
        // write. Checkpoints are batched and the event log is the source of truth, so NORMAL (durable
        // across a process crash, as the log itself) is enough; the provider runs these texts as given.
        Migration.Sql(5, "grain storage writes without fsync per write", """
            UPDATE OrleansQuery SET QueryText = 'PRAGMA synchronous = NORMAL;' || char(10) || QueryText
            WHERE QueryKey IN ('WriteToStorageKey', 'ClearStorageKey', 'DeleteStorageKey');
            """),

        Migration.Sql(6, "users, access tokens and the audit log", """
            -- AUTOINCREMENT: ids are named in the audit log, so a number is never handed out twice.
            -- NOCASE makes "Ana" and "ana" one account; it folds ASCII letters only.
            CREATE TABLE users (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                user_name TEXT NOT NULL COLLATE NOCASE UNIQUE,
                display_name TEXT NOT NULL,
                role TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                created_utc_ms INTEGER NOT NULL,
                last_sign_in_utc_ms INTEGER NULL
            );

            -- Only the SHA-256 of a secret is kept; NOCASE so upper- and lower-case hex find the same row.
            CREATE TABLE access_tokens (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                prefix TEXT NOT NULL,
                secret_hash TEXT NOT NULL COLLATE NOCASE,
                board TEXT NULL,
                created_utc_ms INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                revoked_utc_ms INTEGER NULL,
                revoked_by TEXT NULL
            );
            CREATE INDEX ix_access_tokens_kind_hash ON access_tokens (kind, secret_hash);

            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at_utc_ms INTEGER NOT NULL,
                actor TEXT NOT NULL COLLATE NOCASE,
                action TEXT NOT NULL COLLATE NOCASE,
                target TEXT NULL,
                detail TEXT NULL,
                address TEXT NULL,
                success INTEGER NOT NULL CHECK (success IN (0, 1))
            );
            CREATE INDEX ix_audit_log_at ON audit_log (at_utc_ms);
            -- "What did this person do" and the action filter are the common audit questions.
            CREATE INDEX ix_audit_log_actor ON audit_log (actor);
            CREATE INDEX ix_audit_log_action ON audit_log (action);
            -- Logged access to personal data is only evidence if nobody can rewrite it through the application.
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN
                SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be updated');
            END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN
                SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
            END;
            """),
        Migration.Sql(7, "escalations caused by agent errors", """
            -- Transfers whose reason is agent_error (the handbook's KPI); intervals stored before count none.
            ALTER TABLE interval_stats ADD COLUMN agent_error_escalations INTEGER NOT NULL DEFAULT 0;
            """),

        Migration.Sql(8, "incidents and webhook delivery attempts", """
            -- One row per incident with the runbook's milestones; the timeline below keeps every step.
            -- The CHECKs keep status and milestones consistent even if a bug bypasses IncidentStore.
            CREATE TABLE incidents (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                title TEXT NOT NULL,
                queue TEXT NULL,
                alarm_id TEXT NULL,
                severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
                description TEXT NULL,
                status TEXT NOT NULL CHECK (status IN ('Open', 'Resolved', 'Reviewed')),
                detected_utc_ms INTEGER NOT NULL,
                opened_utc_ms INTEGER NOT NULL,
                opened_by TEXT NOT NULL,
                acknowledged_utc_ms INTEGER NULL,
                acknowledged_by TEXT NULL,
                customers_informed_utc_ms INTEGER NULL,
                customer_eta_utc_ms INTEGER NULL,
                customer_message TEXT NULL,
                escalated_utc_ms INTEGER NULL,
                tech_priority TEXT NULL CHECK (tech_priority IN ('P1', 'P2', 'P3', 'P4')),
                resolved_utc_ms INTEGER NULL,
                resolved_by TEXT NULL,
                root_cause TEXT NULL,
                lessons_learned TEXT NULL,
                knowledge_base_updated INTEGER NOT NULL DEFAULT 0 CHECK (knowledge_base_updated IN (0, 1)),
                reviewed_utc_ms INTEGER NULL,
                reviewed_by TEXT NULL,
                CHECK ((status = 'Open') = (resolved_utc_ms IS NULL)),
                CHECK ((status = 'Reviewed') = (reviewed_utc_ms IS NOT NULL))
            );
            CREATE INDEX ix_incidents_detected ON incidents (detected_utc_ms);
            -- An alarm opens at most one open incident; decided here, so two concurrent opens cannot both succeed.
            CREATE UNIQUE INDEX ux_incidents_open_alarm ON incidents (alarm_id) WHERE status = 'Open' AND alarm_id IS NOT NULL;

            CREATE TABLE incident_timeline (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                incident_id INTEGER NOT NULL REFERENCES incidents (id),
                step TEXT NOT NULL
                    CHECK (step IN ('Detected', 'Acknowledged', 'CustomersInformed', 'EscalatedToTech', 'Resolved', 'Reviewed', 'Note')),
                at_utc_ms INTEGER NOT NULL,
                actor TEXT NOT NULL,
                note TEXT NULL,
                -- Only for CustomersInformed: the incident row keeps the latest ETA, this keeps each one announced.
                eta_utc_ms INTEGER NULL
            );
            CREATE INDEX ix_incident_timeline_incident ON incident_timeline (incident_id, at_utc_ms);
            -- The timeline is the record of what was done for the review; the application cannot rewrite it.
            CREATE TRIGGER incident_timeline_no_update BEFORE UPDATE ON incident_timeline
            BEGIN
                SELECT RAISE(ABORT, 'incident_timeline is append-only: entries cannot be updated');
            END;
            CREATE TRIGGER incident_timeline_no_delete BEFORE DELETE ON incident_timeline
            BEGIN
                SELECT RAISE(ABORT, 'incident_timeline is append-only: entries cannot be deleted');
            END;

            CREATE TABLE webhook_attempts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                delivery_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                target TEXT NOT NULL,
                attempt INTEGER NOT NULL CHECK (attempt >= 1),
                at_utc_ms INTEGER NOT NULL,
                status_code INTEGER NULL,
                error TEXT NULL,
                delivered INTEGER NOT NULL CHECK (delivered IN (0, 1))
            );
            -- Each index also orders by id, so "newest first for one target or delivery" is a backward index scan.
            CREATE INDEX ix_webhook_attempts_target ON webhook_attempts (target);
            CREATE INDEX ix_webhook_attempts_delivery ON webhook_attempts (delivery_id);
            CREATE INDEX ix_webhook_attempts_at ON webhook_attempts (at_utc_ms);
            """),

        Migration.Sql(9, "contact volume history", """
            -- Offered contacts per queue and site-local hour (keyed by its UTC start) for the forecast. Only hours
            -- present in the source are stored: an absent hour is a closed one, not zero demand.
            CREATE TABLE volume_history (
                queue TEXT NOT NULL,
                hour_utc_ms INTEGER NOT NULL,
                count INTEGER NOT NULL CHECK (count >= 0),
                source TEXT NOT NULL CHECK (source IN ('import', 'live')),
                imported_at_utc_ms INTEGER NOT NULL,
                PRIMARY KEY (queue, hour_utc_ms)
            ) WITHOUT ROWID;
            """),

        Migration.Sql(10, "agent state index in its own table", """
            -- Replaces ix_events_agent_at: written in sorted batches instead of a scattered page per appended event
            -- (see AgentStateIndex). Complete up to the progress seq; the log after it is read back at start.
            CREATE TABLE agent_state_index (
                agent_id TEXT NOT NULL,
                at_utc_ms INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                is_state INTEGER NOT NULL CHECK (is_state IN (0, 1)),
                PRIMARY KEY (agent_id, at_utc_ms, seq)
            ) WITHOUT ROWID;
            INSERT INTO agent_state_index (agent_id, at_utc_ms, seq, is_state)
                SELECT agent_id, at_utc_ms, seq, type = 'agent.state' FROM events
                WHERE type IN ('agent.state', 'agent.queues') AND agent_id IS NOT NULL
                ORDER BY agent_id, at_utc_ms, seq;
            CREATE TABLE agent_state_index_progress (
                id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
                seq INTEGER NOT NULL
            );
            INSERT INTO agent_state_index_progress (id, seq) VALUES (1, (SELECT coalesce(max(seq), 0) FROM events));
            DROP INDEX ix_events_agent_at;
            """),
    ];
}
