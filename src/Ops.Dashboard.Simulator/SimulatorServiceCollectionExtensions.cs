using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

public static class SimulatorServiceCollectionExtensions
{
    /// <summary>Name of the HttpClient used by <see cref="HttpEventSink"/> in remote mode.</summary>
    public const string HttpClientName = "Ops.Dashboard.Simulator";

    /// <summary>
    /// Binds <see cref="SimulatorOptions"/> from the "Simulator" section (validated at start) and, when
    /// Simulator:Enabled is true, registers the engine, the live <see cref="SimulatorService"/> and
    /// <see cref="SimulatorControl"/> as an <see cref="IControlListener"/> (so reallocations reach the simulated ACD).
    /// The host registers the <see cref="IEventSink"/>; only in remote mode (Simulator:TargetUrl set)
    /// is an <see cref="HttpEventSink"/> added for it, if none is registered.
    /// </summary>
    public static IServiceCollection AddOpsSimulator(this IServiceCollection services, IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(config);
        var section = config.GetSection(SimulatorOptions.SectionName);
        services.AddOptions<SimulatorOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SimulatorOptions>, SimulatorOptionsValidator>());
        if (!section.GetValue<bool>(nameof(SimulatorOptions.Enabled)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SimulatorOptions>>().Value;
            var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
            var start = options.HistoryWeeks > 0 ? SimulationEngine.HistoryStart(now, options.HistoryWeeks, options.TimeZoneId) : now;
            return new SimulationEngine(options, start);
        });
        // Enumerable: the host may have other listeners (e.g. a webhook to a real ACD) next to the simulator.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IControlListener, SimulatorControl>());
        if (!string.IsNullOrWhiteSpace(section[nameof(SimulatorOptions.TargetUrl)]))
        {
            services.AddHttpClient(HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30));
            services.TryAddSingleton<IEventSink>(sp =>
            {
                var options = sp.GetRequiredService<IOptions<SimulatorOptions>>().Value;
                return new HttpEventSink(
                    sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
                    options.TargetUrl!,
                    options.ApiKey!,
                    sp.GetRequiredService<ILogger<HttpEventSink>>(),
                    sp.GetRequiredService<TimeProvider>());
            });
        }
        services.AddHostedService<SimulatorService>();
        return services;
    }
}
