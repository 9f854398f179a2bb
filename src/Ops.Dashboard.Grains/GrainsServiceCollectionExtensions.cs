using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ops.Dashboard.Grains;

public static class GrainsServiceCollectionExtensions
{
    /// <summary>The dispatcher that feeds stored events to the grains (a hosted service started after the silo).</summary>
    public static IServiceCollection AddOpsDispatch(this IServiceCollection services)
    {
        services.AddOptions<ChangeFeedOptions>().BindConfiguration("ChangeFeed")
            .Validate(o => o.FlushMilliseconds is >= 10 and <= 5000, "ChangeFeed:FlushMilliseconds must be 10–5000")
            .Validate(o => o.HeartbeatSeconds >= 1, "ChangeFeed:HeartbeatSeconds must be at least 1")
            .ValidateOnStart();
        services.AddSingleton<ChangePublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangePublisher>());
        services.AddSingleton<EventDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<EventDispatcher>());
        // Without forecasting in the host, forecastDeviation rules simply have no signal.
        services.TryAddSingleton<IForecastExpectations, NoForecastExpectations>();
        return services;
    }
}
