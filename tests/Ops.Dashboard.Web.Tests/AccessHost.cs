using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// A dashboard whose control webhook points at a receiver in the test process, so tests see what the
/// routing system would receive (body and headers), and a host for the access and console tests.
/// </summary>
public sealed class AccessTestHost : TestHost
{
    public const string WebhookSecret = "control-secret-0123456789";

    public WebhookReceiver Receiver { get; } = new();

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["webhooks:control:0:name"] = "routing",
        ["webhooks:control:0:url"] = Receiver.Url,
        ["webhooks:control:0:secret"] = WebhookSecret,
        ["webhooks:firstRetryDelayMilliseconds"] = "50",
        ["webhooks:targets:0:name"] = "hooks",
        ["webhooks:targets:0:url"] = Receiver.Url,
        ["webhooks:targets:0:secret"] = WebhookSecret,
        ["alarms:notifyTargets:0"] = "hooks",
        // A rule that fires at once, on a queue no other test of this host uses.
        ["alarms:rules:99:id"] = "test-waiting",
        ["alarms:rules:99:name"] = "Test callers waiting",
        ["alarms:rules:99:kind"] = "waitingAbove",
        ["alarms:rules:99:queues:0"] = AlarmQueue,
        ["alarms:rules:99:severity"] = "critical",
        ["alarms:rules:99:raise"] = "2",
        ["alarms:rules:99:clear"] = "0",
        ["alarms:rules:99:forSeconds"] = "0",
        ["alarms:rules:99:clearForSeconds"] = "0",
    };

    /// <summary>The queue the alarm tests fill up.</summary>
    public const string AlarmQueue = "social";

    public override async Task InitializeAsync()
    {
        Receiver.Start();
        await base.InitializeAsync();
    }
}

/// <summary>A local HTTP endpoint that records every POST; it can be told to fail the next requests.</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _port = SupportNet.FreePort();

    public string Url => $"http://127.0.0.1:{_port}/hook/";

    public ConcurrentQueue<(string Body, IReadOnlyDictionary<string, string> Headers)> Received { get; } = new();

    /// <summary>How many of the next requests get a 500.</summary>
    public int FailNext;

    public void Start()
    {
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception)
            {
                return;
            }
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = ctx.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => ctx.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
            Received.Enqueue((body, headers));
            ctx.Response.StatusCode = Interlocked.Decrement(ref FailNext) >= 0 ? 500 : 204;
            ctx.Response.Close();
        }
    }

    /// <summary>Waits until a received body satisfies <paramref name="match"/>.</summary>
    public async Task<(string Body, IReadOnlyDictionary<string, string> Headers)> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            var hit = Received.FirstOrDefault(r => match(r.Body));
            if (hit.Body is not null) return hit;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no webhook matched within {timeout}; received {Received.Count}: {string.Join(" | ", Received.Select(r => r.Body))}");
    }

    public void Dispose() => _listener.Close();
}

[CollectionDefinition(Name)]
public sealed class AccessHostCollection : ICollectionFixture<AccessTestHost>
{
    public const string Name = "Access host";
}
