using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// Outbound webhooks against a local receiver: the signature verifies with the shared secret, a 500 is
/// retried with backoff, delivery gives up after the configured attempts, every attempt is recorded,
/// and a failing target never slows the dashboard.
/// </summary>
[Collection(AccessHostCollection.Name)]
public sealed class WebhookTests(AccessTestHost host)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private WebhookTargetOptions Target(string? url = null) =>
        new() { Name = "test-target", Url = url ?? host.Receiver.Url, Secret = AccessTestHost.WebhookSecret };

    private async Task<IReadOnlyList<WebhookAttemptRecord>> AttemptsAsync(string marker, int expected)
    {
        var log = host.Service<WebhookAttemptLog>();
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var mine = (await log.RecentAsync(1000)).Where(a => a.Kind == marker).OrderBy(a => a.Attempt).ToList();
            if (mine.Count >= expected || DateTime.UtcNow > until) return mine;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_delivery_is_signed_with_the_targets_secret_and_retried_after_a_500_until_it_succeeds()
    {
        var marker = WireEvents.NewId("wh-retry-");
        Interlocked.Exchange(ref host.Receiver.FailNext, 2);

        host.Service<WebhookSender>().Enqueue(marker, [Target()], new { marker });

        var (body, headers) = await host.Receiver.WaitForAsync(b => b.Contains(marker), Patience);
        Assert.Equal(marker, JsonNode.Parse(body)!["marker"]!.GetValue<string>());
        // The receiver checks the body against the signature with the secret it shares with us.
        var expected = "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(AccessTestHost.WebhookSecret), System.Text.Encoding.UTF8.GetBytes(body)));
        Assert.Equal(expected, headers[WebhookSender.SignatureHeader]);
        Assert.Equal(marker, headers[WebhookSender.EventHeader]);

        var attempts = await AttemptsAsync(marker, 3);
        Assert.Equal([(1, (int?)500, false), (2, 500, false), (3, 204, true)], attempts.Select(a => (a.Attempt, a.StatusCode, a.Delivered)));
        Assert.Single(attempts.Select(a => a.DeliveryId).Distinct());
    }

    [Fact]
    public async Task A_target_that_keeps_failing_is_given_up_after_the_configured_attempts()
    {
        var marker = WireEvents.NewId("wh-giveup-");
        Interlocked.Exchange(ref host.Receiver.FailNext, 1000);
        try
        {
            host.Service<WebhookSender>().Enqueue(marker, [Target()], new { marker });

            var attempts = await AttemptsAsync(marker, 5);
            Assert.Equal(host.Options.Webhooks.MaxAttempts, attempts.Count);
            Assert.All(attempts, a => Assert.False(a.Delivered));
            // No attempt after the last one.
            await Task.Delay(1000);
            Assert.Equal(host.Options.Webhooks.MaxAttempts, (await host.Service<WebhookAttemptLog>().RecentAsync(1000)).Count(a => a.Kind == marker));
        }
        finally
        {
            Interlocked.Exchange(ref host.Receiver.FailNext, 0);
        }
    }

    [Fact]
    public async Task A_dead_target_does_not_slow_ingestion_or_reads()
    {
        var marker = WireEvents.NewId("wh-dead-");
        var dead = $"http://127.0.0.1:{SupportNet.FreePort()}/nobody-listens/";
        for (var i = 0; i < 20; i++) host.Service<WebhookSender>().Enqueue(marker, [Target(dead)], new { marker, i });

        var watch = Stopwatch.StartNew();
        await host.Api.IngestAsync([WireEvents.AgentState(WireEvents.NewId("wh-agent-"), "available", DateTimeOffset.UtcNow)]);
        using var read = await host.Api.Http.GetAsync("/api/v1/queues");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"ingestion and a read took {watch.Elapsed} while a target was down");

        var attempts = await AttemptsAsync(marker, 1);
        Assert.NotEmpty(attempts);
        Assert.All(attempts, a => Assert.NotNull(a.Error));
    }
}
