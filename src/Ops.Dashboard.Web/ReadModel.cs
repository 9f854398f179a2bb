using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

/// <summary>Turns grain state into the read API's shapes; shared by the API and the pages.</summary>
public sealed class ReadModel(IGrainFactory grains, OpsOptions options, SiteClock clock, TimeProvider time)
{
    public const int MaxBuckets = 10_000;

    public async Task<IReadOnlyList<QueueDto>> QueuesAsync()
    {
        var counts = await grains.GetGrain<IAgentDirectoryGrain>(0).CountsByQueueAsync();
        var snapshots = await Task.WhenAll(options.Queues.Select(q => grains.GetGrain<IQueueGrain>(q.Id).GetSnapshotAsync()));
        return [.. snapshots.Select(s => ToDto(new QueueLive(s, counts.GetValueOrDefault(s.Queue) ?? AgentCounts.None))!)];
    }

    public async Task<QueueDto?> QueueAsync(string id)
    {
        if (options.FindQueue(id) is null) return null;
        var counts = await grains.GetGrain<IAgentDirectoryGrain>(0).CountsByQueueAsync();
        var snapshot = await grains.GetGrain<IQueueGrain>(id).GetSnapshotAsync();
        return ToDto(new QueueLive(snapshot, counts.GetValueOrDefault(id) ?? AgentCounts.None));
    }

    public async Task<IReadOnlyList<AgentDto>> AgentsAsync()
    {
        var today = clock.LocalDate(clock.Now);
        return [.. (await grains.GetGrain<IAgentDirectoryGrain>(0).ListAsync()).Select(a => ToDto(a, today))];
    }

    public Task<IReadOnlyList<AlarmView>> ActiveAlarmsAsync() => grains.GetGrain<IAlarmGrain>(0).ListActiveAsync();

    /// <summary>The read API's agent shape; <paramref name="today"/> decides whether the day's counts still apply.</summary>
    public AgentDto ToDto(AgentSummary agent, DateOnly today) => AgentDto.From(agent, today, clock, options);

    public async Task<IReadOnlyList<IntervalDto>> StatsAsync(string? queue, DateTimeOffset fromUtc, DateTimeOffset toUtc, string bucket)
    {
        var queues = queue is null ? options.Queues.Select(q => q.Id) : [queue];
        var rows = await Task.WhenAll(queues.Select(q => grains.GetGrain<IQueueGrain>(q).GetIntervalsAsync(fromUtc, toUtc)));
        var sums = new SortedDictionary<DateTimeOffset, IntervalCounters>();
        foreach (var row in rows.SelectMany(r => r))
        {
            var start = BucketStart(DateTimeOffset.FromUnixTimeMilliseconds(row.StartMs), bucket);
            sums[start] = sums.TryGetValue(start, out var c) ? c + row.Counters : row.Counters;
        }
        // Every bucket of the range, empty ones included, so a chart's axis has no holes.
        var result = new List<IntervalDto>();
        for (var start = BucketStart(fromUtc, bucket); start < toUtc; start = NextBucket(start, bucket))
            result.Add(IntervalDto.From(start, NextBucket(start, bucket), sums.GetValueOrDefault(start) ?? IntervalCounters.Zero));
        return result;
    }

    public async Task<IReadOnlyList<ShiftDto>> ShiftsAsync(DateOnly day)
    {
        var result = new List<ShiftDto>();
        foreach (var s in options.Shifts)
        {
            var key = $"{day:yyyy-MM-dd}/{s.Id}";
            var snap = await grains.GetGrain<IShiftGrain>(key).GetAsync();
            var dayStart = clock.DayBounds(day).StartUtc;
            var start = LocalToUtc(day, s.StartTime);
            var end = LocalToUtc(s.CrossesMidnight ? day.AddDays(1) : day, s.EndTime);
            result.Add(new ShiftDto(key, s.Id, s.Name, start < dayStart ? dayStart : start, end, snap.PlannedAgents, snap.LoggedInNow, snap.LoggedInDuringShift));
        }
        return result;
    }

    private DateTimeOffset LocalToUtc(DateOnly day, TimeOnly t)
    {
        var local = day.ToDateTime(t);
        return new DateTimeOffset(local, clock.TimeZone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>The read API's queue shape from live figures; null for a queue no longer configured.</summary>
    public QueueDto? ToDto(QueueLive live)
    {
        if (options.FindQueue(live.Snapshot.Queue) is not { } q) return null;
        var (start, end) = clock.DayBounds(clock.LocalDate(clock.Now));
        var s = live.Snapshot;
        var a = live.Agents;
        return new QueueDto(
            q.Id, q.Name, q.Channel, q.SlThresholdSeconds, q.SlTargetPercent, q.ShortAbandonSeconds,
            s.Waiting, LongestWaitSeconds(s.OldestWaitingSince), s.OldestWaitingSince,
            new AgentCountsDto(a.Available, a.OnContact, a.WrapUp, a.Break, a.Training, a.Offline),
            IntervalDto.From(start, end, s.Today));
    }

    public double? LongestWaitSeconds(DateTimeOffset? oldestWaitingSince) =>
        oldestWaitingSince is { } oldest ? Math.Max(0, Math.Round((time.GetUtcNow() - oldest).TotalSeconds, 1)) : null;

    public DateOnly Today => clock.LocalDate(clock.Now);

    public (DateTimeOffset StartUtc, DateTimeOffset EndUtc) DayBounds(DateOnly day) => clock.DayBounds(day);

    private DateTimeOffset BucketStart(DateTimeOffset at, string bucket) => bucket switch
    {
        "1h" => clock.LocalHourStart(at),
        "1d" => clock.DayBounds(clock.LocalDate(at)).StartUtc,
        _ => DateTimeOffset.FromUnixTimeMilliseconds(IntervalKey.StartOf(at)),
    };

    private DateTimeOffset NextBucket(DateTimeOffset start, string bucket) => bucket switch
    {
        // Local hours stay an hour apart in UTC even across a DST change.
        "1h" => start.AddHours(1),
        "1d" => clock.DayBounds(clock.LocalDate(start).AddDays(1)).StartUtc,
        _ => start.AddMinutes(15),
    };
}
