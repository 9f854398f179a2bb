using System.Threading.Channels;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>
/// Writes every webhook delivery attempt (target, attempt number, status or error, delivered or not)
/// to SQLite, off the sending path: a slow disk never slows a delivery, and a failed write only logs.
/// </summary>
public sealed class WebhookAttemptRecorder(WebhookSender sender, WebhookAttemptLog log, ILogger<WebhookAttemptRecorder> logger) : BackgroundService
{
    private readonly Channel<WebhookAttempt> _attempts = Channel.CreateBounded<WebhookAttempt>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        sender.Attempted += Record;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        sender.Attempted -= Record;
        _attempts.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private void Record(WebhookAttempt attempt) => _attempts.Writer.TryWrite(attempt);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var a in _attempts.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await log.AppendAsync(a.DeliveryId, a.Kind, a.Target, a.Attempt, a.At, a.StatusCode, a.Error, a.Delivered, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Recording webhook attempt {Attempt} of {Delivery} failed", a.Attempt, a.DeliveryId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
