using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Grains;

/// <summary>Retrains the forecast model of every queue with enough history; the web host implements it.</summary>
public interface IForecastRetrainer
{
    Task RetrainAllAsync(CancellationToken ct);
}

/// <summary>When the nightly retrain runs; the web host fills it from its <c>Forecast</c> settings.</summary>
public sealed class NightlyRetrainOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Local hour (site time zone), 0–23.</summary>
    public int Hour { get; set; } = 2;
}

public static class NightlyRetrainSchedule
{
    /// <summary>
    /// The first instant after <paramref name="now"/> at which the site's clock reads <paramref name="hour"/>:00.
    /// Where DST skips that time the run is at the first valid time after it (03:00 for 02:00 in Berlin in March);
    /// where DST repeats it, at its first occurrence, so the night still has one run.
    /// </summary>
    public static DateTimeOffset NextRun(TimeZoneInfo zone, int hour, DateTimeOffset now)
    {
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        for (var i = 0; ; i++)
        {
            var local = DateTime.SpecifyKind(today.AddDays(i).AddHours(Math.Clamp(hour, 0, 23)), DateTimeKind.Unspecified);
            while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
            var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
            var at = new DateTimeOffset(local, offset).ToUniversalTime();
            if (at > now) return at;
        }
    }
}

/// <summary>
/// Retrains the forecast models every night (issue #6). A reminder's period is fixed, so every tick re-registers it
/// with the due time of the next local run: a DST change cannot drift it off the configured hour. Reminders live in
/// the silo's reminder service (in memory on a single node, re-ensured at every start by the web host).
/// </summary>
[GrainType("forecast-retrain")]
public sealed class ForecastRetrainGrain(
    IForecastRetrainer retrainer,
    IOptions<NightlyRetrainOptions> options,
    SiteClock clock,
    TimeProvider time,
    ILogger<ForecastRetrainGrain> logger) : Grain, IForecastRetrainGrain, IRemindable
{
    public const string ReminderName = "nightly-retrain";
    public static readonly TimeSpan Period = TimeSpan.FromDays(1);
    /// <summary>A tick may come a little early or late; the next run is looked for after this, so no night runs twice.</summary>
    private static readonly TimeSpan TickSlack = TimeSpan.FromHours(1);

    private IGrainTimer? _run;

    public async Task<DateTimeOffset?> EnsureReminderAsync()
    {
        if (!options.Value.Enabled)
        {
            if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
            return null;
        }
        return await ScheduleAsync(time.GetUtcNow());
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName) return;
        await ScheduleAsync(time.GetUtcNow() + TickSlack);
        // A retrain takes minutes, longer than a reminder tick (a grain call) may: the tick only starts it.
        _run ??= this.RegisterGrainTimer(RunAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            logger.LogInformation("Nightly forecast retrain started");
            await retrainer.RetrainAllAsync(ct);
            logger.LogInformation("Nightly forecast retrain finished");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Nightly forecast retrain failed");
        }
        finally
        {
            _run?.Dispose();
            _run = null;
        }
    }

    private async Task<DateTimeOffset> ScheduleAsync(DateTimeOffset after)
    {
        var next = NightlyRetrainSchedule.NextRun(clock.TimeZone, options.Value.Hour, after);
        await this.RegisterOrUpdateReminder(ReminderName, next - time.GetUtcNow(), Period);
        return next;
    }
}
