using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

public sealed class HostingTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Options_bind_from_the_Simulator_section_with_lower_case_channels()
    {
        var services = new ServiceCollection().AddOpsSimulator(Config(
            ("Simulator:Seed", "42"),
            ("Simulator:Queues:0:Id", "chat"),
            ("Simulator:Queues:0:Channel", "messenger"),
            ("Simulator:Queues:0:DailyVolume", "450")));
        var options = services.BuildServiceProvider().GetRequiredService<IOptions<SimulatorOptions>>().Value;

        Assert.False(options.Enabled);
        Assert.Equal(42, options.Seed);
        Assert.Equal(60, options.Agents);
        Assert.Equal(8, options.HistoryWeeks);
        Assert.Equal("tech", options.EscalationQueue);
        Assert.Equal(1, options.SurgeFactor);
        var queue = Assert.Single(options.Queues);
        Assert.Equal(Channel.Messenger, queue.Channel);
        Assert.Equal(450, queue.DailyVolume);
    }

    [Fact]
    public void Nothing_runs_unless_enabled()
    {
        var services = new ServiceCollection().AddOpsSimulator(Config());
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostedService));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(SimulationEngine));
    }

    [Fact]
    public void When_enabled_the_engine_starts_at_the_history_start_and_the_service_uses_the_hosts_sink()
    {
        var time = new FakeTimeProvider(Sim.At(0, 12));
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IEventSink>(new RecordingSink())
            .AddOpsSimulator(Config(("Simulator:Enabled", "true"), ("Simulator:HistoryWeeks", "2")));
        using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<SimulationEngine>();
        Assert.Equal(Sim.At(-14, 0), engine.Start);
        Assert.IsType<SimulatorService>(Assert.Single(provider.GetServices<IHostedService>()));
    }

    [Fact]
    public void Remote_mode_registers_the_http_sink_and_invalid_options_are_reported_by_name()
    {
        var services = new ServiceCollection().AddLogging().AddOpsSimulator(Config(
            ("Simulator:Enabled", "true"), ("Simulator:TargetUrl", "http://localhost:5000"), ("Simulator:ApiKey", "k")));
        Assert.IsType<HttpEventSink>(services.BuildServiceProvider().GetRequiredService<IEventSink>());

        var bad = new ServiceCollection().AddOpsSimulator(Config(
            ("Simulator:Enabled", "true"), ("Simulator:SpeedFactor", "0"), ("Simulator:TimeZoneId", "Mars/Olympus")));
        var ex = Assert.Throws<OptionsValidationException>(() => bad.BuildServiceProvider().GetRequiredService<IOptions<SimulatorOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains("SpeedFactor"));
        Assert.Contains(ex.Failures, f => f.Contains("Mars/Olympus"));
    }

    [Fact]
    public async Task The_live_service_keeps_running_when_the_sink_fails_and_delivers_every_event_once_in_order()
    {
        var start = Sim.At(0, 10);
        var time = new FakeTimeProvider(start);
        var options = Sim.HandMade(agents: 2, volume: 3000);
        options.HistoryWeeks = 0;
        var engine = new SimulationEngine(options, start);
        var reference = new SimulationEngine(options, start);
        var sink = new RecordingSink { FailuresToCome = 3 };
        using var service = new SimulatorService(engine, sink, Options.Create(options), time, NullLogger<SimulatorService>.Instance);

        await service.StartAsync(CancellationToken.None);
        // Drive three simulated minutes in 250 ms ticks; the sink fails the first three deliveries.
        var end = start.AddMinutes(3);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!giveUp.IsCancellationRequested && (time.GetUtcNow() < end || sink.LastAt < engine.Now.AddSeconds(-60)))
        {
            if (time.GetUtcNow() < end)
            {
                time.Advance(TimeSpan.FromMilliseconds(250));
            }
            else
            {
                // Past the end: let the backoff expire so the queued events go out.
                time.Advance(TimeSpan.FromSeconds(5));
            }
            await Task.Delay(1);
        }
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(0, sink.FailuresToCome);
        Assert.NotNull(service.ExecuteTask);
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
        var expected = reference.AdvanceTo(engine.Now).Select(e => e.Id).ToList();
        Assert.True(expected.Count > 30, $"{expected.Count} events");
        Assert.Equal(expected.Take(sink.Ids.Count), sink.Ids);
        Assert.Equal(sink.Ids.Count, sink.Ids.Distinct().Count());
    }

    private sealed class RecordingSink : IEventSink
    {
        public int FailuresToCome { get; set; }
        public List<string> Ids { get; } = [];
        public DateTimeOffset LastAt { get; private set; } = DateTimeOffset.MinValue;

        public Task SendAsync(IReadOnlyList<OpsEvent> events, CancellationToken ct)
        {
            if (FailuresToCome > 0)
            {
                FailuresToCome--;
                throw new HttpRequestException("dashboard down");
            }
            Ids.AddRange(events.Select(e => e.Id));
            LastAt = events[^1].At;
            return Task.CompletedTask;
        }
    }
}
