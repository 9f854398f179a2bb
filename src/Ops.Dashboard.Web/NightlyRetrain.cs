using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Grains;

namespace Ops.Dashboard.Web;

/// <summary>The retrain the nightly reminder (<see cref="IForecastRetrainGrain"/>) runs: every queue with enough history, one after the other.</summary>
public sealed class ForecastRetrainer(ForecastService forecasts, OpsOptions options, ILogger<ForecastRetrainer> log) : IForecastRetrainer
{
    public async Task RetrainAllAsync(CancellationToken ct)
    {
        foreach (var queue in options.Queues)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                if (await forecasts.CanTrainAsync(queue.Id, ct))
                    await forecasts.TrainAsync(queue.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One queue's failure (recorded in its training state) must not keep the others from retraining.
                log.LogWarning(e, "Nightly retrain of {Queue} failed", queue.Id);
            }
        }
    }
}

/// <summary>
/// Asks the retrain grain at start to register its reminder: the single-node reminder store is in memory, so the
/// reminder is gone after a restart; on a persistent store this only moves it to the configured hour.
/// </summary>
public sealed class NightlyRetrainService(IGrainFactory grains, ILogger<NightlyRetrainService> log) : BackgroundService
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var next = await grains.GetGrain<IForecastRetrainGrain>(0).EnsureReminderAsync();
                if (next is { } at) log.LogInformation("Nightly forecast retrain scheduled for {At:O}", at);
                else log.LogInformation("Nightly forecast retrain is switched off (Forecast:NightlyRetrain)");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Scheduling the nightly forecast retrain failed; retrying");
            }
            try
            {
                await Task.Delay(RetryAfter, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

public static class NightlyRetrainExtensions
{
    /// <summary>The nightly retrain by reminder and what the forecastDeviation alarm reads, both served by <see cref="ForecastService"/>.</summary>
    public static IServiceCollection AddOpsNightlyRetrain(this IServiceCollection services, ForecastSettings settings)
    {
        services.Configure<NightlyRetrainOptions>(o => (o.Enabled, o.Hour) = (settings.NightlyRetrain, settings.NightlyRetrainHour));
        services.AddSingleton<IForecastRetrainer, ForecastRetrainer>();
        services.AddSingleton<IForecastExpectations, ForecastExpectations>();
        services.AddHostedService<NightlyRetrainService>();
        return services;
    }
}
