using System.Globalization;
using Ops.Dashboard.Testing;
using Ops.Dashboard.HubLoadTest;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

HubLoadOptions options;
try
{
    if (args.Any(a => a is "-h" or "--help" or "-?" or "help"))
    {
        Console.WriteLine(HubLoadOptions.Usage);
        return 0;
    }
    options = HubLoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("(--help lists the options)");
    return 2;
}

using var cancel = new RunCancellation();

var root = Server.FindRepoRoot();
var (queues, _) = Server.SiteConfig(root);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {ProcSample.LoadAverage()}");
Console.WriteLine("starting the server (Release build, simulator off) …");
await using var server = await Server.StartAsync(options, cancel.Token);
Console.WriteLine($"server pid {server.Pid} at {server.Url} (log {server.LogPath})");
try
{
    return options.Circuits > 0
        ? await new CircuitsRun(options, server, queues).RunAsync(cancel.Token)
        : await new HubRun(options, server, queues).RunAsync(cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
