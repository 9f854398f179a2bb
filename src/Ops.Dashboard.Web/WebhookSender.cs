using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Ops.Dashboard.Domain;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Ops.Dashboard.Web;

/// <summary>One notification for one target.</summary>
public sealed record WebhookDelivery(string Id, string Kind, WebhookTargetOptions Target, string Body);

/// <summary>How one delivery attempt went (for the record of attempts).</summary>
public sealed record WebhookAttempt(string DeliveryId, string Kind, string Target, int Attempt, DateTimeOffset At, int? StatusCode, string? Error, bool Delivered);

/// <summary>
/// Generic JSON webhooks: each body is signed with the target's secret (HMAC-SHA256 in
/// <see cref="SignatureHeader"/>), sent in the background and retried with exponential backoff on
/// network errors, timeouts, 408, 429 and 5xx. A slow or failing target never blocks the caller:
/// deliveries queue up (bounded; the oldest are dropped with a warning when the queue is full).
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, OpsOptions options, TimeProvider time, ILogger<WebhookSender> logger) : BackgroundService
{
    public const string ClientName = "webhooks";
    public const string SignatureHeader = "X-Ops-Signature";
    public const string EventHeader = "X-Ops-Event";
    public const string DeliveryHeader = "X-Ops-Delivery";
    private const int MaxConcurrent = 4;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly System.Threading.Channels.Channel<WebhookDelivery> _queue = System.Threading.Channels.Channel.CreateBounded<WebhookDelivery>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly SemaphoreSlim _slots = new(MaxConcurrent, MaxConcurrent);

    /// <summary>Called after every attempt; where attempts are recorded.</summary>
    public event Action<WebhookAttempt>? Attempted;

    public static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>Queues <paramref name="payload"/> (as JSON) for every target; returns at once.</summary>
    public void Enqueue(string kind, IEnumerable<WebhookTargetOptions> targets, object payload)
    {
        var body = JsonSerializer.Serialize(payload, payload.GetType(), Json);
        foreach (var target in targets)
        {
            if (!_queue.Writer.TryWrite(new WebhookDelivery(Guid.NewGuid().ToString("N"), kind, target, body)))
                logger.LogWarning("Webhook queue closed; {Kind} for {Target} dropped", kind, target.Name);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            await foreach (var delivery in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await _slots.WaitAsync(stoppingToken);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(Task.Run(async () =>
                {
                    try { await DeliverAsync(delivery, stoppingToken); }
                    finally { _slots.Release(); }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running);
    }

    /// <summary>Sends one delivery with retries; true when the target acknowledged it with a 2xx.</summary>
    public async Task<bool> DeliverAsync(WebhookDelivery delivery, CancellationToken ct)
    {
        var attempt = 0;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.Webhooks.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(options.Webhooks.FirstRetryDelayMilliseconds),
                UseJitter = false,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500),
            })
            .AddTimeout(TimeSpan.FromSeconds(options.Webhooks.TimeoutSeconds))
            .Build();
        try
        {
            using var response = await pipeline.ExecuteAsync(async token =>
            {
                attempt++;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Target.Url)
                    {
                        Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
                    };
                    request.Headers.Add(SignatureHeader, Sign(delivery.Target.Secret, delivery.Body));
                    request.Headers.Add(EventHeader, delivery.Kind);
                    request.Headers.Add(DeliveryHeader, delivery.Id);
                    var response = await clients.CreateClient(ClientName).SendAsync(request, token);
                    Report(delivery, attempt, (int)response.StatusCode, null, response.IsSuccessStatusCode);
                    return response;
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    Report(delivery, attempt, null, ex.Message, false);
                    throw;
                }
            }, ct);
            if (!response.IsSuccessStatusCode)
                logger.LogWarning("Webhook {Kind} to {Target} gave up after {Attempts} attempts: HTTP {Status}", delivery.Kind, delivery.Target.Name, attempt, (int)response.StatusCode);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException)
        {
            logger.LogWarning("Webhook {Kind} to {Target} gave up after {Attempts} attempts: {Error}", delivery.Kind, delivery.Target.Name, attempt, ex.Message);
            return false;
        }
    }

    private void Report(WebhookDelivery delivery, int attempt, int? status, string? error, bool delivered)
    {
        try
        {
            Attempted?.Invoke(new WebhookAttempt(delivery.Id, delivery.Kind, delivery.Target.Name, attempt, time.GetUtcNow(), status, error, delivered));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Recording a webhook attempt failed");
        }
    }
}
