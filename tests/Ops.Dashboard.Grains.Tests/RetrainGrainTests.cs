using Microsoft.Extensions.DependencyInjection;
using Ops.Dashboard.Contracts;

namespace Ops.Dashboard.Grains.Tests;

public sealed class NightlyRetrainScheduleTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static DateTimeOffset Utc(string at) => DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-11-23T14:00:00+01:00", 2, "2026-11-24T01:00:00Z")] // afternoon: tonight at 02:00 CET
    [InlineData("2026-11-24T01:30:00+01:00", 2, "2026-11-24T01:00:00Z")] // before 02:00: the same night
    [InlineData("2026-11-24T02:00:00+01:00", 2, "2026-11-25T01:00:00Z")] // at 02:00: the next night
    [InlineData("2026-07-01T12:00:00+02:00", 2, "2026-07-02T00:00:00Z")] // summer: 02:00 CEST
    [InlineData("2026-11-23T14:00:00+01:00", 23, "2026-11-23T22:00:00Z")] // another configured hour
    [InlineData("2027-03-27T12:00:00+01:00", 2, "2027-03-28T01:00:00Z")] // 02:00 does not exist: 03:00 CEST
    [InlineData("2026-10-24T12:00:00+02:00", 2, "2026-10-25T00:00:00Z")] // 02:00 comes twice: the first one (CEST)
    public void The_next_run_is_the_next_configured_hour_on_the_site_clock(string now, int hour, string expected) =>
        Assert.Equal(Utc(expected), NightlyRetrainSchedule.NextRun(Berlin, hour, Utc(now)));

    [Fact]
    public void Rescheduling_at_every_tick_keeps_02_00_local_across_both_DST_changes_and_runs_once_a_night()
    {
        // What the grain does at each tick: the next run after the tick (plus its slack of an hour).
        var run = NightlyRetrainSchedule.NextRun(Berlin, 2, Utc("2026-10-20T12:00:00Z"));
        var runs = new List<DateTimeOffset>();
        while (run < Utc("2027-04-05T00:00:00Z"))
        {
            runs.Add(TimeZoneInfo.ConvertTime(run, Berlin));
            run = NightlyRetrainSchedule.NextRun(Berlin, 2, run.AddHours(1));
        }

        // A fixed 24 h period would drift to 01:00 after October and to 03:00 after March.
        Assert.All(runs.Where(r => r.Date != new DateTime(2027, 3, 28)), r => Assert.Equal(new TimeSpan(2, 0, 0), r.TimeOfDay));
        Assert.Equal(new TimeSpan(3, 0, 0), runs.Single(r => r.Date == new DateTime(2027, 3, 28)).TimeOfDay);
        Assert.Equal(runs.Count, runs.Select(r => r.Date).Distinct().Count());
        Assert.Equal((int)(new DateTime(2027, 4, 5) - new DateTime(2026, 10, 21)).TotalDays, runs.Count);
    }
}

[Collection(OpsClusterCollection.Name)]
public sealed class RetrainGrainTests(OpsClusterFixture fx)
{
    private IForecastRetrainGrain Grain => fx.Grains.GetGrain<IForecastRetrainGrain>(0);

    [Fact]
    public async Task At_start_the_reminder_is_registered_for_the_next_02_00_site_time_with_a_daily_period()
    {
        var next = await Grain.EnsureReminderAsync();

        // The fixture's now is Monday 14:00 in Berlin: tonight at 02:00 CET.
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero), next);
        var row = await fx.Cluster.GetSiloServiceProvider().GetRequiredService<IReminderTable>()
            .ReadRow(Grain.GetGrainId(), ForecastRetrainGrain.ReminderName);
        Assert.NotNull(row);
        Assert.Equal(TimeSpan.FromDays(1), row.Period);
    }

    [Fact]
    public async Task A_reminder_tick_retrains_the_queues_and_moves_the_reminder_to_the_next_night()
    {
        var before = fx.Retrainer.Runs;
        var retrained = fx.Retrainer.NextRun();

        await Grain.AsReference<IRemindable>().ReceiveReminder(ForecastRetrainGrain.ReminderName,
            new TickStatus(DateTime.UtcNow, TimeSpan.FromDays(1), DateTime.UtcNow));

        await retrained.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(before + 1, fx.Retrainer.Runs);
        Assert.NotNull(await fx.Cluster.GetSiloServiceProvider().GetRequiredService<IReminderTable>()
            .ReadRow(Grain.GetGrainId(), ForecastRetrainGrain.ReminderName));
    }

    [Fact]
    public async Task Another_reminder_name_retrains_nothing()
    {
        var before = fx.Retrainer.Runs;
        await Grain.AsReference<IRemindable>().ReceiveReminder("something-else", new TickStatus(DateTime.UtcNow, TimeSpan.FromDays(1), DateTime.UtcNow));
        await Task.Delay(200);
        Assert.Equal(before, fx.Retrainer.Runs);
    }
}
