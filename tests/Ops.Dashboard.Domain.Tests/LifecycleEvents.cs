using System.Globalization;

namespace Ops.Dashboard.Domain.Tests;

/// <summary>
/// Builders for contract-v1 events as the parser would produce them. Ids are derived from the
/// subject, the kind and the timestamp, so the same call twice gives a duplicate (same id).
/// </summary>
internal static class Ev
{
    public static DateTimeOffset T(string rfc3339) =>
        DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static string Id(string subject, string kind, DateTimeOffset at) =>
        $"{subject}:{kind}:{at.UtcDateTime:yyyyMMddTHHmmss.fff}";

    public static OpsEvent Created(string contact, string queue, string at, Priority priority = Priority.Medium, Channel channel = Channel.Phone) =>
        new()
        {
            Id = Id(contact, "created", T(at)),
            Type = EventType.ContactCreated,
            At = T(at),
            ContactId = contact,
            Queue = queue,
            Channel = channel,
            Priority = priority,
        };

    public static OpsEvent Answered(string contact, string agent, string at) =>
        new() { Id = Id(contact, "answered", T(at)), Type = EventType.ContactAnswered, At = T(at), ContactId = contact, AgentId = agent };

    public static OpsEvent Abandoned(string contact, string at) =>
        new() { Id = Id(contact, "abandoned", T(at)), Type = EventType.ContactAbandoned, At = T(at), ContactId = contact };

    public static OpsEvent Transferred(string contact, string toQueue, string at) =>
        new() { Id = Id(contact, "transferred", T(at)), Type = EventType.ContactTransferred, At = T(at), ContactId = contact, Queue = toQueue };

    public static OpsEvent Resolved(string contact, string at, string? agent = null) =>
        new() { Id = Id(contact, "resolved", T(at)), Type = EventType.ContactResolved, At = T(at), ContactId = contact, AgentId = agent };

    public static OpsEvent Csat(string contact, int score, string at) =>
        new() { Id = Id(contact, "csat", T(at)), Type = EventType.ContactCsat, At = T(at), ContactId = contact, Score = score };

    public static OpsEvent State(string agent, AgentState state, string at) =>
        new() { Id = Id(agent, state.Name(), T(at)), Type = EventType.AgentState, At = T(at), AgentId = agent, State = state };

    /// <summary>Thresholds used throughout: "phone" T = 20 s, S = 5 s; "tech" T = 60 s, S = 5 s.</summary>
    public static QueueThresholds Thresholds(string queue) => queue switch
    {
        "phone" => new QueueThresholds(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5)),
        "tech" => new QueueThresholds(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5)),
        _ => throw new ArgumentException($"no thresholds for queue '{queue}' in this test"),
    };

    public static IntervalKey Key(string queue, string intervalStart) => new(queue, T(intervalStart).ToUnixTimeMilliseconds());

    /// <summary>Contact events go to the contact, agent.state events to the agent timeline (as the grains do).</summary>
    public static ContactLifecycle Derive(string contactId, IEnumerable<OpsEvent> all)
    {
        var list = all.ToList();
        return ContactLifecycle.Derive(
            contactId,
            list.Where(e => e.Type != EventType.AgentState),
            list.Where(e => e.Type == EventType.AgentState));
    }

    public static Dictionary<IntervalKey, IntervalCounters> Contribution(string contactId, IEnumerable<OpsEvent> all) =>
        Derive(contactId, all).Contribution(Thresholds);

    /// <summary>Equal as dictionaries: the same keys with equal counters.</summary>
    public static void EqualCounters(
        IReadOnlyDictionary<IntervalKey, IntervalCounters> expected,
        IReadOnlyDictionary<IntervalKey, IntervalCounters> actual)
    {
        Assert.Equal(
            expected.OrderBy(kv => kv.Key.Queue, StringComparer.Ordinal).ThenBy(kv => kv.Key.StartMs).Select(kv => kv.Key),
            actual.OrderBy(kv => kv.Key.Queue, StringComparer.Ordinal).ThenBy(kv => kv.Key.StartMs).Select(kv => kv.Key));
        foreach (var (key, value) in expected)
            Assert.Equal(value, actual[key]);
    }

    /// <summary>Rolls 15-minute intervals up into local days of the site (DayBounds of each date).</summary>
    public static IntervalCounters Day(
        IReadOnlyDictionary<IntervalKey, IntervalCounters> contribution, SiteClock clock, string queue, DateOnly localDate)
    {
        var (start, end) = clock.DayBounds(localDate);
        return contribution
            .Where(kv => kv.Key.Queue == queue && kv.Key.Start >= start && kv.Key.Start < end)
            .Aggregate(IntervalCounters.Zero, (sum, kv) => sum + kv.Value);
    }
}
