using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Grains;

namespace Ops.Dashboard.Web.Tests;

/// <summary>The host registers the nightly retrain reminder at start (issue #6).</summary>
[Collection(ApiHostCollection.Name)]
public sealed class NightlyRetrainTests(TestHost host)
{
    [Fact]
    public async Task At_start_the_host_registers_the_retrain_reminder_for_the_next_02_00_site_time_and_daily()
    {
        var table = host.Service<IReminderTable>();
        var grain = host.Service<IGrainFactory>().GetGrain<IForecastRetrainGrain>(0).GetGrainId();
        ReminderEntry? row = null;
        for (var until = DateTime.UtcNow.AddSeconds(30); row is null && DateTime.UtcNow < until; await Task.Delay(100))
            row = await table.ReadRow(grain, ForecastRetrainGrain.ReminderName);

        Assert.NotNull(row);
        Assert.Equal(TimeSpan.FromDays(1), row.Period);
        var expected = NightlyRetrainSchedule.NextRun(host.Service<SiteClock>().TimeZone, 2, DateTimeOffset.UtcNow).UtcDateTime;
        Assert.InRange(row.StartAt, expected.AddMinutes(-2), expected.AddMinutes(2));
    }
}
