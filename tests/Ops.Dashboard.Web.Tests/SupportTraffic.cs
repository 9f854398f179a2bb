using Ops.Dashboard.Testing;
using System.Text.Json.Nodes;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// Seeded, realistic contact-centre traffic as an ACD would report it: agents log in and serve
/// their queues, calls wait for the next free agent or give up, some are escalated to tech, agents
/// wrap up, customers leave CSAT scores. Every agent's events are consistent in time. Events after
/// the window's end are left out, so contacts and agents are caught mid-flight as in real life.
/// </summary>
public sealed class Traffic
{
    private static readonly (string Queue, string Channel)[] Queues =
        [("billing", "phone"), ("sales", "phone"), ("tech", "phone"), ("chat", "messenger"), ("tickets", "email"), ("social", "social")];

    /// <summary>
    /// When set, an escalated contact is never answered again by the agent who took it first. Off by
    /// default, so restart comparisons also cover contacts that come back to the same agent.
    /// </summary>
    public bool AvoidSameAgent { get; init; }

    public List<JsonObject> Events { get; } = [];
    public List<string> ContactIds { get; } = [];

    /// <summary>Contacts still waiting at the window's end: id, queue, when they entered it.</summary>
    public List<(string Id, string Queue, DateTimeOffset Since)> WaitingAtEnd { get; } = [];

    public static Traffic Generate(int seed, string prefix, DateTimeOffset start, DateTimeOffset end, int contacts, int agents, int extraWaiting = 3, bool avoidSameAgent = false)
    {
        var rng = new Random(seed);
        var traffic = new Traffic { AvoidSameAgent = avoidSameAgent };
        var order = 0L;
        var timeline = new List<(DateTimeOffset At, long Order, JsonObject Event)>();
        void Emit(JsonObject e)
        {
            var at = OpsApi.Instant(e["at"]);
            if (at <= end) timeline.Add((at, order++, e));
        }

        var staff = new List<(string Id, string[] Queues)>();
        for (var i = 0; i < agents; i++)
        {
            var primary = Queues[i % Queues.Length].Queue;
            var second = Queues[rng.Next(Queues.Length)].Queue;
            var serves = primary == second ? new[] { primary } : [primary, second];
            var id = $"{prefix}-agent-{i:000}";
            staff.Add((id, serves));
            Emit(WireEvents.AgentQueues(id, start.AddMinutes(-5), serves));
            Emit(WireEvents.AgentState(id, "available", start.AddMinutes(-5).AddSeconds(i), name: $"Agent {i}", team: $"Team {i % 4}"));
        }
        var freeAt = staff.ToDictionary(a => a.Id, _ => start);

        // Arrivals (new contacts and escalations into tech) in time order.
        var arrivals = new PriorityQueue<(string Contact, string Queue, bool New), (DateTimeOffset, long)>();
        var answeredBy = new Dictionary<string, string>();
        var span = (end - start).TotalSeconds;
        for (var i = 0; i < contacts; i++)
        {
            var at = start.AddSeconds(Math.Round(rng.NextDouble() * span, 3));
            var (queue, channel) = Queues[rng.Next(Queues.Length)];
            var id = $"{prefix}-c{i:0000}";
            traffic.ContactIds.Add(id);
            var priority = rng.NextDouble() switch { < 0.05 => "critical", < 0.2 => "high", < 0.9 => "medium", _ => "low" };
            Emit(WireEvents.Created(id, queue, at, channel, priority));
            arrivals.Enqueue((id, queue, true), (at, i));
        }

        var tie = contacts;
        while (arrivals.TryDequeue(out var arrival, out var key))
        {
            var (at, _) = key;
            if (at > end) continue; // an escalation that has not happened yet
            var live = arrival.Queue is not ("tickets" or "social");
            var patience = TimeSpan.FromSeconds(live ? 5 + rng.NextDouble() * 240 : 6 * 3600);
            var candidates = staff.Where(a => a.Queues.Contains(arrival.Queue) && (!traffic.AvoidSameAgent || answeredBy.GetValueOrDefault(arrival.Contact) != a.Id)).ToList();
            var agent = candidates.Count == 0 ? null : candidates.MinBy(a => freeAt[a.Id]).Id;
            var answerAt = agent is null ? DateTimeOffset.MaxValue : Max(at.AddSeconds(1 + rng.Next(4)), freeAt[agent]);
            if (answerAt - at > patience)
            {
                var gaveUp = at + patience;
                if (live) Emit(WireEvents.Abandoned(arrival.Contact, gaveUp));
                if (gaveUp > end || !live) traffic.WaitingAtEnd.Add((arrival.Contact, arrival.Queue, at));
                continue;
            }
            if (answerAt > end)
            {
                traffic.WaitingAtEnd.Add((arrival.Contact, arrival.Queue, at));
            }
            answeredBy[arrival.Contact] = agent!;
            Emit(WireEvents.AgentState(agent!, "on_contact", answerAt));
            Emit(WireEvents.Answered(arrival.Contact, agent!, answerAt));
            var talkEnd = answerAt.AddSeconds(30 + rng.Next(400));
            if (arrival.Queue != "tech" && rng.NextDouble() < 0.08)
            {
                Emit(WireEvents.Transferred(arrival.Contact, "tech", talkEnd, "escalation"));
                arrivals.Enqueue((arrival.Contact, "tech", false), (talkEnd, tie++));
            }
            else
            {
                Emit(WireEvents.Resolved(arrival.Contact, talkEnd, agent));
                if (rng.NextDouble() < 0.2) Emit(WireEvents.Csat(arrival.Contact, 1 + rng.Next(5), talkEnd.AddSeconds(30 + rng.Next(600))));
            }
            var free = talkEnd;
            if (rng.NextDouble() < 0.6)
            {
                Emit(WireEvents.AgentState(agent!, "wrap_up", talkEnd));
                free = talkEnd.AddSeconds(5 + rng.Next(60));
            }
            Emit(WireEvents.AgentState(agent!, "available", free));
            freeAt[agent!] = free;
        }

        for (var i = 0; i < extraWaiting; i++)
        {
            var id = $"{prefix}-w{i}";
            var at = end.AddSeconds(-30 - i);
            traffic.ContactIds.Add(id);
            Emit(WireEvents.Created(id, "social", at, "social"));
            traffic.WaitingAtEnd.Add((id, "social", at));
        }

        traffic.Events.AddRange(timeline.OrderBy(t => t.At).ThenBy(t => t.Order).Select(t => t.Event));
        return traffic;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    public static IEnumerable<List<JsonObject>> Batches(IEnumerable<JsonObject> events, int size) => events.Chunk(size).Select(c => c.ToList());
}
