using System.Diagnostics;
using System.Globalization;
using Ops.Dashboard.Domain;
using Xunit.Abstractions;

namespace Ops.Dashboard.Simulator;

public sealed class HistoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Eight_weeks_for_six_queues_follow_the_weekly_shape_and_the_shift_rotation()
    {
        var now = Sim.At(0, 12);
        var options = new SimulatorOptions { Seed = 8 };
        Assert.Equal(6, options.EffectiveQueues.Count);
        var engine = new SimulationEngine(options, SimulationEngine.HistoryStart(now, 8, options.TimeZoneId));
        var sink = new ShapeSink();

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var sent = await new HistoryGenerator(engine, sink, options.BatchSize).RunAsync(now, CancellationToken.None);
        wall.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        output.WriteLine($"8 weeks: {sent:N0} events, {sink.Created:N0} contacts in {sink.Batches.Count} batches; wall {wall.Elapsed.TotalSeconds:F1} s, CPU {cpu.TotalSeconds:F1} s");

        Assert.Equal(new DateTimeOffset(2026, 9, 21, 0, 0, 0, TimeSpan.FromHours(2)), engine.Start);
        Assert.Equal(sent, sink.Count);
        Assert.Empty(sink.Problems);
        Assert.All(sink.Batches.SkipLast(1), size => Assert.Equal(2000, size));
        Assert.InRange(sink.Batches[^1], 1, 2000);

        // Whole days only: the history starts at local midnight and "today" is still running.
        var days = sink.ContactsPerDay.Where(d => d.Key < DateOnly.FromDateTime(now.DateTime)).ToList();
        Assert.Equal(56, days.Count);
        double Average(Func<DayOfWeek, bool> which) => days.Where(d => which(d.Key.DayOfWeek)).Average(d => d.Value);
        var weekday = Average(d => d is not (DayOfWeek.Saturday or DayOfWeek.Sunday));
        var saturday = Average(d => d == DayOfWeek.Saturday);
        var sunday = Average(d => d == DayOfWeek.Sunday);
        output.WriteLine($"contacts per day: weekday {weekday:F0}, Saturday {saturday:F0}, Sunday {sunday:F0}");
        Assert.True(sunday < saturday && saturday < weekday, $"Sunday {sunday}, Saturday {saturday}, weekday {weekday}");
        var configured = options.EffectiveQueues.Sum(q => q.DailyVolume!.Value);
        Assert.InRange(weekday, configured * 0.9, configured * 1.1);

        // Shifts rotate: nobody works only nights, and every agent sees at least two shift templates.
        Assert.Equal(60, sink.LoginHours.Count);
        Assert.All(sink.LoginHours, a => Assert.True(a.Value.Count >= 2, $"{a.Key} only starts at {string.Join(",", a.Value)}"));
        Assert.All(sink.LoginHours, a => Assert.NotEqual(new SortedSet<int> { 0 }, a.Value));
        // Fewer people at night than in the day.
        Assert.True(sink.LoginsAt[0] * 2 < sink.LoginsAt[8], $"night logins {sink.LoginsAt[0]}, early {sink.LoginsAt[8]}");
    }

    /// <summary>Keeps counters only: 8 weeks of events would not fit comfortably in a test's memory.</summary>
    private sealed class ShapeSink : IEventSink
    {
        private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        private readonly Dictionary<string, AgentState> _states = [];
        private DateTimeOffset _last = DateTimeOffset.MinValue;
        private long _lastCounter;

        public long Count { get; private set; }
        public long Created { get; private set; }
        public List<int> Batches { get; } = [];
        public List<string> Problems { get; } = [];
        public SortedDictionary<DateOnly, int> ContactsPerDay { get; } = [];
        public Dictionary<string, SortedSet<int>> LoginHours { get; } = [];
        public Dictionary<int, int> LoginsAt { get; } = new() { [0] = 0, [8] = 0, [16] = 0 };

        public Task SendAsync(IReadOnlyList<OpsEvent> events, CancellationToken ct)
        {
            Batches.Add(events.Count);
            foreach (var e in events)
            {
                Count++;
                var counter = long.Parse(e.Id[(e.Id.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);
                if (e.At < _last || counter <= _lastCounter)
                {
                    Problems.Add($"{e.Id} out of order");
                }
                _last = e.At;
                _lastCounter = counter;
                if (e.At.Offset != _zone.GetUtcOffset(e.At))
                {
                    Problems.Add($"{e.Id} has offset {e.At.Offset}");
                }
                if (e.Type == EventType.ContactCreated)
                {
                    Created++;
                    var day = DateOnly.FromDateTime(e.At.DateTime);
                    ContactsPerDay[day] = ContactsPerDay.GetValueOrDefault(day) + 1;
                }
                else if (e.Type == EventType.AgentState)
                {
                    var previous = _states.GetValueOrDefault(e.AgentId!, AgentState.Offline);
                    if (previous == AgentState.Offline && e.State != AgentState.Offline && e.At.Minute == 0 && e.At.Second == 0 && e.At.Hour is 0 or 8 or 16)
                    {
                        LoginsAt[e.At.Hour]++;
                        if (!LoginHours.TryGetValue(e.AgentId!, out var hours))
                        {
                            LoginHours[e.AgentId!] = hours = [];
                        }
                        hours.Add(e.At.Hour);
                    }
                    _states[e.AgentId!] = e.State!.Value;
                }
            }
            return Task.CompletedTask;
        }
    }
}
