using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>Shared set-up: a Monday in the site's zone and small option builders.</summary>
internal static class Sim
{
    /// <summary>Monday 16 November 2026, 00:00 in Europe/Berlin (UTC+1).</summary>
    public static readonly DateTimeOffset Monday = new(2026, 11, 16, 0, 0, 0, TimeSpan.FromHours(1));

    public static DateTimeOffset At(int dayOffset, int hour, int minute = 0, int second = 0) =>
        Monday.AddDays(dayOffset).AddHours(hour).AddMinutes(minute).AddSeconds(second);

    /// <summary>
    /// Queue "q" served by "always on" agents a1…aN with a fixed handle time; no generated traffic unless
    /// a volume is given. With no agents, one agent serves only a queue "elsewhere", so nobody serves "q".
    /// </summary>
    public static SimulatorOptions HandMade(int agents, double handleSeconds = 60, double volume = 0, Channel channel = Channel.Phone, params string[] extraQueues)
    {
        var options = new SimulatorOptions
        {
            Seed = 3,
            DailyNoisePercent = 0,
            EscalationPercent = 0,
            CsatPercent = 0,
            Queues = [new SimQueue { Id = "q", Channel = channel, DailyVolume = volume, MeanHandleSeconds = handleSeconds, MedianHandleSeconds = handleSeconds }],
        };
        foreach (var extra in extraQueues)
        {
            options.Queues.Add(new SimQueue { Id = extra, Channel = Channel.Phone, DailyVolume = 0, MeanHandleSeconds = handleSeconds, MedianHandleSeconds = handleSeconds });
        }
        if (agents == 0)
        {
            options.Queues.Add(new SimQueue { Id = "elsewhere", Channel = Channel.Phone, DailyVolume = 0 });
            options.Roster.Add(new SimAgent { Id = "x1", Name = "Elsewhere", Team = "T", Queues = ["elsewhere"], Shift = SimShift.Always });
        }
        for (var i = 1; i <= agents; i++)
        {
            options.Roster.Add(new SimAgent { Id = $"a{i}", Name = $"Agent {i}", Team = "T", Queues = ["q"], Shift = SimShift.Always });
        }
        return options;
    }

    /// <summary>Advances in fixed steps, as the live service would, collecting everything.</summary>
    public static List<OpsEvent> Run(SimulationEngine engine, DateTimeOffset until, TimeSpan? step = null)
    {
        var events = new List<OpsEvent>();
        var size = step ?? TimeSpan.FromMinutes(15);
        for (var t = engine.Now; t < until;)
        {
            t = t + size < until ? t + size : until;
            events.AddRange(engine.AdvanceTo(t));
        }
        return events;
    }

    public static IEnumerable<OpsEvent> OfKind(this IEnumerable<OpsEvent> events, EventType type) => events.Where(e => e.Type == type);

    public static OpsEvent AnswerOf(this IEnumerable<OpsEvent> events, string contactId) =>
        events.Single(e => e.Type == EventType.ContactAnswered && e.ContactId == contactId);
}
