using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Ops.Dashboard.Storage;

/// <summary>Open until resolved; Reviewed once the root-cause review is written.</summary>
public enum IncidentStatus
{
    Open,
    Resolved,
    Reviewed,
}

/// <summary>The runbook's steps as they appear on an incident's timeline; Note is a free remark at any time.</summary>
public enum IncidentStep
{
    Detected,
    Acknowledged,
    CustomersInformed,
    EscalatedToTech,
    Resolved,
    Reviewed,
    Note,
}

/// <summary>
/// One entry of an incident's timeline (append-only): what happened, when, by whom, with a note.
/// Eta is set on CustomersInformed entries only: the recovery time announced in that message.
/// </summary>
public sealed record IncidentTimelineEntry(long Id, long IncidentId, IncidentStep Step, DateTimeOffset At, string By, string? Note)
{
    public DateTimeOffset? Eta { get; init; }
}

/// <summary>
/// An incident with the runbook's milestones. Times have offset zero and millisecond precision, as stored.
/// OpenedAt is when it was recorded (the <c>at</c> of <see cref="IncidentStore.OpenAsync"/>), DetectedAt when monitoring saw
/// the problem. The customer fields hold the latest message; the timeline keeps every one.
/// </summary>
public sealed record IncidentRecord(
    long Id, string Title, string? Queue, string? AlarmId, string Severity, string? Description,
    IncidentStatus Status,
    DateTimeOffset DetectedAt, string OpenedBy,
    DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy,
    DateTimeOffset? CustomersInformedAt, DateTimeOffset? CustomerEta, string? CustomerMessage,
    DateTimeOffset? EscalatedToTechAt, string? TechPriority,
    DateTimeOffset? ResolvedAt, string? ResolvedBy,
    string? RootCause, string? LessonsLearned, bool KnowledgeBaseUpdated, DateTimeOffset? ReviewedAt, string? ReviewedBy)
{
    public DateTimeOffset OpenedAt { get; init; }

    public TimeSpan? TimeToAcknowledge => AcknowledgedAt - DetectedAt;

    public TimeSpan? TimeToResolve => ResolvedAt - DetectedAt;
}

/// <summary>
/// Filters for <see cref="IncidentStore.QueryAsync"/>, combined with AND: Status and Queue exact; From &lt;= DetectedAt &lt; To;
/// Text a case-insensitive substring of title or description; Limit at most <see cref="IncidentStore.MaxLimit"/>.
/// </summary>
public sealed record IncidentQuery(IncidentStatus? Status = null, string? Queue = null, DateTimeOffset? From = null,
    DateTimeOffset? To = null, string? Text = null, int Limit = 200);

/// <summary>A step that does not fit the incident's state or its input (the message names which and why); nothing was changed.</summary>
public sealed class IncidentInvalidException(string message) : Exception(message);

/// <summary>The severities an incident can have (lower case, as stored).</summary>
public static class IncidentSeverities
{
    public const string Info = "info", Warning = "warning", Critical = "critical";

    public static readonly IReadOnlyList<string> All = [Info, Warning, Critical];
}

/// <summary>
/// Incidents run through the handbook's runbook: detected (opened) → acknowledged by the shift lead → customers informed with
/// an ETA (repeatable) → escalated to tech → resolved → reviewed (root cause, lessons learned, knowledge base), with notes at
/// any time. Every state change and its timeline entry are written in one transaction; a refused step changes nothing.
/// </summary>
/// <remarks>
/// Errors: an unknown id throws <see cref="KeyNotFoundException"/> ("no incident #id"); a step that does not fit the state,
/// or bad user-entered content (title, severity, priority, ETA, message, root cause, lessons, note), throws
/// <see cref="IncidentInvalidException"/>; a blank actor name is a programming error and throws <see cref="ArgumentException"/>.
/// Times are stored as given: sources' clocks may run ahead of ours, so no step is refused for being dated before detection.
/// Blank optional texts (queue, alarm id, description, notes) are stored as null.
/// </remarks>
public sealed class IncidentStore(OpsDatabase db)
{
    public const int MaxTitleLength = 200;

    /// <summary>The most incidents one query returns; larger limits are capped to it.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The tech team's priorities, highest first.</summary>
    public static readonly IReadOnlyList<string> TechPriorities = ["P1", "P2", "P3", "P4"];

    private const string Columns = """
        id AS Id, title AS Title, queue AS Queue, alarm_id AS AlarmId, severity AS Severity, description AS Description,
        status AS Status, detected_utc_ms AS DetectedUtcMs, opened_utc_ms AS OpenedUtcMs, opened_by AS OpenedBy,
        acknowledged_utc_ms AS AcknowledgedUtcMs, acknowledged_by AS AcknowledgedBy,
        customers_informed_utc_ms AS CustomersInformedUtcMs, customer_eta_utc_ms AS CustomerEtaUtcMs, customer_message AS CustomerMessage,
        escalated_utc_ms AS EscalatedUtcMs, tech_priority AS TechPriority, resolved_utc_ms AS ResolvedUtcMs, resolved_by AS ResolvedBy,
        root_cause AS RootCause, lessons_learned AS LessonsLearned, knowledge_base_updated AS KnowledgeBaseUpdated,
        reviewed_utc_ms AS ReviewedUtcMs, reviewed_by AS ReviewedBy
        """;

    /// <summary>Records a new open incident; its timeline starts with Detected at <paramref name="detectedAt"/> by <paramref name="openedBy"/>.</summary>
    /// <exception cref="IncidentInvalidException">A blank or too long title, an unknown severity, or an open incident for the same alarm.</exception>
    public async Task<IncidentRecord> OpenAsync(string title, string? queue, string? alarmId, string severity, string? description,
        DateTimeOffset detectedAt, string openedBy, DateTimeOffset at, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(openedBy);
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new IncidentInvalidException("An incident needs a title.");
        }

        if (title.Length > MaxTitleLength)
        {
            throw new IncidentInvalidException($"The title has {title.Length} characters; at most {MaxTitleLength} are allowed.");
        }

        var severityName = IncidentSeverities.All.FirstOrDefault(s => string.Equals(s, severity, StringComparison.OrdinalIgnoreCase))
            ?? throw new IncidentInvalidException(
                $"The severity '{severity}' is unknown; use one of {string.Join(", ", IncidentSeverities.All)}.");
        queue = NullIfBlank(queue);
        alarmId = NullIfBlank(alarmId);
        description = NullIfBlank(description);
        var detectedMs = detectedAt.ToUnixTimeMilliseconds();

        using var connection = db.Open();
        // IMMEDIATE: the alarm check and the insert see the same state, also across processes.
        using var transaction = connection.BeginTransaction(deferred: false);
        if (alarmId is not null)
        {
            var open = await ReadAsync(connection, transaction, "alarm_id = @alarmId AND status = 'Open'", new { alarmId }, ct)
                .ConfigureAwait(false);
            if (open is not null)
            {
                throw new IncidentInvalidException(
                    $"Alarm '{alarmId}' already has the open incident #{open.Id} ('{open.Title}'); resolve it before opening another.");
            }
        }

        long id;
        try
        {
            id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                INSERT INTO incidents (title, queue, alarm_id, severity, description, status, detected_utc_ms, opened_utc_ms, opened_by)
                VALUES (@title, @queue, @alarmId, @severityName, @description, 'Open', @detectedMs, @openedMs, @openedBy)
                RETURNING id;
                """,
                new { title, queue, alarmId, severityName, description, detectedMs, openedMs = at.ToUnixTimeMilliseconds(), openedBy },
                transaction, cancellationToken: ct)).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == SQLitePCL.raw.SQLITE_CONSTRAINT_UNIQUE)
        {
            // Only reachable if the check above is bypassed; the partial unique index has the last word.
            throw new IncidentInvalidException($"Alarm '{alarmId}' already has an open incident; resolve it before opening another.");
        }

        await AppendEntryAsync(connection, transaction, id, IncidentStep.Detected, detectedMs, openedBy, null, null, ct).ConfigureAwait(false);
        var created = await ReadAsync(connection, transaction, id, ct).ConfigureAwait(false);
        transaction.Commit();
        return created!;
    }

    public async Task<IncidentRecord?> FindAsync(long id, CancellationToken ct = default)
    {
        using var connection = db.Open();
        return await ReadAsync(connection, null, id, ct).ConfigureAwait(false);
    }

    /// <summary>The open incident this alarm opened, or null (resolved and reviewed ones do not count).</summary>
    public async Task<IncidentRecord?> FindOpenByAlarmAsync(string alarmId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(alarmId);
        using var connection = db.Open();
        return await ReadAsync(connection, null, "alarm_id = @alarmId AND status = 'Open'", new { alarmId }, ct).ConfigureAwait(false);
    }

    /// <summary>The incidents matching every filter of <paramref name="query"/>, newest detected first.</summary>
    public async Task<IReadOnlyList<IncidentRecord>> QueryAsync(IncidentQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit, nameof(query.Limit));

        var where = new List<string>();
        var args = new DynamicParameters();
        if (query.Status is { } status)
        {
            where.Add("status = @status");
            args.Add("status", StatusName(status));
        }

        if (query.Queue is not null)
        {
            where.Add("queue = @queue");
            args.Add("queue", query.Queue);
        }

        if (query.From is { } from)
        {
            where.Add("detected_utc_ms >= @fromMs");
            args.Add("fromMs", from.ToUnixTimeMilliseconds());
        }

        if (query.To is { } to)
        {
            where.Add("detected_utc_ms < @toMs");
            args.Add("toMs", to.ToUnixTimeMilliseconds());
        }

        if (!string.IsNullOrEmpty(query.Text))
        {
            where.Add("(ops_contains(title, @text) OR ops_contains(description, @text))");
            args.Add("text", query.Text);
        }

        args.Add("limit", Math.Min(query.Limit, MaxLimit));
        var sql = new StringBuilder($"SELECT {Columns} FROM incidents");
        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }

        sql.Append(" ORDER BY detected_utc_ms DESC, id DESC LIMIT @limit;");

        using var connection = db.Open();
        // As in the audit log: SQLite's LIKE folds ASCII only ("Störung") and treats % and _ as wildcards.
        connection.CreateFunction<string?, string, bool>(
            "ops_contains", static (value, text) => value is not null && value.Contains(text, StringComparison.OrdinalIgnoreCase),
            isDeterministic: true);
        var rows = await connection.QueryAsync<IncidentRow>(new CommandDefinition(sql.ToString(), args, cancellationToken: ct))
            .ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>The incident's timeline in time order (then in the order written); empty for an unknown id.</summary>
    public async Task<IReadOnlyList<IncidentTimelineEntry>> TimelineAsync(long id, CancellationToken ct = default)
    {
        using var connection = db.Open();
        var rows = await connection.QueryAsync<EntryRow>(new CommandDefinition(
            """
            SELECT id AS Id, incident_id AS IncidentId, step AS Step, at_utc_ms AS AtUtcMs, actor AS Actor, note AS Note, eta_utc_ms AS EtaUtcMs
            FROM incident_timeline WHERE incident_id = @id ORDER BY at_utc_ms, id;
            """,
            new { id }, cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => r.ToEntry()).ToList();
    }

    /// <summary>The shift lead takes the incident on. Once only, and only while it is open.</summary>
    public async Task<IncidentRecord> AcknowledgeAsync(long id, string by, DateTimeOffset at, string? note, CancellationToken ct = default) =>
        await StepAsync(id, IncidentStep.Acknowledged, by, at, NullIfBlank(note), null, current =>
        {
            if (current.AcknowledgedAt is { } when)
            {
                throw new IncidentInvalidException(
                    $"Incident #{id} was already acknowledged by {current.AcknowledgedBy} at {Format(when)}.");
            }

            RequireOpen(current, "acknowledged");
            return ("acknowledged_utc_ms = @atMs, acknowledged_by = @by", null);
        }, ct).ConfigureAwait(false);

    /// <summary>
    /// Customers were told, with an expected recovery time. May be repeated while the incident is open: the incident keeps the
    /// latest message and ETA, the timeline each one.
    /// </summary>
    public async Task<IncidentRecord> InformCustomersAsync(long id, string by, DateTimeOffset at, DateTimeOffset eta, string message,
        CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            throw new IncidentInvalidException("The message to customers must not be blank.");
        }

        if (eta.ToUnixTimeMilliseconds() < at.ToUnixTimeMilliseconds())
        {
            throw new IncidentInvalidException(
                $"The ETA {Format(eta)} is before the time of the message {Format(at)}; an expected recovery time lies ahead.");
        }

        var etaMs = eta.ToUnixTimeMilliseconds();
        return await StepAsync(id, IncidentStep.CustomersInformed, by, at, message, etaMs, current =>
        {
            RequireOpen(current, "announced to customers");
            return ("customers_informed_utc_ms = @atMs, customer_eta_utc_ms = @etaMs, customer_message = @message",
                new { etaMs, message });
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The tech team is involved with a priority P1–P4 (case-insensitive, stored upper case). Once only, while open.</summary>
    public async Task<IncidentRecord> EscalateToTechAsync(long id, string by, DateTimeOffset at, string priority, string? note,
        CancellationToken ct = default)
    {
        var priorityName = TechPriorities.FirstOrDefault(p => string.Equals(p, priority, StringComparison.OrdinalIgnoreCase))
            ?? throw new IncidentInvalidException(
                $"The priority '{priority}' is unknown; use one of {string.Join(", ", TechPriorities)}.");
        return await StepAsync(id, IncidentStep.EscalatedToTech, by, at, NullIfBlank(note), null, current =>
        {
            if (current.EscalatedToTechAt is { } when)
            {
                throw new IncidentInvalidException(
                    $"Incident #{id} was already escalated to tech as {current.TechPriority} at {Format(when)}.");
            }

            RequireOpen(current, "escalated to tech");
            return ("escalated_utc_ms = @atMs, tech_priority = @priorityName", new { priorityName });
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Closes an open incident. It need not have been acknowledged; an unacknowledged one keeps no acknowledgement.</summary>
    public async Task<IncidentRecord> ResolveAsync(long id, string by, DateTimeOffset at, string? note, CancellationToken ct = default) =>
        await StepAsync(id, IncidentStep.Resolved, by, at, NullIfBlank(note), null, current =>
        {
            RequireOpen(current, "resolved");
            return ("status = 'Resolved', resolved_utc_ms = @atMs, resolved_by = @by", null);
        }, ct).ConfigureAwait(false);

    /// <summary>The root-cause review of a resolved incident; afterwards it is Reviewed. Root cause and lessons are required.</summary>
    public async Task<IncidentRecord> ReviewAsync(long id, string by, DateTimeOffset at, string rootCause, string lessonsLearned,
        bool knowledgeBaseUpdated, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(rootCause))
        {
            throw new IncidentInvalidException("A review needs the root cause.");
        }

        if (string.IsNullOrWhiteSpace(lessonsLearned))
        {
            throw new IncidentInvalidException("A review needs the lessons learned.");
        }

        return await StepAsync(id, IncidentStep.Reviewed, by, at, null, null, current =>
        {
            switch (current.Status)
            {
                case IncidentStatus.Open:
                    throw new IncidentInvalidException($"Incident #{id} is still open; resolve it before the review.");
                case IncidentStatus.Reviewed:
                    throw new IncidentInvalidException(
                        $"Incident #{id} was already reviewed by {current.ReviewedBy} at {Format(current.ReviewedAt!.Value)}.");
            }

            return ("""
                status = 'Reviewed', root_cause = @rootCause, lessons_learned = @lessonsLearned,
                knowledge_base_updated = @kb, reviewed_utc_ms = @atMs, reviewed_by = @by
                """, new { rootCause, lessonsLearned, kb = knowledgeBaseUpdated ? 1 : 0 });
        }, ct).ConfigureAwait(false);
    }

    /// <summary>A remark on the timeline, in any state.</summary>
    public async Task<IncidentRecord> AddNoteAsync(long id, string by, DateTimeOffset at, string note, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(note))
        {
            throw new IncidentInvalidException("A note must not be blank.");
        }

        return await StepAsync(id, IncidentStep.Note, by, at, note, null, _ => (null, null), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the incident, lets <paramref name="decide"/> refuse the step or name the columns to set (SET clause and its
    /// arguments besides @id, @atMs and @by), then writes the change and the timeline entry in one IMMEDIATE transaction, so
    /// the check and the write see the same state even when two supervisors click at once.
    /// </summary>
    private async Task<IncidentRecord> StepAsync(long id, IncidentStep step, string by, DateTimeOffset at, string? note, long? etaMs,
        Func<IncidentRecord, (string? Set, object? Args)> decide, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        var atMs = at.ToUnixTimeMilliseconds();

        using var connection = db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var current = await ReadAsync(connection, transaction, id, ct).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"There is no incident #{id}.");
        var (set, extra) = decide(current);
        if (set is not null)
        {
            var args = new DynamicParameters(extra);
            args.Add("id", id);
            args.Add("atMs", atMs);
            args.Add("by", by);
            await connection.ExecuteAsync(new CommandDefinition($"UPDATE incidents SET {set} WHERE id = @id;", args, transaction,
                cancellationToken: ct)).ConfigureAwait(false);
        }

        await AppendEntryAsync(connection, transaction, id, step, atMs, by, note, etaMs, ct).ConfigureAwait(false);
        var updated = await ReadAsync(connection, transaction, id, ct).ConfigureAwait(false);
        transaction.Commit();
        return updated!;
    }

    private static void RequireOpen(IncidentRecord current, string what)
    {
        if (current.Status != IncidentStatus.Open)
        {
            throw new IncidentInvalidException(
                $"Incident #{current.Id} is {current.Status.ToString().ToLowerInvariant()}; only an open incident can be {what}.");
        }
    }

    private static Task AppendEntryAsync(SqliteConnection connection, SqliteTransaction transaction, long id, IncidentStep step,
        long atMs, string by, string? note, long? etaMs, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO incident_timeline (incident_id, step, at_utc_ms, actor, note, eta_utc_ms)
            VALUES (@id, @step, @atMs, @by, @note, @etaMs);
            """,
            new { id, step = step.ToString(), atMs, by, note, etaMs }, transaction, cancellationToken: ct));

    private static Task<IncidentRecord?> ReadAsync(SqliteConnection connection, SqliteTransaction? transaction, long id, CancellationToken ct) =>
        ReadAsync(connection, transaction, "id = @id", new { id }, ct);

    private static async Task<IncidentRecord?> ReadAsync(SqliteConnection connection, SqliteTransaction? transaction, string where,
        object args, CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<IncidentRow>(new CommandDefinition(
            $"SELECT {Columns} FROM incidents WHERE {where};", args, transaction, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    // An undefined value would be stored as a number that no longer parses back.
    private static string StatusName(IncidentStatus status) =>
        Enum.IsDefined(status) ? status.ToString() : throw new ArgumentOutOfRangeException(nameof(status), status, "Not a defined status.");

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Format(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset? FromMs(long? ms) => ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;

    private sealed class IncidentRow
    {
        public long Id { get; set; }
        public string Title { get; set; } = "";
        public string? Queue { get; set; }
        public string? AlarmId { get; set; }
        public string Severity { get; set; } = "";
        public string? Description { get; set; }
        public string Status { get; set; } = "";
        public long DetectedUtcMs { get; set; }
        public long OpenedUtcMs { get; set; }
        public string OpenedBy { get; set; } = "";
        public long? AcknowledgedUtcMs { get; set; }
        public string? AcknowledgedBy { get; set; }
        public long? CustomersInformedUtcMs { get; set; }
        public long? CustomerEtaUtcMs { get; set; }
        public string? CustomerMessage { get; set; }
        public long? EscalatedUtcMs { get; set; }
        public string? TechPriority { get; set; }
        public long? ResolvedUtcMs { get; set; }
        public string? ResolvedBy { get; set; }
        public string? RootCause { get; set; }
        public string? LessonsLearned { get; set; }
        public long KnowledgeBaseUpdated { get; set; }
        public long? ReviewedUtcMs { get; set; }
        public string? ReviewedBy { get; set; }

        public IncidentRecord ToRecord() => new(
            Id, Title, Queue, AlarmId, Severity, Description,
            Enum.TryParse<IncidentStatus>(Status, ignoreCase: false, out var status) && Enum.IsDefined(status)
                ? status
                : throw new InvalidOperationException($"Incident {Id} has the unknown status '{Status}'."),
            DateTimeOffset.FromUnixTimeMilliseconds(DetectedUtcMs), OpenedBy,
            FromMs(AcknowledgedUtcMs), AcknowledgedBy,
            FromMs(CustomersInformedUtcMs), FromMs(CustomerEtaUtcMs), CustomerMessage,
            FromMs(EscalatedUtcMs), TechPriority,
            FromMs(ResolvedUtcMs), ResolvedBy,
            RootCause, LessonsLearned, KnowledgeBaseUpdated != 0, FromMs(ReviewedUtcMs), ReviewedBy)
        {
            OpenedAt = DateTimeOffset.FromUnixTimeMilliseconds(OpenedUtcMs),
        };
    }

    private sealed class EntryRow
    {
        public long Id { get; set; }
        public long IncidentId { get; set; }
        public string Step { get; set; } = "";
        public long AtUtcMs { get; set; }
        public string Actor { get; set; } = "";
        public string? Note { get; set; }
        public long? EtaUtcMs { get; set; }

        public IncidentTimelineEntry ToEntry() => new(
            Id, IncidentId,
            Enum.TryParse<IncidentStep>(Step, ignoreCase: false, out var step) && Enum.IsDefined(step)
                ? step
                : throw new InvalidOperationException($"Incident timeline entry {Id} has the unknown step '{Step}'."),
            DateTimeOffset.FromUnixTimeMilliseconds(AtUtcMs), Actor, Note)
        {
            Eta = FromMs(EtaUtcMs),
        };
    }
}
