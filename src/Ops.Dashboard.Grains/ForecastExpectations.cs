namespace Ops.Dashboard.Grains;

/// <summary>What the forecast says for a queue's hour, for the forecastDeviation alarm; the web host implements it.</summary>
public interface IForecastExpectations
{
    /// <summary>
    /// The p50 forecast of contacts for the local hour starting at <paramref name="hourStartUtc"/>, from the latest
    /// saved model (never trains); null when the queue has no model.
    /// </summary>
    Task<double?> ExpectedThisHourAsync(string queue, DateTimeOffset hourStartUtc, CancellationToken ct = default);
}

/// <summary>A silo without forecasting: no forecast, so forecastDeviation rules have no signal.</summary>
public sealed class NoForecastExpectations : IForecastExpectations
{
    public Task<double?> ExpectedThisHourAsync(string queue, DateTimeOffset hourStartUtc, CancellationToken ct = default) =>
        Task.FromResult<double?>(null);
}
