using System.Net;
using System.Text;
using System.Text.Json;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

public sealed class HttpEventSinkTests
{
    private static readonly OpsEvent[] Batch =
    [
        new() { Id = "e1", Type = EventType.ContactCreated, At = Sim.At(0, 10), ContactId = "c1", Queue = "billing", Channel = Channel.Phone, Priority = Priority.Medium },
        new() { Id = "e2", Type = EventType.ContactAbandoned, At = Sim.At(0, 10, 1), ContactId = "c1" },
    ];

    [Fact]
    public async Task Posts_the_contract_json_with_the_api_key()
    {
        var handler = new ScriptedHandler(HttpStatusCode.Accepted);
        var sink = new HttpEventSink(new HttpClient(handler), "http://dash.example:5000/", "secret");

        await sink.SendAsync(Batch, CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://dash.example:5000/api/v1/events", request.Uri.ToString());
        Assert.Equal("secret", request.ApiKey);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(ContractJson.Serialize(Batch), request.Body);
    }

    [Fact]
    public async Task Server_errors_and_timeouts_are_retried_until_the_batch_is_accepted()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, null, HttpStatusCode.InternalServerError, HttpStatusCode.Accepted);
        var sink = new HttpEventSink(new HttpClient(handler), "http://dash", "k") { BaseDelay = TimeSpan.Zero };

        await sink.SendAsync(Batch, CancellationToken.None);

        Assert.Equal(4, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal(handler.Requests[0].Body, r.Body));
    }

    [Fact]
    public async Task Gives_up_after_the_last_attempt()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway);
        var sink = new HttpEventSink(new HttpClient(handler), "http://dash", "k") { BaseDelay = TimeSpan.Zero, MaxAttempts = 3 };

        var ex = await Assert.ThrowsAsync<EventSinkException>(() => sink.SendAsync(Batch, CancellationToken.None));
        Assert.Equal(3, handler.Requests.Count);
        Assert.Contains("502", ex.Message);
    }

    [Fact]
    public async Task A_client_error_is_thrown_at_once_with_the_servers_problem_text()
    {
        const string problem = """{"title":"Invalid events","errors":{"[0].queue":["unknown queue 'billing'"]}}""";
        var handler = new ScriptedHandler((HttpStatusCode.BadRequest, problem));
        var sink = new HttpEventSink(new HttpClient(handler), "http://dash", "k") { BaseDelay = TimeSpan.Zero };

        var ex = await Assert.ThrowsAsync<EventSinkException>(() => sink.SendAsync(Batch, CancellationToken.None));

        Assert.Single(handler.Requests);
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal(problem, ex.Problem);
        Assert.Contains("unknown queue 'billing'", ex.Message);
    }

    [Fact]
    public async Task An_oversized_batch_is_split()
    {
        var handler = new ScriptedHandler(HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.Accepted, HttpStatusCode.Accepted);
        var sink = new HttpEventSink(new HttpClient(handler), "http://dash", "k");

        await sink.SendAsync(Batch, CancellationToken.None);

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(new[] { "e1" }, Ids(handler.Requests[1].Body));
        Assert.Equal(new[] { "e2" }, Ids(handler.Requests[2].Body));
    }

    private static string[] Ids(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();
    }

    /// <summary>Answers with the given statuses in turn; null stands for a timeout.</summary>
    private sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly Queue<(HttpStatusCode? Status, string Body)> _script;

        public ScriptedHandler(params HttpStatusCode?[] statuses) => _script = new(statuses.Select(s => (s, "")));

        public ScriptedHandler((HttpStatusCode, string) answer) => _script = new([(answer.Item1, answer.Item2)]);

        public List<Recorded> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Requests.Add(new Recorded(
                request.Method,
                request.RequestUri!,
                request.Headers.TryGetValues("X-Api-Key", out var keys) ? keys.Single() : null,
                request.Content!.Headers.ContentType!.MediaType!,
                await request.Content.ReadAsStringAsync(ct)));
            var (status, body) = _script.Dequeue();
            if (status is null)
            {
                throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.");
            }
            return new HttpResponseMessage(status.Value) { Content = new StringContent(body, Encoding.UTF8, "application/problem+json") };
        }
    }

    private sealed record Recorded(HttpMethod Method, Uri Uri, string? ApiKey, string ContentType, string Body);
}
