using Microsoft.Extensions.Configuration;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

public sealed class CommandLineTests
{
    [Fact]
    public void Arguments_become_simulator_settings()
    {
        var command = CommandLine.Parse(
            ["--url", "http://localhost:5000", "--key", "KEY", "--seed", "7", "--history-weeks", "2", "--live", "--queues", "billing:phone,chat:messenger:450"],
            out var error);

        Assert.Null(error);
        Assert.NotNull(command);
        Assert.True(command.Live);
        Assert.Equal(2, command.HistoryWeeks);
        var options = new ConfigurationBuilder().AddInMemoryCollection(command.Settings).Build()
            .GetSection(SimulatorOptions.SectionName).Get<SimulatorOptions>()!;
        Assert.True(options.Enabled);
        Assert.Equal(7, options.Seed);
        Assert.Equal(2, options.HistoryWeeks);
        Assert.Equal("http://localhost:5000", options.TargetUrl);
        Assert.Equal("KEY", options.ApiKey);
        Assert.Equal(new[] { "billing", "chat" }, options.Queues.Select(q => q.Id));
        Assert.Equal(Channel.Messenger, options.Queues[1].Channel);
        Assert.Null(options.Queues[0].DailyVolume);
        Assert.Equal(450, options.Queues[1].DailyVolume);
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("--key KEY --live", "--url")]
    [InlineData("--url http://x --key KEY", "Nothing to do")]
    [InlineData("--url ftp://x --key KEY --live", "http")]
    [InlineData("--url http://x --key KEY --live --seed many", "--seed")]
    [InlineData("--url http://x --key KEY --live --queues billing:fax", "channel one of")]
    [InlineData("--url http://x --key KEY --live --colour blue", "Unknown option")]
    [InlineData("--url http://x --key --live", "--key needs a value")]
    public void Bad_arguments_are_explained(string args, string message)
    {
        Assert.Null(CommandLine.Parse(args.Split(' '), out var error));
        Assert.Contains(message, error);
    }
}
