using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Dashboard.Web;

namespace Ops.Dashboard.Web.Tests;

public sealed class HeapGovernorTests
{
    private const long MB = 1024 * 1024;
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(5);

    [Theory]
    // A young collection left the heap 40 MB above the last full one: collect.
    [InlineData(11, 155, 10, 115, true)]
    // 32 MB exactly is still within the limit.
    [InlineData(11, 147, 10, 115, false)]
    // The latest collection is the full one itself: nothing has grown since.
    [InlineData(10, 190, 10, 190, false)]
    // The heap shrank after the full one (a later young collection freed more).
    [InlineData(12, 100, 10, 115, false)]
    public void Collects_only_when_young_collections_have_grown_the_heap_past_the_limit(
        long latestIndex, long latestMb, long fullIndex, long fullMb, bool expected) =>
        Assert.Equal(expected, HeapGovernor.ShouldCollect((latestIndex, latestMb * MB), (fullIndex, fullMb * MB), 32 * MB, Long));

    [Fact]
    public void Waits_for_the_spacing_after_its_own_collection_and_does_nothing_when_off()
    {
        Assert.False(HeapGovernor.ShouldCollect((11, 300 * MB), (10, 115 * MB), 32 * MB, HeapGovernor.MinSpacing - TimeSpan.FromMilliseconds(1)));
        Assert.True(HeapGovernor.ShouldCollect((11, 300 * MB), (10, 115 * MB), 32 * MB, HeapGovernor.MinSpacing));
        Assert.False(HeapGovernor.ShouldCollect((11, 300 * MB), (10, 115 * MB), 0, Long));
    }

    [Fact]
    public async Task Starts_a_full_collection_once_promoted_data_passes_the_limit()
    {
        using var governor = new HeapGovernor(1 * MB, NullLogger<HeapGovernor>.Instance);
        await governor.StartAsync(CancellationToken.None);
        var retained = new List<byte[]>();
        try
        {
            var fullBefore = GC.CollectionCount(2);
            // Young collections promote what is still referenced; other tests' full collections may reset the
            // baseline, so keep growing until the governor has acted (it checks every 200 ms).
            for (var round = 0; round < 100 && governor.Induced == 0; round++)
            {
                for (var i = 0; i < 64; i++) retained.Add(new byte[16 * 1024]);
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                await Task.Delay(100);
            }
            Assert.True(governor.Induced > 0, "the governor never started a collection");
            Assert.True(GC.CollectionCount(2) > fullBefore);
        }
        finally
        {
            await governor.StopAsync(CancellationToken.None);
            GC.KeepAlive(retained);
        }
    }

    [Theory]
    [InlineData(null, HeapGovernor.DefaultMaxGrowthMB)]
    [InlineData("0", 0)]
    [InlineData("64", 64)]
    public void The_limit_comes_from_configuration(string? value, int expected) =>
        Assert.Equal(expected, HeapGovernorExtensions.MaxGrowthMB(Config(value)));

    [Theory]
    [InlineData("-5")]
    [InlineData("lots")]
    [InlineData("1.5")]
    public void A_bad_limit_stops_the_host_naming_the_key_and_rule(string value)
    {
        var e = Assert.Throws<OpsConfigurationException>(() => HeapGovernorExtensions.MaxGrowthMB(Config(value)));
        Assert.Equal($"Memory:MaxHeapGrowthMB = {value}, must be a whole number of MB, 0 or more (0 turns the heap governor off)", Assert.Single(e.Problems));
    }

    private static IConfiguration Config(string? value) => new ConfigurationBuilder()
        .AddInMemoryCollection(value is null ? [] : [new KeyValuePair<string, string?>(HeapGovernor.ConfigKey, value)])
        .Build();
}
