using Ops.Dashboard.Testing;

namespace Ops.Dashboard.Domain.Tests;

/// <summary>Lifecycle helpers of the domain tests; the events themselves come from <c>TestEvents</c>.</summary>
internal static class Ev
{
    /// <summary>Thresholds used throughout: "phone" T = 20 s, S = 5 s; "tech" T = 60 s, S = 5 s.</summary>
    public static QueueThresholds Thresholds(string queue) => queue switch
    {
        "phone" => new QueueThresholds(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5)),
        "tech" => new QueueThresholds(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5)),
        _ => throw new ArgumentException($"no thresholds for queue '{queue}' in this test"),
    };

    public static IntervalKey Key(string queue, string intervalStart) => new(queue, TestEvents.T(intervalStart).ToUnixTimeMilliseconds());

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
