using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>
/// Posts batches to a running dashboard's <c>/api/v1/events</c>. Server errors and timeouts are
/// retried with exponential backoff (ingestion is idempotent, so a batch that did land is only
/// counted as duplicates); a 413 splits the batch; any other 4xx is final and thrown with the
/// server's problem text.
/// </summary>
public sealed class HttpEventSink : IEventSink
{
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string _apiKey;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public HttpEventSink(HttpClient http, string targetUrl, string apiKey, ILogger<HttpEventSink>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        if (!Uri.TryCreate(targetUrl.TrimEnd('/') + "/api/v1/events", UriKind.Absolute, out var endpoint))
        {
            throw new ArgumentException($"'{targetUrl}' is not an absolute URL.", nameof(targetUrl));
        }
        _http = http;
        _endpoint = endpoint;
        _apiKey = apiKey;
        _logger = logger ?? NullLogger<HttpEventSink>.Instance;
        _time = time ?? TimeProvider.System;
    }

    public Uri Endpoint => _endpoint;

    public int MaxAttempts { get; init; } = 6;

    /// <summary>Wait before the first retry; doubles each time, capped at 30 s.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public async Task SendAsync(IReadOnlyList<OpsEvent> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }
        var body = ContractJson.SerializeToUtf8Bytes(events);
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.Add("X-Api-Key", _apiKey);
                using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                var status = (int)response.StatusCode;
                var problem = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge && events.Count > 1)
                {
                    // The server's size limit is not ours to know: halve until the parts fit.
                    var half = events.Count / 2;
                    await SendAsync(events.Take(half).ToArray(), ct).ConfigureAwait(false);
                    await SendAsync(events.Skip(half).ToArray(), ct).ConfigureAwait(false);
                    return;
                }
                if (status < 500 && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests))
                {
                    throw new EventSinkException($"{_endpoint} rejected the batch with {status} {response.ReasonPhrase}: {problem}", status, problem);
                }
                failure = $"{status} {response.ReasonPhrase}";
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                // HttpClient reports its own timeout as a cancellation.
                failure = "timeout: " + ex.Message;
            }

            if (attempt >= MaxAttempts)
            {
                throw new EventSinkException($"Posting {events.Count} events to {_endpoint} failed {attempt} times; last: {failure}");
            }
            var delay = TimeSpan.FromTicks(Math.Min(BaseDelay.Ticks * (1L << Math.Min(attempt - 1, 16)), TimeSpan.FromSeconds(30).Ticks));
            _logger.LogWarning("Posting {Count} events to {Endpoint} failed ({Failure}); retry {Attempt} in {Delay}", events.Count, _endpoint, failure, attempt, delay);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            }
        }
    }
}
