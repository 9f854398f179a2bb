using Dapper;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Storage.Tests;

public sealed class VolumeHistoryStoreTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private readonly TempDatabase _temp = new();
    private readonly VolumeHistoryStore _store;

    public VolumeHistoryStoreTests() => _store = new VolumeHistoryStore(_temp.Db);

    public void Dispose() => _temp.Dispose();

    private static HourVolume Hour(int hour, long count) => new(Day.AddHours(hour), count);

    [Fact]
    public async Task A_re_import_replaces_the_same_hours_and_keeps_the_others()
    {
        await _store.ReplaceAsync("billing", [Hour(7, 10), Hour(8, 20), Hour(9, 30)], Now);

        var written = await _store.ReplaceAsync("billing", [Hour(8, 21), Hour(10, 40)], Now.AddHours(1));

        Assert.Equal(2, written);
        Assert.Equal([Hour(7, 10), Hour(8, 21), Hour(9, 30), Hour(10, 40)], await _store.ReadAsync("billing", Day, Day.AddDays(1)));
        using var connection = _temp.Db.Open();
        var rows = connection.Query<(long, string, long)>(
            "SELECT hour_utc_ms, source, imported_at_utc_ms FROM volume_history WHERE queue = 'billing' ORDER BY hour_utc_ms;").ToList();
        Assert.All(rows, r => Assert.Equal(VolumeHistoryStore.ImportSource, r.Item2));
        Assert.Equal(
            [Now, Now.AddHours(1), Now, Now.AddHours(1)],
            rows.Select(r => DateTimeOffset.FromUnixTimeMilliseconds(r.Item3)));
    }

    [Fact]
    public async Task Read_returns_the_stored_hours_of_one_queue_in_the_range_in_time_order()
    {
        await _store.ReplaceAsync("billing", [Hour(12, 3), Hour(7, 1), Hour(9, 2), Hour(30, 9)], Now);
        await _store.ReplaceAsync("tech", [Hour(8, 100)], Now);

        Assert.Equal([Hour(7, 1), Hour(9, 2), Hour(12, 3)], await _store.ReadAsync("billing", Day, Day.AddDays(1)));
        // From inclusive, to exclusive; an absent hour (8, 10, 11) is simply not there.
        Assert.Equal([Hour(9, 2)], await _store.ReadAsync("billing", Day.AddHours(8), Day.AddHours(12)));
        Assert.Empty(await _store.ReadAsync("sales", Day, Day.AddDays(2)));
    }

    [Fact]
    public async Task Queues_lists_each_queue_with_history_once()
    {
        Assert.Empty(await _store.QueuesAsync());

        await _store.ReplaceAsync("tech", [Hour(8, 1), Hour(9, 1)], Now);
        await _store.ReplaceAsync("billing", [Hour(8, 1)], Now);

        Assert.Equal(["billing", "tech"], await _store.QueuesAsync());
    }

    [Fact]
    public async Task An_empty_import_writes_nothing()
    {
        Assert.Equal(0, await _store.ReplaceAsync("billing", [], Now));
        Assert.Empty(await _store.QueuesAsync());
    }

    [Fact]
    public async Task A_negative_count_is_refused_and_nothing_of_that_call_is_stored()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ReplaceAsync("billing", [Hour(7, 1), Hour(8, -1)], Now));

        Assert.Empty(await _store.ReadAsync("billing", Day, Day.AddDays(1)));
    }
}
