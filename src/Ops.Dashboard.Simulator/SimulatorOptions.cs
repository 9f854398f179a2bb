using Microsoft.Extensions.Options;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>
/// Settings of the traffic simulator, bound from the configuration section <see cref="SectionName"/>.
/// Defaults are the figures of REFERENCE.md; the web host fills <see cref="Queues"/> from the site's queue config.
/// </summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    public bool Enabled { get; set; }

    public int Seed { get; set; } = 1;

    /// <summary>Size of the generated roster; ignored when <see cref="Roster"/> names the agents.</summary>
    public int Agents { get; set; } = 60;

    /// <summary>The queues to generate traffic for; empty means <see cref="DefaultQueues"/>.</summary>
    public List<SimQueue> Queues { get; set; } = [];

    /// <summary>Explicit agents instead of a generated roster (demo sites with named agents, hand-made test cases).</summary>
    public List<SimAgent> Roster { get; set; } = [];

    public int HistoryWeeks { get; set; } = 8;

    /// <summary>Simulated seconds per wall-clock second in live mode.</summary>
    public double SpeedFactor { get; set; } = 1;

    /// <summary>Base address of a remote dashboard (remote mode); events go to {TargetUrl}/api/v1/events.</summary>
    public string? TargetUrl { get; set; }

    public string? ApiKey { get; set; }

    public string EscalationQueue { get; set; } = "tech";

    /// <summary>Share of handled contacts (outside the escalation queue) that are transferred to it.</summary>
    public double EscalationPercent { get; set; } = 5;

    /// <summary>Multiplies every arrival rate; raise it for a demo surge.</summary>
    public double SurgeFactor { get; set; } = 1;

    /// <summary>IANA id of the site's time zone; the daily and weekly shapes are in local time.</summary>
    public string TimeZoneId { get; set; } = "Europe/Berlin";

    /// <summary>Share of resolved contacts whose customer leaves a CSAT score.</summary>
    public double CsatPercent { get; set; } = 25;

    /// <summary>Part of each handle time spent in wrap-up after the customer is gone.</summary>
    public double WrapUpPercent { get; set; } = 20;

    /// <summary>Customer patience of live channels (log-normal; REFERENCE.md: mean 68 s, median 43 s).</summary>
    public double PatienceMeanSeconds { get; set; } = 68;

    public double PatienceMedianSeconds { get; set; } = 43;

    /// <summary>Day-to-day variation of the volume beyond Poisson noise (standard deviation, percent); 0 = none.</summary>
    public double DailyNoisePercent { get; set; } = 5;

    /// <summary>Events per batch sent to the sink.</summary>
    public int BatchSize { get; set; } = 2000;

    /// <summary>
    /// The demo centre when nothing is configured: the ids of config/queues.json, the handle times of
    /// REFERENCE.md (retail 175/114 s, short calls 99/60 s, internet support 430/236 s) and volumes
    /// that keep a 60-agent roster at a realistic occupancy.
    /// </summary>
    public static IReadOnlyList<SimQueue> DefaultQueues { get; } =
    [
        new() { Id = "billing", Channel = Channel.Phone, DailyVolume = 1100, MeanHandleSeconds = 175, MedianHandleSeconds = 114, TargetSeconds = 20 },
        new() { Id = "tech", Channel = Channel.Phone, DailyVolume = 250, MeanHandleSeconds = 430, MedianHandleSeconds = 236, TargetSeconds = 30 },
        new() { Id = "sales", Channel = Channel.Phone, DailyVolume = 700, MeanHandleSeconds = 99, MedianHandleSeconds = 60, TargetSeconds = 30 },
        new() { Id = "chat", Channel = Channel.Messenger, DailyVolume = 450, TargetSeconds = 60 },
        new() { Id = "tickets", Channel = Channel.Ticket, DailyVolume = 350, TargetSeconds = 14_400 },
        new() { Id = "social", Channel = Channel.Social, DailyVolume = 120, TargetSeconds = 86_400 },
    ];

    /// <summary>The queues the engine runs: the configured ones, or the defaults when none are.</summary>
    public IReadOnlyList<SimQueue> EffectiveQueues => Queues.Count > 0 ? Queues : DefaultQueues;

    /// <summary>Every problem with these settings, worded for an operator; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Roster.Count == 0 && Agents < 1)
        {
            errors.Add($"Simulator:Agents must be at least 1 (was {Agents}).");
        }
        if (HistoryWeeks < 0)
        {
            errors.Add($"Simulator:HistoryWeeks must not be negative (was {HistoryWeeks}).");
        }
        if (!(SpeedFactor > 0))
        {
            errors.Add($"Simulator:SpeedFactor must be positive (was {SpeedFactor}).");
        }
        if (!(SurgeFactor >= 0))
        {
            errors.Add($"Simulator:SurgeFactor must not be negative (was {SurgeFactor}).");
        }
        CheckPercent(errors, nameof(EscalationPercent), EscalationPercent);
        CheckPercent(errors, nameof(CsatPercent), CsatPercent);
        CheckPercent(errors, nameof(WrapUpPercent), WrapUpPercent);
        if (!(DailyNoisePercent >= 0 && DailyNoisePercent <= 50))
        {
            errors.Add($"Simulator:DailyNoisePercent must be within 0–50 (was {DailyNoisePercent}).");
        }
        if (!(PatienceMedianSeconds > 0 && PatienceMeanSeconds >= PatienceMedianSeconds))
        {
            errors.Add("Simulator:PatienceMedianSeconds must be positive and not above PatienceMeanSeconds.");
        }
        if (BatchSize < 1)
        {
            errors.Add($"Simulator:BatchSize must be at least 1 (was {BatchSize}).");
        }
        if (string.IsNullOrWhiteSpace(TimeZoneId) || !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZoneId, out _))
        {
            errors.Add($"Simulator:TimeZoneId '{TimeZoneId}' is not a known time zone.");
        }
        if (TargetUrl is { Length: > 0 } && !Uri.TryCreate(TargetUrl, UriKind.Absolute, out _))
        {
            errors.Add($"Simulator:TargetUrl '{TargetUrl}' is not an absolute URL.");
        }
        if (TargetUrl is { Length: > 0 } && string.IsNullOrWhiteSpace(ApiKey))
        {
            errors.Add("Simulator:ApiKey is required when Simulator:TargetUrl is set.");
        }

        var queues = EffectiveQueues;
        // The routing keeps each agent's skills as a 64-bit mask.
        if (queues.Count > 64)
        {
            errors.Add($"Simulator:Queues has {queues.Count} entries; at most 64 are supported.");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < queues.Count; i++)
        {
            var q = queues[i];
            if (string.IsNullOrWhiteSpace(q.Id))
            {
                errors.Add($"Simulator:Queues:{i}:Id is empty.");
            }
            else if (!ids.Add(q.Id))
            {
                errors.Add($"Simulator:Queues:{i}:Id '{q.Id}' is configured twice.");
            }
            if (q.DailyVolume is < 0 || q.DailyVolume is double.NaN)
            {
                errors.Add($"Simulator:Queues:{i}:DailyVolume must not be negative.");
            }
            var (mean, median) = q.HandleSeconds();
            if (!(median > 0 && mean >= median))
            {
                errors.Add($"Simulator:Queues:{i} ('{q.Id}'): MedianHandleSeconds must be positive and not above MeanHandleSeconds.");
            }
            if (q.TargetSeconds is <= 0)
            {
                errors.Add($"Simulator:Queues:{i}:TargetSeconds must be positive.");
            }
        }

        var agentIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Roster.Count; i++)
        {
            var a = Roster[i];
            if (string.IsNullOrWhiteSpace(a.Id))
            {
                errors.Add($"Simulator:Roster:{i}:Id is empty.");
            }
            else if (!agentIds.Add(a.Id))
            {
                errors.Add($"Simulator:Roster:{i}:Id '{a.Id}' is configured twice.");
            }
            foreach (var q in a.Queues.Where(q => !ids.Contains(q)))
            {
                errors.Add($"Simulator:Roster:{i} ('{a.Id}') serves unknown queue '{q}'.");
            }
        }
        return errors;
    }

    private static void CheckPercent(List<string> errors, string name, double value)
    {
        if (!(value >= 0 && value <= 100))
        {
            errors.Add($"Simulator:{name} must be within 0–100 (was {value}).");
        }
    }
}

/// <summary>One queue of the simulated centre. Unset figures fall back to the channel's defaults.</summary>
public sealed class SimQueue
{
    public string Id { get; set; } = "";

    public Channel Channel { get; set; } = Channel.Phone;

    /// <summary>Contacts on a busy weekday (before the surge factor); 0 = no generated traffic.</summary>
    public double? DailyVolume { get; set; }

    public double? MeanHandleSeconds { get; set; }

    public double? MedianHandleSeconds { get; set; }

    /// <summary>Service-level threshold (phone) or first-response target (async); routing serves the most overdue first.</summary>
    public double? TargetSeconds { get; set; }

    public double Volume() => DailyVolume ?? TrafficProfile.DefaultDailyVolume(Channel);

    public (double Mean, double Median) HandleSeconds()
    {
        var (mean, median) = TrafficProfile.DefaultHandleSeconds(Channel);
        return (MeanHandleSeconds ?? mean, MedianHandleSeconds ?? median);
    }

    public double Target() => TargetSeconds ?? TrafficProfile.DefaultTargetSeconds(Channel);
}

/// <summary>An agent of an explicit roster.</summary>
public sealed class SimAgent
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string Team { get; set; } = "";

    public List<string> Queues { get; set; } = [];

    /// <summary>A fixed shift; null = the weekly rotation of the agent's team.</summary>
    public SimShift? Shift { get; set; }
}

public enum SimShift
{
    /// <summary>Früh, 08–16 local.</summary>
    Early,

    /// <summary>Spät, 16–24 local.</summary>
    Late,

    /// <summary>Nacht, 00–08 local.</summary>
    Night,

    /// <summary>Logged in around the clock without breaks (kiosk agents, hand-made test cases).</summary>
    Always,
}

/// <summary>Reports every problem of <see cref="SimulatorOptions"/> at host start; a disabled simulator is not checked.</summary>
public sealed class SimulatorOptionsValidator : IValidateOptions<SimulatorOptions>
{
    public ValidateOptionsResult Validate(string? name, SimulatorOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Skip;
        }
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
