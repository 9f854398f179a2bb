using Ops.Dashboard.Domain;
using Ops.Dashboard.Grains;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

public sealed record IngestionResult(int Accepted, int Duplicates, long LastSeq);

/// <summary>
/// The one path into the system for every source (HTTP and the in-process simulator): the batch
/// is committed to the event log in one transaction, then handed to the dispatcher in log order.
/// </summary>
public sealed class IngestionService(EventLog log, EventDispatcher dispatcher, TimeProvider time, SourceActivity sources)
{
    // Appending and enqueueing under one lock keeps the dispatcher's input in seq order.
    private readonly SemaphoreSlim _appendGate = new(1, 1);

    /// <summary>Above this many stored-but-unapplied events a source is slowed down until the grains catch up.</summary>
    public const long MaxBacklog = 100_000;

    /// <param name="source">Who sent the batch (the API key's name, "simulator"); null for the dashboard's own events.</param>
    public async Task<IngestionResult> IngestAsync(IReadOnlyList<OpsEvent> events, CancellationToken ct = default, string? source = null)
    {
        if (source is not null && events.Count > 0) sources.Seen(source, time.GetUtcNow());
        IngestionResult result;
        await _appendGate.WaitAsync(ct);
        try
        {
            var appended = await log.AppendAsync(events, time.GetUtcNow(), ct);
            dispatcher.Enqueue(appended.Stored);
            result = new IngestionResult(appended.Stored.Count, appended.Duplicates, appended.Stored.Count > 0 ? appended.Stored[^1].Seq : 0);
        }
        finally
        {
            _appendGate.Release();
        }
        // The batch is durable already; waiting here only keeps the in-memory backlog bounded.
        if (dispatcher.LoggedSeq - dispatcher.AppliedSeq > MaxBacklog)
            await dispatcher.WaitForAsync(dispatcher.LoggedSeq - MaxBacklog / 2, ct);
        return result;
    }
}
