using System.Globalization;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>The simulator command's arguments, turned into "Simulator:*" configuration values.</summary>
public sealed record CommandLine
{
    public const string Usage = """
        Usage: dotnet run --project src/Ops.Dashboard.Simulator -- --url URL --key KEY
                 [--seed N] [--history-weeks N] [--live] [--queues id:channel[:perDay],...]
                 [--agents N] [--speed F] [--surge F] [--tz ZONE]

          --url URL           base address of a running dashboard (events go to URL/api/v1/events)
          --key KEY           API key sent as X-Api-Key
          --seed N            random seed (default 1); the same seed gives the same traffic
          --history-weeks N   first send N weeks of history ending now (default 0)
          --live              then keep generating in real time until Ctrl+C
          --queues LIST       queues to simulate, e.g. billing:phone:1100,chat:messenger
                              (default: the demo site's six queues)
          --agents N          roster size (default 60)
          --speed F           simulated seconds per real second in live mode (default 1)
          --surge F           arrival-rate multiplier (default 1)
          --tz ZONE           the site's time zone (default Europe/Berlin)
        Give --history-weeks and/or --live.
        """;

    public required string Url { get; init; }

    public required string Key { get; init; }

    public int HistoryWeeks { get; init; }

    public bool Live { get; init; }

    /// <summary>The configuration values the arguments stand for, keyed "Simulator:…".</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Parses the arguments; on failure returns null and says what is wrong.</summary>
    public static CommandLine? Parse(IReadOnlyList<string> args, out string? error)
    {
        const string s = SimulatorOptions.SectionName + ":";
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [s + nameof(SimulatorOptions.Enabled)] = "true",
            [s + nameof(SimulatorOptions.HistoryWeeks)] = "0",
        };
        string? url = null, key = null;
        int weeks = 0;
        var live = false;
        error = null;

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--live")
            {
                live = true;
                continue;
            }
            if (name is "--help" or "-h" or "-?")
            {
                error = "";
                return null;
            }
            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                error = $"{name} needs a value.";
                return null;
            }
            var value = args[++i];
            switch (name)
            {
                case "--url":
                    if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    {
                        error = $"--url '{value}' is not an http(s) address.";
                        return null;
                    }
                    url = value;
                    break;
                case "--key":
                    key = value;
                    break;
                case "--seed":
                    if (!TryInt(value, int.MinValue, out var seed, ref error, name))
                    {
                        return null;
                    }
                    settings[s + nameof(SimulatorOptions.Seed)] = seed.ToString(CultureInfo.InvariantCulture);
                    break;
                case "--history-weeks":
                    if (!TryInt(value, 0, out weeks, ref error, name))
                    {
                        return null;
                    }
                    settings[s + nameof(SimulatorOptions.HistoryWeeks)] = weeks.ToString(CultureInfo.InvariantCulture);
                    break;
                case "--agents":
                    if (!TryInt(value, 1, out var agents, ref error, name))
                    {
                        return null;
                    }
                    settings[s + nameof(SimulatorOptions.Agents)] = agents.ToString(CultureInfo.InvariantCulture);
                    break;
                case "--speed" or "--surge":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) || !(factor > 0) || double.IsInfinity(factor))
                    {
                        error = $"{name} '{value}' must be a positive number.";
                        return null;
                    }
                    var option = name == "--speed" ? nameof(SimulatorOptions.SpeedFactor) : nameof(SimulatorOptions.SurgeFactor);
                    settings[s + option] = factor.ToString("R", CultureInfo.InvariantCulture);
                    break;
                case "--tz":
                    settings[s + nameof(SimulatorOptions.TimeZoneId)] = value;
                    break;
                case "--queues":
                    if (!TryQueues(value, settings, ref error))
                    {
                        return null;
                    }
                    break;
                default:
                    error = $"Unknown option {name}.";
                    return null;
            }
        }

        if (url is null || key is null)
        {
            error = "--url and --key are required.";
            return null;
        }
        if (weeks == 0 && !live)
        {
            error = "Nothing to do: give --history-weeks N and/or --live.";
            return null;
        }
        settings[s + nameof(SimulatorOptions.TargetUrl)] = url;
        settings[s + nameof(SimulatorOptions.ApiKey)] = key;
        return new CommandLine { Url = url, Key = key, HistoryWeeks = weeks, Live = live, Settings = settings };
    }

    private static bool TryInt(string value, int min, out int result, ref string? error, string name)
    {
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out result) && result >= min)
        {
            return true;
        }
        error = $"{name} '{value}' must be a whole number{(min > int.MinValue ? $" of at least {min}" : "")}.";
        return false;
    }

    private static bool TryQueues(string value, Dictionary<string, string?> settings, ref string? error)
    {
        var entries = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0)
        {
            error = "--queues is empty.";
            return false;
        }
        for (var i = 0; i < entries.Length; i++)
        {
            var parts = entries[i].Split(':');
            var channel = parts.Length >= 2 ? Enum.GetValues<Channel>().Cast<Channel?>().FirstOrDefault(c => c!.Value.Name() == parts[1].ToLowerInvariant()) : null;
            double volume = 0;
            if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || channel is null
                || (parts.Length == 3 && (!double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out volume) || volume < 0)))
            {
                error = $"--queues entry '{entries[i]}' must be id:channel[:perDay] with channel one of "
                    + string.Join(", ", Enum.GetValues<Channel>().Select(c => c.Name())) + ".";
                return false;
            }
            var prefix = $"{SimulatorOptions.SectionName}:{nameof(SimulatorOptions.Queues)}:{i}:";
            settings[prefix + nameof(SimQueue.Id)] = parts[0];
            settings[prefix + nameof(SimQueue.Channel)] = channel.Value.ToString();
            if (parts.Length == 3)
            {
                settings[prefix + nameof(SimQueue.DailyVolume)] = volume.ToString("R", CultureInfo.InvariantCulture);
            }
        }
        return true;
    }
}
