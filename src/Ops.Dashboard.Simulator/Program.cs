using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ops.Dashboard.Simulator;

/// <summary>The command: plays the contact centre against a running dashboard over HTTP.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var command = CommandLine.Parse(args, out var error);
        if (command is null)
        {
            if (!string.IsNullOrEmpty(error))
            {
                Console.Error.WriteLine(error);
            }
            Console.Error.WriteLine(CommandLine.Usage);
            return string.IsNullOrEmpty(error) ? 0 : 2;
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(command.Settings).Build();
        var options = config.GetSection(SimulatorOptions.SectionName).Get<SimulatorOptions>() ?? new SimulatorOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                Console.Error.WriteLine(problem);
            }
            return 2;
        }

        try
        {
            return command.Live ? await RunLiveAsync(config) : await SendHistoryAsync(options, command.HistoryWeeks);
        }
        catch (EventSinkException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }

    /// <summary>The live service catches up the history itself, then keeps going until Ctrl+C.</summary>
    private static async Task<int> RunLiveAsync(IConfiguration config)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddConfiguration(config);
        // One line per POST would drown the simulator's own messages.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Services.AddOpsSimulator(builder.Configuration);
        await builder.Build().RunAsync();
        return 0;
    }

    private static async Task<int> SendHistoryAsync(SimulatorOptions options, int weeks)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var sink = new HttpEventSink(http, options.TargetUrl!, options.ApiKey!, loggers.CreateLogger<HttpEventSink>());
        var now = TimeProvider.System.GetUtcNow();
        var engine = new SimulationEngine(options, SimulationEngine.HistoryStart(now, weeks, options.TimeZoneId));
        Console.WriteLine($"Sending {weeks} week(s) of history from {engine.Start:yyyy-MM-dd HH:mm zzz} to {sink.Endpoint} ...");
        try
        {
            var sent = await new HistoryGenerator(engine, sink, options.BatchSize).RunAsync(now, cts.Token);
            Console.WriteLine($"Sent {sent} events.");
            return 0;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
    }
}
