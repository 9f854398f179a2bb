using System.Collections.Concurrent;
using Ops.Dashboard.Grains;

namespace Ops.Dashboard.Web;

/// <summary>
/// The forecastDeviation alarm's forecast: the hour's p50 from today's forecast of the latest saved model (never
/// trains). Kept per queue for the hour and the model in use, since the alarm asks every few seconds and a forecast
/// reads the history; a model trained mid-hour (or a first one) is used at once.
/// </summary>
public sealed class ForecastExpectations(ForecastService forecasts) : IForecastExpectations
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset HourStart, DateTimeOffset? TrainedAt, double? P50)> _cache = new(StringComparer.Ordinal);

    public async Task<double?> ExpectedThisHourAsync(string queue, DateTimeOffset hourStartUtc, CancellationToken ct = default)
    {
        var trainedAt = forecasts.LoadedModelTrainedAt(queue);
        if (_cache.TryGetValue(queue, out var cached) && cached.HourStart == hourStartUtc && cached.TrainedAt == trainedAt) return cached.P50;
        var today = await forecasts.TryTodayAsync(queue, ct);
        // A model exists but the hour is closed: nothing is expected (the deviation is then undefined, not infinite).
        double? p50 = today is null ? null
            : today.Hours.FirstOrDefault(h => h.Start == hourStartUtc) is { } hour ? (hour.Closed ? 0 : hour.P50) : null;
        // TryTodayAsync loads a saved model into memory: key the entry by what is loaded now.
        _cache[queue] = (hourStartUtc, forecasts.LoadedModelTrainedAt(queue), p50);
        return p50;
    }
}
