using Microsoft.Extensions.Logging;
using Ops.Dashboard.Contracts;
using Orleans.Utilities;

namespace Ops.Dashboard.Grains;

/// <summary>Fans each change batch out to the subscribed observers, one per web node.</summary>
[GrainType("change-feed")]
public sealed class ChangeFeedGrain(ILogger<ChangeFeedGrain> logger) : Grain, IChangeFeedGrain
{
    /// <summary>Observers resubscribe well within this; one that stops is dropped after it.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(1);

    private readonly ObserverManager<ILiveFeedObserver> _observers = new(Expiry, logger);

    public Task SubscribeAsync(ILiveFeedObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(ILiveFeedObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task PublishAsync(ChangeBatch batch)
    {
        _observers.Notify(o => o.OnChangesAsync(batch));
        return Task.CompletedTask;
    }
}
