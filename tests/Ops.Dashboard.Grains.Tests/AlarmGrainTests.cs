using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using static Ops.Dashboard.Testing.TestEvents;

namespace Ops.Dashboard.Grains.Tests;

/// <summary>A cluster of its own for the alarm tests: they move the fake clock, which the other grain tests must not see.</summary>
public sealed class AlarmClusterFixture : OpsClusterFixture
{
    public AlarmClusterFixture()
    {
        Options.Queues.Add(new QueueOptions { Id = "alarm-wait", Name = "Alarm wait", Channel = "phone", SlThresholdSeconds = 20, SlTargetPercent = 80, ShortAbandonSeconds = 5 });
        Options.Queues.Add(new QueueOptions { Id = "alarm-long", Name = "Alarm long", Channel = "phone", SlThresholdSeconds = 20, SlTargetPercent = 80, ShortAbandonSeconds = 5 });
        Options.Queues.Add(new QueueOptions { Id = "alarm-ack", Name = "Alarm ack", Channel = "phone", SlThresholdSeconds = 20, SlTargetPercent = 80, ShortAbandonSeconds = 5 });
        foreach (var id in new[] { "alarm-forecast", "alarm-small", "alarm-nomodel" })
            Options.Queues.Add(new QueueOptions { Id = id, Name = id, Channel = "phone", SlThresholdSeconds = 20, SlTargetPercent = 80, ShortAbandonSeconds = 5 });
        Options.Alarms = new AlarmOptions
        {
            AcknowledgeWithinMinutes = 15,
            EvaluateEverySeconds = 300, // the tests evaluate when they want; the timer stays out of the way
            Rules =
            [
                new AlarmRuleOptions { Id = "waiting", Name = "Callers waiting", Kind = "waitingAbove", Queues = ["alarm-wait"], Raise = 3, Clear = 1, ForSeconds = 60, Severity = "warning" },
                new AlarmRuleOptions { Id = "longest", Name = "Longest wait", Kind = "longestWaitAbove", Queues = ["alarm-long", "alarm-ack"], Raise = 120, Clear = 30, ForSeconds = 0, Severity = "warning" },
                new AlarmRuleOptions { Id = "silent", Name = "Source silent", Kind = "sourceSilent", Sources = ["acd-test"], Raise = 10, Clear = 1, ForSeconds = 0, Severity = "critical" },
                new AlarmRuleOptions
                {
                    Id = "forecast", Name = "Volume far from forecast", Kind = "forecastDeviation", Queues = ["alarm-forecast", "alarm-small", "alarm-nomodel"],
                    Raise = 50, Clear = 30, ForSeconds = 60, MinVolume = 20, Severity = "info",
                },
            ],
        };
    }

    public ConcurrentQueue<AlarmUpdate> Notified { get; } = new();

    /// <summary>The p50 of every hour per queue, as a saved model would give it; none until a test sets one.</summary>
    public ConcurrentDictionary<string, double?> HourForecasts { get; } = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<IAlarmNotifier>(new RecordingNotifier(Notified));
        services.AddSingleton<IForecastExpectations>(new FixedForecasts(HourForecasts));
    }

    private sealed class FixedForecasts(ConcurrentDictionary<string, double?> forecasts) : IForecastExpectations
    {
        public Task<double?> ExpectedThisHourAsync(string queue, DateTimeOffset hourStartUtc, CancellationToken ct = default) =>
            Task.FromResult(forecasts.GetValueOrDefault(queue));
    }

    private sealed class RecordingNotifier(ConcurrentQueue<AlarmUpdate> sink) : IAlarmNotifier
    {
        public void Notify(AlarmUpdate change) => sink.Enqueue(change);
    }
}

[CollectionDefinition(Name)]
public sealed class AlarmClusterCollection : ICollectionFixture<AlarmClusterFixture>
{
    public const string Name = "alarm cluster";
}

[Collection(AlarmClusterCollection.Name)]
public sealed class AlarmGrainTests(AlarmClusterFixture fx)
{
    private IAlarmGrain Alarms => fx.Grains.GetGrain<IAlarmGrain>(0);

    private string At(TimeSpan offset) => (fx.Time.GetUtcNow() + offset).ToString("O");

    private async Task<AlarmView?> ActiveAsync(string rule, string subject) =>
        (await Alarms.ListActiveAsync()).SingleOrDefault(a => a.RuleId == rule && a.Subject == subject);

    [Fact]
    public async Task A_breach_is_raised_only_after_its_minimum_duration_stays_up_in_the_band_and_clears_below_the_clear_threshold()
    {
        await fx.IngestAsync(
            Created("aw-1", "alarm-wait", At(TimeSpan.FromSeconds(-30))),
            Created("aw-2", "alarm-wait", At(TimeSpan.FromSeconds(-20))),
            Created("aw-3", "alarm-wait", At(TimeSpan.FromSeconds(-10))));
        await Alarms.EvaluateAsync();
        Assert.Null(await ActiveAsync("waiting", "alarm-wait"));

        fx.Time.Advance(TimeSpan.FromSeconds(61));
        await Alarms.EvaluateAsync();
        var alarm = await ActiveAsync("waiting", "alarm-wait");
        Assert.NotNull(alarm);
        Assert.Equal(("alarm-wait", "warning", 3.0, 3.0), (alarm.Queue, alarm.Severity, alarm.Value, alarm.Threshold));
        Assert.Contains("Alarm wait: Callers waiting", alarm.Message);

        // Two waiting: between clear (1) and raise (3) nothing changes, however long it lasts.
        await fx.IngestAsync(Abandoned("aw-1", At(TimeSpan.Zero)));
        fx.Time.Advance(TimeSpan.FromMinutes(5));
        await Alarms.EvaluateAsync();
        Assert.NotNull(await ActiveAsync("waiting", "alarm-wait"));

        await fx.IngestAsync(Abandoned("aw-2", At(TimeSpan.Zero)), Abandoned("aw-3", At(TimeSpan.Zero)));
        await Alarms.EvaluateAsync();
        Assert.NotNull(await ActiveAsync("waiting", "alarm-wait")); // clearing needs its own minute too
        fx.Time.Advance(TimeSpan.FromSeconds(61));
        await Alarms.EvaluateAsync();
        Assert.Null(await ActiveAsync("waiting", "alarm-wait"));
        var cleared = (await Alarms.RecentAsync(50)).First(a => a.Id == alarm.Id);
        Assert.NotNull(cleared.ClearedAt);
        Assert.Contains(fx.Notified, n => n.Change == AlarmChanges.Cleared && n.Alarm.Id == alarm.Id);
    }

    [Fact]
    public async Task An_alarm_nobody_acknowledges_within_15_minutes_escalates_one_severity_up_and_notifies()
    {
        await fx.IngestAsync(Created("al-1", "alarm-long", At(TimeSpan.FromMinutes(-3))));
        await Alarms.EvaluateAsync();
        var alarm = await ActiveAsync("longest", "alarm-long");
        Assert.NotNull(alarm);
        Assert.Equal("warning", alarm.Severity);

        fx.Time.Advance(TimeSpan.FromMinutes(14));
        await Alarms.EvaluateAsync();
        Assert.False((await Alarms.GetAsync(alarm.Id))!.Escalated);

        fx.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await Alarms.EvaluateAsync();
        var escalated = (await Alarms.GetAsync(alarm.Id))!;
        Assert.True(escalated.Escalated);
        Assert.Equal("critical", escalated.Severity);
        Assert.Single(fx.Notified, n => n.Change == AlarmChanges.Escalated && n.Alarm.Id == alarm.Id);

        // Escalation happens once.
        fx.Time.Advance(TimeSpan.FromMinutes(20));
        await Alarms.EvaluateAsync();
        Assert.Single(fx.Notified, n => n.Change == AlarmChanges.Escalated && n.Alarm.Id == alarm.Id);
        await fx.IngestAsync(Abandoned("al-1", At(TimeSpan.Zero)));
    }

    [Fact]
    public async Task An_alarm_acknowledged_in_time_does_not_escalate()
    {
        await fx.IngestAsync(Created("aa-1", "alarm-ack", At(TimeSpan.FromMinutes(-3))));
        await Alarms.EvaluateAsync();
        var alarm = await ActiveAsync("longest", "alarm-ack");
        Assert.NotNull(alarm);

        fx.Time.Advance(TimeSpan.FromMinutes(5));
        var acknowledged = await Alarms.AcknowledgeAsync(alarm.Id, "lead-anna");
        Assert.Equal(("lead-anna", fx.Time.GetUtcNow()), (acknowledged!.AcknowledgedBy, acknowledged.AcknowledgedAt!.Value));
        // A second acknowledgement changes nothing.
        fx.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("lead-anna", (await Alarms.AcknowledgeAsync(alarm.Id, "someone-else"))!.AcknowledgedBy);

        fx.Time.Advance(TimeSpan.FromMinutes(20));
        await Alarms.EvaluateAsync();
        Assert.False((await Alarms.GetAsync(alarm.Id))!.Escalated);
        Assert.DoesNotContain(fx.Notified, n => n.Change == AlarmChanges.Escalated && n.Alarm.Id == alarm.Id);
        Assert.Single(fx.Notified, n => n.Change == AlarmChanges.Acknowledged && n.Alarm.Id == alarm.Id);
        await fx.IngestAsync(Abandoned("aa-1", At(TimeSpan.Zero)));
    }

    [Fact]
    public async Task A_source_that_stops_sending_raises_an_alarm_without_any_event_and_clears_when_it_sends_again()
    {
        await Alarms.NoteSourcesAsync(new Dictionary<string, DateTimeOffset> { ["acd-test"] = fx.Time.GetUtcNow() });
        await Alarms.EvaluateAsync();
        Assert.Null(await ActiveAsync("silent", "acd-test"));

        fx.Time.Advance(TimeSpan.FromMinutes(11));
        await Alarms.EvaluateAsync();
        var alarm = await ActiveAsync("silent", "acd-test");
        Assert.NotNull(alarm);
        Assert.Null(alarm.Queue);
        Assert.Contains("source 'acd-test'", alarm.Message);

        await Alarms.NoteSourcesAsync(new Dictionary<string, DateTimeOffset> { ["acd-test"] = fx.Time.GetUtcNow() });
        await Alarms.EvaluateAsync();
        Assert.Null(await ActiveAsync("silent", "acd-test"));
    }

    [Fact]
    public async Task Volume_far_from_the_forecast_raises_after_15_minutes_and_its_duration_and_clears_with_hysteresis()
    {
        // A fresh local hour: 80 contacts in its first minutes against 120 forecast (40 by :20); alarm-nomodel has no model.
        fx.HourForecasts["alarm-forecast"] = 120;
        fx.HourForecasts["alarm-small"] = 12;
        var hour = fx.Clock.LocalHourStart(fx.Time.GetUtcNow()).AddHours(1);
        fx.Time.Advance(hour.AddMinutes(10) - fx.Time.GetUtcNow());
        string In(int second) => hour.AddSeconds(second).ToString("O");
        await fx.IngestAsync([
            .. Enumerable.Range(0, 80).Select(i => Created($"fc-{i}", "alarm-forecast", In(5 * i))),
            .. Enumerable.Range(0, 30).Select(i => Created($"fs-{i}", "alarm-small", In(5 * i))),
            .. Enumerable.Range(0, 30).Select(i => Created($"fn-{i}", "alarm-nomodel", In(5 * i)))]);
        async Task<AlarmView?> At(int minute, int second = 0)
        {
            fx.Time.Advance(hour.AddMinutes(minute).AddSeconds(second) - fx.Time.GetUtcNow());
            await Alarms.EvaluateAsync();
            return await ActiveAsync("forecast", "alarm-forecast");
        }

        // Before :15 the hour is too young to judge, however far off it is.
        Assert.Null(await At(10));
        Assert.Null(await At(11, 1));
        Assert.Null(await At(14, 30));
        // From :15 it is (167 %), and after a minute above 50 % the alarm is raised.
        Assert.Null(await At(15));
        var alarm = await At(16, 1);
        Assert.NotNull(alarm);
        Assert.Equal(("alarm-forecast", "info", 50.0), (alarm.Queue, alarm.Severity, alarm.Threshold));
        Assert.Equal(80 / (120 * (16 * 60 + 1) / 3600.0) * 100 - 100, alarm.Value, 3);
        Assert.Contains("80 contacts this hour so far, forecast 32 by now (120 for the hour)", alarm.Message);

        // 54 % at :26 down to 33 % at :30: under raise but above clear, so it stays up for minutes.
        Assert.NotNull(await At(26));
        Assert.NotNull(await At(28));
        Assert.NotNull(await At(30));
        // 29 % from :31, held for a minute: cleared.
        Assert.NotNull(await At(31));
        Assert.Null(await At(32, 1));

        // 30 contacts against 12 forecast is far off, but 6 by :30 is below the minimum volume; no model, no signal.
        var all = (await Alarms.RecentAsync(AlarmGrain.RecentKept)).Where(a => a.RuleId == "forecast").Select(a => a.Subject).ToList();
        Assert.Equal(["alarm-forecast"], all);
        fx.HourForecasts.Clear(); // the other tests move the clock: no deviation alarms of theirs
    }

    [Fact]
    public async Task Acknowledging_an_unknown_alarm_gives_nothing()
    {
        Assert.Null(await Alarms.AcknowledgeAsync("no-such-alarm", "lead"));
        Assert.Null(await Alarms.GetAsync("no-such-alarm"));
    }
}
