using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>
/// Replays an event stream and checks the rules of a contact centre on it: contacts follow their
/// lifecycle, an agent handles one contact at a time and only from queues it serves.
/// </summary>
public sealed class StreamCheck
{
    public Dictionary<string, ContactView> Contacts { get; } = [];
    public Dictionary<string, AgentView> Agents { get; } = [];
    public List<string> Violations { get; } = [];

    public static StreamCheck Of(IEnumerable<OpsEvent> events)
    {
        var check = new StreamCheck();
        var last = DateTimeOffset.MinValue;
        foreach (var e in events)
        {
            if (e.At < last)
            {
                check.Violations.Add($"{e.Id} goes back in time");
            }
            last = e.At;
            check.Apply(e);
        }
        return check;
    }

    private void Apply(OpsEvent e)
    {
        switch (e.Type)
        {
            case EventType.ContactCreated:
                if (Contacts.ContainsKey(e.ContactId!))
                {
                    Violations.Add($"{e.ContactId} created twice");
                }
                Contacts[e.ContactId!] = new ContactView { Id = e.ContactId!, Queue = e.Queue!, Channel = e.Channel!.Value, Priority = e.Priority!.Value, Created = e.At, Status = "waiting", EnteredQueue = e.At };
                break;
            case EventType.ContactAnswered:
            {
                var c = Contacts[e.ContactId!];
                var a = Agents[e.AgentId!];
                Expect(c.Status == "waiting", $"{c.Id} answered while {c.Status}");
                Expect(a.Current is null, $"{a.Id} answered {c.Id} while handling {a.Current}");
                Expect(a.Queues.Contains(c.Queue), $"{a.Id} answered {c.Id} of '{c.Queue}' but serves [{string.Join(",", a.Queues)}]");
                Expect(a.State is AgentState.Available or AgentState.WrapUp or AgentState.Break or AgentState.Training or AgentState.Offline,
                    $"{a.Id} answered {c.Id} in state {a.State}");
                c.Status = "handling";
                c.Answered ??= e.At;
                c.Agents.Add(a.Id);
                c.Waits.Add(e.At - c.EnteredQueue);
                a.Current = c.Id;
                a.Answered++;
                break;
            }
            case EventType.ContactAbandoned:
            {
                var c = Contacts[e.ContactId!];
                Expect(c.Status == "waiting", $"{c.Id} abandoned while {c.Status}");
                Expect(!c.Channel.IsAsync(), $"{c.Id} on async channel {c.Channel} abandoned");
                c.Status = "abandoned";
                c.Abandoned = true;
                break;
            }
            case EventType.ContactTransferred:
            {
                var c = Contacts[e.ContactId!];
                Expect(c.Status == "handling", $"{c.Id} transferred while {c.Status}");
                ReleaseAgent(c);
                c.Status = "waiting";
                c.Queue = e.Queue!;
                c.EnteredQueue = e.At;
                c.Transfers.Add((e.Queue!, e.Reason));
                break;
            }
            case EventType.ContactResolved:
            {
                var c = Contacts[e.ContactId!];
                Expect(c.Status == "handling", $"{c.Id} resolved while {c.Status}");
                Expect(c.Agents[^1] == e.AgentId, $"{c.Id} resolved by {e.AgentId}, handled by {c.Agents[^1]}");
                c.TalkTime = e.At - c.Answered!.Value;
                ReleaseAgent(c);
                c.Status = "resolved";
                break;
            }
            case EventType.ContactCsat:
            {
                var c = Contacts[e.ContactId!];
                Expect(c.Status == "resolved", $"{c.Id} scored while {c.Status}");
                Expect(e.Score is >= 1 and <= 5, $"{c.Id} score {e.Score}");
                c.Score = e.Score;
                break;
            }
            case EventType.AgentState:
            {
                if (!Agents.TryGetValue(e.AgentId!, out var a))
                {
                    Expect(e.Name is not null && e.Team is not null, $"{e.AgentId} first appears without name and team");
                    a = Agents[e.AgentId!] = new AgentView { Id = e.AgentId! };
                }
                Expect(e.State is not AgentState.OnContact || a.Current is not null, $"{a.Id} on_contact without a contact");
                Expect(e.State is AgentState.OnContact or AgentState.WrapUp || a.Current is null, $"{a.Id} went {e.State} during {a.Current}");
                if (a.State == AgentState.Offline && e.State != AgentState.Offline)
                {
                    a.Logins.Add(e.At);
                }
                a.State = e.State!.Value;
                a.States.Add((e.At, a.State));
                break;
            }
            case EventType.AgentQueues:
                if (!Agents.TryGetValue(e.AgentId!, out var agent))
                {
                    agent = Agents[e.AgentId!] = new AgentView { Id = e.AgentId! };
                }
                agent.Queues = [.. e.Queues!];
                break;
        }
    }

    private void ReleaseAgent(ContactView c)
    {
        var a = Agents[c.Agents[^1]];
        Expect(a.Current == c.Id, $"{a.Id} released {c.Id} while handling {a.Current}");
        a.Current = null;
    }

    private void Expect(bool condition, string violation)
    {
        if (!condition)
        {
            Violations.Add(violation);
        }
    }

    public sealed class ContactView
    {
        public required string Id { get; init; }
        public required string Queue { get; set; }
        public required Channel Channel { get; init; }
        public required Priority Priority { get; init; }
        public required DateTimeOffset Created { get; init; }
        public required string Status { get; set; }
        public DateTimeOffset EnteredQueue { get; set; }
        public DateTimeOffset? Answered { get; set; }
        public bool Abandoned { get; set; }
        public TimeSpan? TalkTime { get; set; }
        public int? Score { get; set; }
        public List<string> Agents { get; } = [];
        public List<TimeSpan> Waits { get; } = [];
        public List<(string Queue, string? Reason)> Transfers { get; } = [];
    }

    public sealed class AgentView
    {
        public required string Id { get; init; }
        public HashSet<string> Queues { get; set; } = [];
        public AgentState State { get; set; } = AgentState.Offline;
        public string? Current { get; set; }
        public int Answered { get; set; }
        public List<DateTimeOffset> Logins { get; } = [];
        public List<(DateTimeOffset At, AgentState State)> States { get; } = [];
    }
}
