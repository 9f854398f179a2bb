using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// A screen's SignalR connection to <c>/hubs/wallboard</c> on a <see cref="TestHost"/> (long polling
/// over the in-memory test server). Every message the server sends is kept in arrival order as raw
/// JSON, so tests assert the wire contract, and tests wait for messages with timeouts, never sleeps.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    /// <summary>Generous for a loaded 2-core machine; a message that is on time arrives in well under a second.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static readonly string[] Methods = ["Snapshot", "QueueUpdated", "AgentStatesUpdated", "Heartbeat", "ControlIssued", "AlarmRaised", "AlarmAcknowledged", "AlarmEscalated", "AlarmCleared"];

    private readonly object _gate = new();
    private readonly List<HubMessage> _messages = [];
    private readonly List<Waiter> _waiters = [];

    private HubClient(HubConnection connection)
    {
        Connection = connection;
        foreach (var method in Methods)
        {
            connection.On<JsonElement>(method, payload => Receive(method, payload));
        }
    }

    public HubConnection Connection { get; }

    /// <summary>A connection that is not started yet; <paramref name="apiKey"/> null sends no key.</summary>
    public static HubClient Create(TestHost host, string? apiKey, string? query = null)
    {
        var server = (TestServer)host.Service<IServer>();
        var url = new Uri(server.BaseAddress, "/hubs/wallboard" + (query is null ? "" : "?" + query));
        var connection = new HubConnectionBuilder()
            .WithUrl(url, o =>
            {
                o.HttpMessageHandlerFactory = _ => server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                if (apiKey is not null) o.Headers["X-Api-Key"] = apiKey;
            })
            .Build();
        connection.ServerTimeout = TimeSpan.FromSeconds(60);
        return new HubClient(connection);
    }

    /// <summary>A started connection with the host's key.</summary>
    public static async Task<HubClient> ConnectAsync(TestHost host)
    {
        var client = Create(host, host.ApiKey);
        await client.Connection.StartAsync().WaitAsync(Timeout);
        return client;
    }

    /// <summary>How many messages have arrived so far; pass it as <c>after</c> to wait only for later ones.</summary>
    public int Count
    {
        get { lock (_gate) return _messages.Count; }
    }

    public IReadOnlyList<HubMessage> Messages
    {
        get { lock (_gate) return [.. _messages]; }
    }

    public IReadOnlyList<JsonElement> All(string method, int after = 0)
    {
        lock (_gate) return [.. _messages.Skip(after).Where(m => m.Method == method).Select(m => m.Payload)];
    }

    /// <summary>Calls a subscribe method and returns the Snapshot it answers with.</summary>
    public async Task<JsonElement> SubscribeAsync(string method, params object?[] args)
    {
        var mark = Count;
        var snapshot = WaitAsync("Snapshot", _ => true, mark);
        await Connection.InvokeCoreAsync(method, args).WaitAsync(Timeout);
        return await snapshot;
    }

    /// <summary>The first message of <paramref name="method"/> after index <paramref name="after"/> that matches, or a failure naming what did arrive.</summary>
    public Task<JsonElement> WaitAsync(string method, Func<JsonElement, bool> match, int after = 0, TimeSpan? timeout = null)
    {
        var waiter = new Waiter(method, match, after);
        lock (_gate)
        {
            for (var i = after; i < _messages.Count; i++)
            {
                if (_messages[i].Method == method && match(_messages[i].Payload)) return Task.FromResult(_messages[i].Payload);
            }
            _waiters.Add(waiter);
        }
        return Wait(waiter, timeout ?? Timeout);
    }

    /// <summary>The QueueUpdated of <paramref name="queue"/> that first satisfies <paramref name="match"/>.</summary>
    public Task<JsonElement> WaitForQueueAsync(string queue, Func<JsonElement, bool> match, int after = 0) =>
        WaitAsync("QueueUpdated", q => q.GetProperty("id").GetString() == queue && match(q), after);

    private async Task<JsonElement> Wait(Waiter waiter, TimeSpan timeout)
    {
        try
        {
            return await waiter.Done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            lock (_gate) _waiters.Remove(waiter);
            throw new Xunit.Sdk.XunitException(
                $"no matching {waiter.Method} within {timeout.TotalSeconds:0} s; received after #{waiter.After}:\n{Describe(waiter.After)}");
        }
    }

    private void Receive(string method, JsonElement payload)
    {
        var message = new HubMessage(method, payload.Clone(), Stopwatch.GetTimestamp());
        List<Waiter> done = [];
        lock (_gate)
        {
            _messages.Add(message);
            var index = _messages.Count - 1;
            foreach (var w in _waiters)
            {
                if (w.Method == method && index >= w.After && w.Match(message.Payload)) done.Add(w);
            }
            foreach (var w in done) _waiters.Remove(w);
        }
        foreach (var w in done) w.Done.TrySetResult(message.Payload);
    }

    /// <summary>The messages after <paramref name="after"/>, one a line and shortened (heartbeats counted, not listed).</summary>
    public string Describe(int after = 0)
    {
        lock (_gate)
        {
            var rest = _messages.Skip(after).ToList();
            var heartbeats = rest.Count(m => m.Method == "Heartbeat");
            var lines = rest.Where(m => m.Method != "Heartbeat")
                .Select(m => $"  {m.Method} {Shorten(m.Payload.GetRawText())}").ToList();
            lines.Add($"  ({heartbeats} heartbeats)");
            return string.Join("\n", lines);
        }
    }

    private static string Shorten(string s) => s.Length <= 400 ? s : s[..400] + "…";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Connection.DisposeAsync().AsTask().WaitAsync(Timeout);
        }
        catch (Exception)
        {
            // A connection that failed to start or was refused has nothing to close.
        }
    }

    private sealed class Waiter(string method, Func<JsonElement, bool> match, int after)
    {
        public string Method { get; } = method;
        public Func<JsonElement, bool> Match { get; } = match;
        public int After { get; } = after;
        public TaskCompletionSource<JsonElement> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

public sealed record HubMessage(string Method, JsonElement Payload, long Timestamp);

/// <summary>Reading the hub's payloads (camelCase JSON, the read API's shapes).</summary>
public static class HubJson
{
    public static string Id(this JsonElement e) => e.GetProperty("id").GetString()!;

    public static int Waiting(this JsonElement queue) => queue.GetProperty("waiting").GetInt32();

    public static long Offered(this JsonElement queue) => queue.GetProperty("today").GetProperty("offered").GetInt64();

    public static IReadOnlyList<JsonElement> Queues(this JsonElement snapshot) => [.. snapshot.GetProperty("queues").EnumerateArray()];

    public static IReadOnlyList<JsonElement> Agents(this JsonElement snapshot) => [.. snapshot.GetProperty("agents").EnumerateArray()];

    public static IReadOnlyList<string> Ids(this IEnumerable<JsonElement> items) => [.. items.Select(Id)];

    public static IReadOnlyList<string> Keys(this JsonElement e) => [.. e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
}

[CollectionDefinition(Name)]
public sealed class HubHostCollection : ICollectionFixture<TestHost>
{
    public const string Name = "Hub host";
}
