namespace Ops.Dashboard.Storage.Tests;

public sealed class RecoveryPointStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Recovery_point_starts_at_zero_and_keeps_the_last_written_seq()
    {
        var store = new RecoveryPointStore(_temp.Db);
        Assert.Equal(0, await store.ReadAsync());

        await store.WriteAsync(120);
        await store.WriteAsync(340);

        Assert.Equal(340, await new RecoveryPointStore(_temp.Db).ReadAsync());
    }
}
