using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Grains;

[GenerateSerializer, Alias("ops.queue-state")]
public sealed class QueueGrainState
{
    /// <summary>Contacts waiting now, by contact id.</summary>
    [Id(0)] public Dictionary<string, WaitingContact> Waiting { get; set; } = [];
}

/// <summary>
/// One queue. Interval counters live in the interval_stats table (checkpointed together with the
/// last applied log seq, in one transaction); the waiting list is grain state. A round is added to
/// the counters only if it starts at or after the checkpoint's seq, so a replay never counts twice.
/// </summary>
[GrainType("queue")]
public sealed class QueueGrain(
    [PersistentState("queue", OpsGrainStorage.Name)] IPersistentState<QueueGrainState> store,
    IntervalStore intervals,
    SiteClock clock) : Grain, IQueueGrain
{
    private static readonly TimeSpan CacheHorizon = TimeSpan.FromDays(2);
    private readonly Dictionary<long, IntervalCounters> _counters = [];
    private readonly HashSet<long> _dirtyIntervals = [];
    private long _countersSeq;
    // The seq the table holds for this queue: a checkpoint with nothing new writes nothing.
    private long _savedSeq;
    private readonly CheckpointWriter _intervalWriter = new();
    private PersistentCheckpoint<QueueGrainState>? _checkpoint;
    private PersistentCheckpoint<QueueGrainState> Persisted =>
        _checkpoint ??= new(GrainContext, store, "queue", s => new() { Waiting = new(s.Waiting) });
    private QueueGrainState Live => Persisted.Live;
    private DateTimeOffset _cachedFrom;

    private string Queue => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _countersSeq = _savedSeq = (await intervals.ReadProgressAsync(cancellationToken)).GetValueOrDefault(Queue);
        _cachedFrom = clock.DayBounds(clock.LocalDate(clock.Now)).StartUtc - CacheHorizon;
        foreach (var row in await intervals.ReadAsync(Queue, _cachedFrom, DateTimeOffset.MaxValue, cancellationToken))
            _counters[row.StartUtc.ToUnixTimeMilliseconds()] = row.Counters;
    }

    public async Task ApplyAsync(QueueBatch batch)
    {
        if (batch.FromSeq >= _countersSeq)
        {
            foreach (var d in batch.Deltas)
            {
                var current = await CountersAsync(d.Key.StartMs);
                _counters[d.Key.StartMs] = current + d.Delta;
                _dirtyIntervals.Add(d.Key.StartMs);
            }
            _countersSeq = batch.ToSeq;
        }
        foreach (var fact in batch.Waiting)
        {
            if (fact.WaitingSince is { } since)
                Live.Waiting[fact.ContactId] = new WaitingContact(fact.ContactId, since, fact.Priority, fact.Channel);
            else
                Live.Waiting.Remove(fact.ContactId);
        }
        if (batch.Waiting.Count > 0) Persisted.MarkDirty();
    }

    public Task<QueueSnapshot> GetSnapshotAsync()
    {
        var (start, end) = clock.DayBounds(clock.LocalDate(clock.Now));
        var today = _counters
            .Where(kv => kv.Key >= start.ToUnixTimeMilliseconds() && kv.Key < end.ToUnixTimeMilliseconds())
            .Aggregate(IntervalCounters.Zero, (sum, kv) => sum + kv.Value);
        var waiting = Live.Waiting.Values;
        return Task.FromResult(new QueueSnapshot(
            Queue, waiting.Count, waiting.Count == 0 ? null : waiting.Min(w => w.Since), today, [.. ServedOrder().Take(20)]));
    }

    public Task<IReadOnlyList<WaitingContact>> GetWaitingAsync() => Task.FromResult<IReadOnlyList<WaitingContact>>([.. ServedOrder()]);

    // Served by priority first, then by age.
    private IEnumerable<WaitingContact> ServedOrder() =>
        Live.Waiting.Values.OrderByDescending(w => w.Priority).ThenBy(w => w.Since).ThenBy(w => w.ContactId, StringComparer.Ordinal);

    public async Task<IReadOnlyList<IntervalRow>> GetIntervalsAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        var rows = new Dictionary<long, IntervalCounters>();
        if (fromUtc < _cachedFrom)
            foreach (var row in await intervals.ReadAsync(Queue, fromUtc, toUtc))
                rows[row.StartUtc.ToUnixTimeMilliseconds()] = row.Counters;
        // What this grain holds is newer than the table (it includes changes not yet checkpointed).
        long from = fromUtc.ToUnixTimeMilliseconds(), to = toUtc.ToUnixTimeMilliseconds();
        foreach (var (start, counters) in _counters)
            if (start >= from && start < to) rows[start] = counters;
        return [.. rows.Where(kv => !kv.Value.IsZero).OrderBy(kv => kv.Key).Select(kv => new IntervalRow(kv.Key, kv.Value))];
    }

    public Task CheckpointAsync() => Task.WhenAll(Persisted.WriteAsync(), _intervalWriter.RunAsync(() =>
    {
        if (_dirtyIntervals.Count == 0 && _countersSeq == _savedSeq) return null;
        // Copied in this turn: the grain goes on applying rounds while the write runs.
        var dirty = _dirtyIntervals
            .Select(ms => KeyValuePair.Create(DateTimeOffset.FromUnixTimeMilliseconds(ms), _counters[ms]))
            .ToList();
        _dirtyIntervals.Clear();
        return SaveIntervalsAsync(dirty, _countersSeq);
    }));

    private async Task SaveIntervalsAsync(List<KeyValuePair<DateTimeOffset, IntervalCounters>> dirty, long countersSeq)
    {
        try
        {
            await Task.Run(() => intervals.SaveAsync(Queue, dirty, countersSeq));
            _savedSeq = Math.Max(_savedSeq, countersSeq);
        }
        catch
        {
            foreach (var (start, _) in dirty) _dirtyIntervals.Add(start.ToUnixTimeMilliseconds());
            throw;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await CheckpointAsync();

    /// <summary>Counters of one interval; an interval older than the cache (a backfill) is read from the table once.</summary>
    private async Task<IntervalCounters> CountersAsync(long startMs)
    {
        if (_counters.TryGetValue(startMs, out var c)) return c;
        var start = DateTimeOffset.FromUnixTimeMilliseconds(startMs);
        c = start < _cachedFrom ? await intervals.ReadOneAsync(Queue, start) : IntervalCounters.Zero;
        _counters[startMs] = c;
        return c;
    }
}
