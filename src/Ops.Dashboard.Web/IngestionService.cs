using Ops.Dashboard.Domain;
using Ops.Dashboard.Grains;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

public sealed record IngestionResult(int Accepted, int Duplicates, long LastSeq);

/// <summary>
/// The one path into the system for every source (HTTP and the in-process simulator): the batch
/// is committed to the event log in one transaction, then handed to the dispatcher in log order.
/// </summary>
public sealed class IngestionService(EventLog log, EventDispatcher dispatcher, TimeProvider time)
{
    // Appending and enqueueing under one lock keeps the dispatcher's input in seq order.
    private readonly SemaphoreSlim _appendGate = new(1, 1);

    public async Task<IngestionResult> IngestAsync(IReadOnlyList<OpsEvent> events, CancellationToken ct = default)
    {
        await _appendGate.WaitAsync(ct);
        try
        {
            var result = await log.AppendAsync(events, time.GetUtcNow(), ct);
            dispatcher.Enqueue(result.Stored);
            return new IngestionResult(result.Stored.Count, result.Duplicates, result.Stored.Count > 0 ? result.Stored[^1].Seq : 0);
        }
        finally
        {
            _appendGate.Release();
        }
    }
}
