using Dapper;

namespace Ops.Dashboard.Storage.Tests;

public sealed class WebhookAttemptLogTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 3, 9, 0, 0, 750, TimeSpan.FromHours(1));

    private readonly TempDatabase _temp = new();
    private readonly WebhookAttemptLog _attempts;

    public WebhookAttemptLogTests() => _attempts = new WebhookAttemptLog(_temp.Db);

    public void Dispose() => _temp.Dispose();

    private Task Append(string deliveryId, string target, int attempt, int second, bool delivered = false) =>
        _attempts.AppendAsync(deliveryId, "control", target, attempt, T0.AddSeconds(second), delivered ? 200 : 503,
            delivered ? null : "HTTP 503", delivered);

    private async Task<List<(string, int)>> Recent(int limit = 200, string? target = null, string? deliveryId = null) =>
        (await _attempts.RecentAsync(limit, target, deliveryId)).Select(a => (a.DeliveryId, a.Attempt)).ToList();

    [Fact]
    public async Task An_attempt_is_read_back_as_stored_with_absent_status_and_error_as_null()
    {
        await _attempts.AppendAsync("d1", "control", "acd", 1, T0, null, "connection refused", delivered: false);
        await _attempts.AppendAsync("d1", "control", "acd", 2, T0.AddSeconds(2), 204, null, delivered: true);

        var attempts = await _attempts.RecentAsync();

        Assert.Equal(
            [
                new WebhookAttemptRecord(attempts[0].Id, "d1", "control", "acd", 2, T0.AddSeconds(2), 204, null, true),
                new WebhookAttemptRecord(attempts[1].Id, "d1", "control", "acd", 1, T0, null, "connection refused", false),
            ],
            attempts);
        Assert.True(attempts[0].Id > attempts[1].Id);
        Assert.Equal(TimeSpan.Zero, attempts[0].At.Offset);
    }

    [Fact]
    public async Task Recent_is_newest_first_and_filters_by_target_and_delivery()
    {
        await Append("d1", "acd", 1, 0);
        await Append("d2", "crm", 1, 1, delivered: true);
        await Append("d1", "acd", 2, 2);
        await Append("d3", "acd", 1, 3, delivered: true);
        await Append("d1", "acd", 3, 4, delivered: true);

        Assert.Equal([("d1", 3), ("d3", 1), ("d1", 2), ("d2", 1), ("d1", 1)], await Recent());
        Assert.Equal([("d1", 3), ("d3", 1)], await Recent(limit: 2));
        Assert.Equal([("d1", 3), ("d3", 1), ("d1", 2), ("d1", 1)], await Recent(target: "acd"));
        Assert.Equal([("d1", 3), ("d1", 2), ("d1", 1)], await Recent(deliveryId: "d1"));
        Assert.Equal([("d2", 1)], await Recent(target: "crm"));
        Assert.Empty(await Recent(target: "crm", deliveryId: "d1"));
        Assert.Empty(await Recent(target: "ACD"));
    }

    [Fact]
    public async Task Recent_limit_must_be_positive_and_is_capped_at_1000()
    {
        using (var connection = _temp.Db.Open())
        {
            connection.Execute(
                """
                WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005)
                INSERT INTO webhook_attempts (delivery_id, kind, target, attempt, at_utc_ms, delivered)
                SELECT 'd' || i, 'control', 'acd', 1, i, 1 FROM n;
                """);
        }

        Assert.Equal(200, (await Recent()).Count);
        Assert.Equal(WebhookAttemptLog.MaxLimit, (await Recent(limit: 5000)).Count);
        Assert.Equal(("d1005", 1), (await Recent(limit: 1)).Single());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _attempts.RecentAsync(0));
    }

    [Fact]
    public async Task Append_refuses_blank_names_and_attempts_below_one_and_stores_nothing()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _attempts.AppendAsync(" ", "control", "acd", 1, T0, null, null, false));
        await Assert.ThrowsAsync<ArgumentException>(() => _attempts.AppendAsync("d1", "", "acd", 1, T0, null, null, false));
        await Assert.ThrowsAsync<ArgumentException>(() => _attempts.AppendAsync("d1", "control", "", 1, T0, null, null, false));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _attempts.AppendAsync("d1", "control", "acd", 0, T0, null, null, false));

        Assert.Empty(await _attempts.RecentAsync());
    }

    [Fact]
    public async Task Prune_removes_only_attempts_made_before_the_cut_off()
    {
        await Append("d1", "acd", 1, 0);
        await Append("d1", "acd", 2, 10);
        await Append("d2", "acd", 1, 20);

        Assert.Equal(1, await _attempts.PruneAsync(T0.AddSeconds(10)));

        Assert.Equal([("d2", 1), ("d1", 2)], await Recent());
        Assert.Equal(0, await _attempts.PruneAsync(T0));
    }
}
