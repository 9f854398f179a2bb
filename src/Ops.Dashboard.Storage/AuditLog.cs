using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Ops.Dashboard.Storage;

/// <summary>One audit entry. Success false for refused/failed things (a failed sign-in). At has offset zero and millisecond precision.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string? Target, string? Detail, string? Address, bool Success);

/// <summary>
/// Filters for <see cref="AuditLog.QueryAsync"/>, combined with AND: From &lt;= At &lt; To; Actor and Action exact
/// (case-insensitive); Text a case-insensitive substring of target or detail; BeforeId for paging (pass the last Id of
/// the previous page); Limit at most <see cref="AuditLog.MaxLimit"/>.
/// </summary>
public sealed record AuditQuery(DateTimeOffset? From = null, DateTimeOffset? To = null, string? Actor = null, string? Action = null,
    string? Text = null, long? BeforeId = null, int Limit = 200);

/// <summary>The action names the host records (one place for them).</summary>
public static class AuditActions
{
    public const string SignIn = "sign-in", SignInFailed = "sign-in-failed", SignOut = "sign-out",
        AgentQueues = "agent.queues", AgentState = "agent.state",
        UserCreate = "user.create", UserUpdate = "user.update", UserPassword = "user.password",
        KeyCreate = "key.create", KeyRevoke = "key.revoke", KioskIssue = "kiosk.issue", KioskRevoke = "kiosk.revoke",
        ViewAgents = "view.agents", ViewContact = "view.contact", ViewConsole = "view.console", ViewAudit = "view.audit", ExportAudit = "export.audit",
        AlarmAcknowledge = "alarm.acknowledge", SimulatorSurge = "simulator.surge",
        IncidentOpen = "incident.open", IncidentStep = "incident.step", IncidentReview = "incident.review",
        HistoryImport = "history.import", ShiftPlan = "shift.plan";
}

/// <summary>
/// Who did what, when and from where. Append-only: the schema refuses UPDATE and DELETE on the table
/// (triggers with RAISE(ABORT, '...append-only...')), so not even a bug in the host can rewrite history.
/// </summary>
public sealed class AuditLog(OpsDatabase db)
{
    /// <summary>The most entries one query returns; larger limits are capped to it.</summary>
    public const int MaxLimit = 1000;

    private const string Columns = """
        id AS Id, at_utc_ms AS AtUtcMs, actor AS Actor, action AS Action, target AS Target, detail AS Detail,
        address AS Address, success AS Success
        """;

    public async Task<AuditEntry> AppendAsync(DateTimeOffset at, string actor, string action, string? target, string? detail,
        string? address, bool success = true, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        var atMs = at.ToUnixTimeMilliseconds();

        using var connection = db.Open();
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO audit_log (at_utc_ms, actor, action, target, detail, address, success)
            VALUES (@atMs, @actor, @action, @target, @detail, @address, @success)
            RETURNING id;
            """,
            new { atMs, actor, action, target, detail, address, success = success ? 1 : 0 }, cancellationToken: ct)).ConfigureAwait(false);
        return new AuditEntry(id, DateTimeOffset.FromUnixTimeMilliseconds(atMs), actor, action, target, detail, address, success);
    }

    /// <summary>The entries matching every filter of <paramref name="query"/>, newest (highest id) first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit, nameof(query.Limit));

        var where = new List<string>();
        var args = new DynamicParameters();
        if (query.From is { } from)
        {
            where.Add("at_utc_ms >= @fromMs");
            args.Add("fromMs", from.ToUnixTimeMilliseconds());
        }

        if (query.To is { } to)
        {
            where.Add("at_utc_ms < @toMs");
            args.Add("toMs", to.ToUnixTimeMilliseconds());
        }

        // Both columns are NOCASE, so plain equality is case-insensitive and can use their indexes.
        if (query.Actor is not null)
        {
            where.Add("actor = @actor");
            args.Add("actor", query.Actor);
        }

        if (query.Action is not null)
        {
            where.Add("action = @action");
            args.Add("action", query.Action);
        }

        if (!string.IsNullOrEmpty(query.Text))
        {
            where.Add("(ops_contains(target, @text) OR ops_contains(detail, @text))");
            args.Add("text", query.Text);
        }

        if (query.BeforeId is { } beforeId)
        {
            where.Add("id < @beforeId");
            args.Add("beforeId", beforeId);
        }

        args.Add("limit", Math.Min(query.Limit, MaxLimit));
        var sql = new StringBuilder($"SELECT {Columns} FROM audit_log");
        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }

        sql.Append(" ORDER BY id DESC LIMIT @limit;");

        using var connection = db.Open();
        // SQLite's lower() and LIKE fold ASCII only, and names and notes here are often German ("Müller"); LIKE would
        // also treat % and _ in the search text as wildcards.
        connection.CreateFunction<string?, string, bool>(
            "ops_contains", static (value, text) => value is not null && value.Contains(text, StringComparison.OrdinalIgnoreCase),
            isDeterministic: true);
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(sql.ToString(), args, cancellationToken: ct))
            .ConfigureAwait(false);
        return rows.Select(r => r.ToEntry()).ToList();
    }

    /// <summary>The distinct actions present in the log, in alphabetical order, for a filter drop-down.</summary>
    public async Task<IReadOnlyList<string>> ActionsAsync(CancellationToken ct = default)
    {
        using var connection = db.Open();
        // A skip scan over the action index: one seek per distinct action instead of reading every entry.
        var actions = await connection.QueryAsync<string>(new CommandDefinition(
            """
            WITH RECURSIVE next (action) AS (
                SELECT min(action) FROM audit_log
                UNION ALL
                SELECT (SELECT min(action) FROM audit_log WHERE action > next.action) FROM next WHERE next.action IS NOT NULL
            )
            SELECT action FROM next WHERE action IS NOT NULL;
            """,
            cancellationToken: ct)).ConfigureAwait(false);
        return actions.ToList();
    }

    private sealed class AuditRow
    {
        public long Id { get; set; }
        public long AtUtcMs { get; set; }
        public string Actor { get; set; } = "";
        public string Action { get; set; } = "";
        public string? Target { get; set; }
        public string? Detail { get; set; }
        public string? Address { get; set; }
        public long Success { get; set; }

        public AuditEntry ToEntry() =>
            new(Id, DateTimeOffset.FromUnixTimeMilliseconds(AtUtcMs), Actor, Action, Target, Detail, Address, Success != 0);
    }
}
