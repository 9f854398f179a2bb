using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Storage.Tests;

public sealed class IntervalStoreTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 3, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDatabase _temp = new();
    private readonly IntervalStore _store;

    public IntervalStoreTests() => _store = new IntervalStore(_temp.Db);

    public void Dispose() => _temp.Dispose();

    private static DateTimeOffset Slot(int index) => Day.AddMinutes(15 * index);

    private static KeyValuePair<DateTimeOffset, IntervalCounters> At(int slot, IntervalCounters counters) => new(Slot(slot), counters);

    private static IntervalCounters Offered(long n) => new() { Offered = n, Answered = n - 1, AnswerWaitMs = 1000 * n };

    [Fact]
    public async Task Save_stores_absolute_counters_and_a_second_save_replaces_them()
    {
        await _store.SaveAsync("billing", [At(0, Offered(5))], lastSeq: 10);
        await _store.SaveAsync("billing", [At(0, Offered(7))], lastSeq: 20);

        Assert.Equal(Offered(7), await _store.ReadOneAsync("billing", Slot(0)));
        Assert.Equal(20, (await _store.ReadProgressAsync())["billing"]);
    }

    [Fact]
    public async Task Every_counter_round_trips_through_its_own_column()
    {
        // Distinct values per property, set by reflection so a counter added later without a column fails here.
        var counters = new IntervalCounters();
        var value = 1L;
        foreach (var property in typeof(IntervalCounters).GetProperties().Where(p => p.PropertyType == typeof(long)))
        {
            property.SetValue(counters, value++ * 1_000_003);
        }

        await _store.SaveAsync("billing", [At(3, counters)], lastSeq: 1);

        Assert.Equal(counters, await _store.ReadOneAsync("billing", Slot(3)));
        Assert.Equal(counters, (await _store.ReadAsync("billing", Day, Day.AddDays(1))).Single().Counters);
    }

    [Fact]
    public async Task Save_of_all_zero_counters_removes_the_interval()
    {
        await _store.SaveAsync("billing", [At(0, Offered(5)), At(1, Offered(2))], lastSeq: 10);

        await _store.SaveAsync("billing", [At(0, IntervalCounters.Zero)], lastSeq: 11);

        var rows = await _store.ReadAsync("billing", Day, Day.AddDays(1));
        Assert.Equal([Slot(1)], rows.Select(r => r.StartUtc));
        Assert.Equal(IntervalCounters.Zero, await _store.ReadOneAsync("billing", Slot(0)));
    }

    [Fact]
    public async Task ReadOne_of_an_interval_never_stored_returns_zero()
    {
        Assert.Same(IntervalCounters.Zero, await _store.ReadOneAsync("nowhere", Slot(0)));
    }

    [Fact]
    public async Task Read_returns_a_half_open_range_for_one_queue_or_all_queues()
    {
        await _store.SaveAsync("billing", [At(0, Offered(1)), At(1, Offered(2)), At(2, Offered(3))], lastSeq: 5);
        await _store.SaveAsync("tech", [At(1, Offered(4)), At(4, Offered(5))], lastSeq: 6);

        var billing = await _store.ReadAsync("billing", Slot(1), Slot(2));
        var all = await _store.ReadAsync(null, Slot(1), Slot(5));

        var one = Assert.Single(billing);
        Assert.Equal(("billing", Slot(1), Offered(2)), (one.Queue, one.StartUtc, one.Counters));
        Assert.Equal(
            [("billing", Slot(1)), ("tech", Slot(1)), ("billing", Slot(2)), ("tech", Slot(4))],
            all.Select(r => (r.Queue, r.StartUtc)));
    }

    [Fact]
    public async Task Interval_keys_with_an_offset_are_stored_and_read_as_utc()
    {
        var localStart = new DateTimeOffset(2026, 11, 3, 10, 15, 0, TimeSpan.FromHours(1));

        await _store.SaveAsync("billing", [new(localStart, Offered(3))], lastSeq: 1);

        var row = (await _store.ReadAsync("billing", localStart, localStart.AddMinutes(15))).Single();
        Assert.Equal(TimeSpan.Zero, row.StartUtc.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 3, 9, 15, 0, TimeSpan.Zero), row.StartUtc);
        Assert.Equal(Offered(3), await _store.ReadOneAsync("billing", localStart.ToUniversalTime()));
    }

    [Fact]
    public async Task Read_bounds_are_exact_below_a_millisecond()
    {
        await _store.SaveAsync("billing", [At(1, Offered(1))], lastSeq: 1);

        Assert.Empty(await _store.ReadAsync("billing", Slot(1).AddTicks(1), Slot(2)));
        Assert.Single(await _store.ReadAsync("billing", Slot(0), Slot(1).AddTicks(1)));
        Assert.Empty(await _store.ReadAsync("billing", Slot(0), Slot(1)));
    }

    [Fact]
    public async Task Read_accepts_the_extreme_bounds_of_DateTimeOffset()
    {
        await _store.SaveAsync("billing", [At(0, Offered(1))], lastSeq: 1);
        await _store.SaveAsync("tech", [At(9, Offered(2))], lastSeq: 2);

        var all = await _store.ReadAsync(null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);

        Assert.Equal(["billing", "tech"], all.Select(r => r.Queue));
    }

    [Fact]
    public async Task ReadProgress_returns_the_last_saved_seq_of_each_queue()
    {
        await _store.SaveAsync("billing", [At(0, Offered(1))], lastSeq: 40);
        await _store.SaveAsync("tech", [], lastSeq: 7);
        await _store.SaveAsync("billing", [], lastSeq: 41);

        var progress = await _store.ReadProgressAsync();

        Assert.Equal(new Dictionary<string, long> { ["billing"] = 41, ["tech"] = 7 }, progress);
    }
}
