namespace Ops.Dashboard.Contracts;

/// <summary>
/// The nightly retraining of the forecast models (key 0): an Orleans reminder at the configured local hour,
/// so that on a cluster with a shared reminder store exactly one silo retrains.
/// </summary>
[Alias("ops.IForecastRetrainGrain")]
public interface IForecastRetrainGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Registers (or moves) the reminder to the next run and returns that instant (UTC); when the nightly
    /// retrain is switched off, removes the reminder and returns null.
    /// </summary>
    [Alias("EnsureReminder")] Task<DateTimeOffset?> EnsureReminderAsync();
}
