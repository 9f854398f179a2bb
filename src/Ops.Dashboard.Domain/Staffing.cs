using System.Globalization;

namespace Ops.Dashboard.Domain;

/// <summary>A bad staffing input; <see cref="Field"/> is the parameter's name as the API and the form spell it.</summary>
public sealed class StaffingInputException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;

    /// <summary>The message without the field name.</summary>
    public string Reason { get; } = message;
}

/// <summary>One interval of one queue to staff (voice, chat: contacts that wait in real time).</summary>
/// <param name="Contacts">Contacts offered in the interval (a forecast may be fractional).</param>
/// <param name="IntervalSeconds">Length of the interval, e.g. 1800.</param>
/// <param name="AhtSeconds">Average handle time (talk, hold, wrap-up).</param>
/// <param name="TargetSeconds">Service-level threshold T: answered within T.</param>
/// <param name="SlTargetPercent">Share of contacts to answer within T, percent.</param>
/// <param name="Agents">Agents on the phones; null to compute the fewest that reach the targets.</param>
/// <param name="PatienceSeconds">Mean caller patience; given, the model is Erlang A (callers abandon), else Erlang C.</param>
/// <param name="ShrinkagePercent">Share of paid time not on the phones (breaks, training, absence), 0 to under 100.</param>
/// <param name="MaxOccupancyPercent">Highest acceptable occupancy when computing agents.</param>
public sealed record StaffingInput(
    double Contacts,
    double IntervalSeconds,
    double AhtSeconds,
    double TargetSeconds,
    double SlTargetPercent = 80,
    int? Agents = null,
    double? PatienceSeconds = null,
    double ShrinkagePercent = 0,
    double MaxOccupancyPercent = 100);

/// <summary>The figures of one interval for the agents given or computed.</summary>
/// <param name="Model">"ErlangC" or "ErlangA".</param>
/// <param name="Agents">Agents on the phones (given, or the fewest meeting the SL target and the occupancy cap).</param>
/// <param name="ScheduledAgents">Agents to schedule so that <see cref="Agents"/> remain after shrinkage.</param>
/// <param name="ServiceLevel">Share answered within T, 0–1 (Erlang A: of all offered, abandons included).</param>
/// <param name="ProbabilityOfWaiting">Share of contacts that find every agent busy.</param>
/// <param name="AsaSeconds">Average speed of answer; null when the queue is unstable (agents ≤ traffic under Erlang C) or nobody is answered.</param>
/// <param name="Occupancy">Share of agents' time busy, 0–1.</param>
/// <param name="ProbabilityOfAbandoning">Share of contacts that abandon; Erlang A only.</param>
/// <param name="TrafficErlangs">Offered load: contacts × AHT / interval.</param>
/// <param name="AgentsGiven">Whether <see cref="Agents"/> came with the input.</param>
/// <param name="MeetsTarget">Whether the service level reaches the target.</param>
public sealed record StaffingResult(
    string Model,
    int Agents,
    int ScheduledAgents,
    double ServiceLevel,
    double ProbabilityOfWaiting,
    double? AsaSeconds,
    double Occupancy,
    double? ProbabilityOfAbandoning,
    double TrafficErlangs,
    bool AgentsGiven,
    bool MeetsTarget);

/// <summary>Erlang C or A staffing for one interval, with the input checked field by field.</summary>
public static class StaffingCalculator
{
    public const string ErlangCModel = "ErlangC";
    public const string ErlangAModel = "ErlangA";

    /// <summary>
    /// A bound on the load rather than on contacts alone: Erlang A's cost grows with the square of the traffic,
    /// and 10,000 Erlangs (≈ 10,000 agents busy at once in one queue) is already far beyond any real site.
    /// </summary>
    public const double MaxTrafficErlangs = 10_000;

    public const int MaxAgents = 1_000_000;

    // ceil() of a quotient that should be whole (14 / 0.7) must not round up on the last bit.
    private const double WholeSlack = 1e-9;

    public static StaffingResult Calculate(StaffingInput input)
    {
        Validate(input);
        var traffic = input.Contacts * input.AhtSeconds / input.IntervalSeconds;
        var slTarget = input.SlTargetPercent / 100;
        var maxOccupancy = input.MaxOccupancyPercent / 100;
        try
        {
            int agents;
            StaffingResult result;
            if (input.PatienceSeconds is { } patience)
            {
                var arrivals = input.Contacts / input.IntervalSeconds;
                agents = input.Agents ?? ErlangA.RequiredAgents(arrivals, input.AhtSeconds, patience, input.TargetSeconds, slTarget, maxOccupancy);
                var a = ErlangA.Evaluate(agents, arrivals, input.AhtSeconds, patience, input.TargetSeconds);
                result = new StaffingResult(ErlangAModel, agents, 0, a.ServiceLevel, a.ProbabilityOfWaiting,
                    double.IsFinite(a.AverageSpeedOfAnswer) ? a.AverageSpeedOfAnswer : null,
                    // Zero agents facing traffic: the same convention as Erlang C (an overloaded team is always busy).
                    double.IsNaN(a.Occupancy) ? (traffic > 0 ? 1 : 0) : a.Occupancy,
                    a.AbandonProbability, traffic, input.Agents is not null, false);
            }
            else
            {
                agents = input.Agents ?? ErlangC.RequiredAgents(traffic, input.AhtSeconds, input.TargetSeconds, slTarget, maxOccupancy);
                var asa = ErlangC.AverageSpeedOfAnswer(agents, traffic, input.AhtSeconds);
                result = new StaffingResult(ErlangCModel, agents, 0,
                    ErlangC.ServiceLevel(agents, traffic, input.AhtSeconds, input.TargetSeconds),
                    ErlangC.ProbabilityOfWaiting(agents, traffic),
                    double.IsFinite(asa) ? asa : null,
                    ErlangC.Occupancy(agents, traffic), null, traffic, input.Agents is not null, false);
            }
            return result with
            {
                ScheduledAgents = Scheduled(agents, input.ShrinkagePercent),
                MeetsTarget = result.ServiceLevel >= slTarget,
            };
        }
        catch (ArgumentOutOfRangeException e)
        {
            // Validation rules out nearly everything; what is left (a patience too long for the load) is still the caller's input.
            throw new StaffingInputException(FieldOf(e.ParamName), e.Message.Split(" (Parameter")[0].Split(Environment.NewLine)[0]);
        }
    }

    /// <summary>ceil(agents / (1 − shrinkage)), computed in percent so that 14 at 30 % is exactly 20.</summary>
    public static int Scheduled(int agents, double shrinkagePercent)
    {
        if (!(shrinkagePercent >= 0 && shrinkagePercent < 100))
            throw new StaffingInputException("shrinkagePercent", "must be at least 0 and less than 100");
        return (int)Math.Ceiling(agents * 100.0 / (100 - shrinkagePercent) - WholeSlack);
    }

    /// <summary>Checks every field in the order of the form; the first bad one is thrown.</summary>
    public static void Validate(StaffingInput input)
    {
        Finite("contacts", input.Contacts);
        if (input.Contacts < 0) throw new StaffingInputException("contacts", "must be 0 or more");
        Finite("intervalSeconds", input.IntervalSeconds);
        if (input.IntervalSeconds <= 0) throw new StaffingInputException("intervalSeconds", "must be greater than 0");
        Finite("ahtSeconds", input.AhtSeconds);
        if (input.AhtSeconds <= 0) throw new StaffingInputException("ahtSeconds", "must be greater than 0");
        Finite("targetSeconds", input.TargetSeconds);
        if (input.TargetSeconds < 0) throw new StaffingInputException("targetSeconds", "must be 0 or more");
        Finite("slTargetPercent", input.SlTargetPercent);
        // 100 % is out: Erlang A never quite reaches it, and the search for a team would not end.
        if (input.SlTargetPercent is < 0 or >= 100) throw new StaffingInputException("slTargetPercent", "must be at least 0 and less than 100");
        if (input.Agents is < 0) throw new StaffingInputException("agents", "must be 0 or more");
        if (input.Agents is > MaxAgents) throw new StaffingInputException("agents", $"must be at most {MaxAgents.ToString("N0", CultureInfo.InvariantCulture)}");
        if (input.PatienceSeconds is { } patience)
        {
            Finite("patienceSeconds", patience);
            if (patience <= 0) throw new StaffingInputException("patienceSeconds", "must be greater than 0 (leave it out for Erlang C)");
        }
        Finite("shrinkagePercent", input.ShrinkagePercent);
        if (input.ShrinkagePercent is < 0 or >= 100) throw new StaffingInputException("shrinkagePercent", "must be at least 0 and less than 100");
        Finite("maxOccupancyPercent", input.MaxOccupancyPercent);
        if (input.MaxOccupancyPercent is <= 0 or > 100) throw new StaffingInputException("maxOccupancyPercent", "must be greater than 0 and at most 100");
        var traffic = input.Contacts * input.AhtSeconds / input.IntervalSeconds;
        if (!(traffic <= MaxTrafficErlangs))
            throw new StaffingInputException("contacts", string.Create(CultureInfo.InvariantCulture,
                $"too many for one queue: {input.Contacts:G6} contacts × {input.AhtSeconds:G6} s AHT in {input.IntervalSeconds:G6} s is more than {MaxTrafficErlangs:N0} Erlangs"));
    }

    private static void Finite(string field, double value)
    {
        if (!double.IsFinite(value)) throw new StaffingInputException(field, "must be a finite number");
    }

    private static string FieldOf(string? parameter) => parameter switch
    {
        "meanPatienceSeconds" => "patienceSeconds",
        "serviceLevelTarget" => "slTargetPercent",
        "maxOccupancy" => "maxOccupancyPercent",
        "ahtSeconds" => "ahtSeconds",
        "targetSeconds" => "targetSeconds",
        "agents" => "agents",
        _ => "contacts",
    };
}

/// <summary>One hour of an asynchronous channel's workload.</summary>
/// <param name="Hour">Index into the input.</param>
/// <param name="Volume">New contacts in this hour.</param>
/// <param name="BacklogIn">Contacts carried over from the previous hour.</param>
/// <param name="RequiredAgents">ceil((volume + backlog in) × AHT / 3600 / occupancy): agents that clear everything in this hour.</param>
/// <param name="PlannedAgents">Agents planned, when a plan was given.</param>
/// <param name="Handled">Contacts worked this hour (all of them without a plan).</param>
/// <param name="BacklogOut">Contacts left for the next hour: max(0, demand − capacity).</param>
public sealed record WorkloadHour(int Hour, double Volume, double BacklogIn, int RequiredAgents, double? PlannedAgents, double Handled, double BacklogOut);

/// <summary>
/// Staffing for asynchronous channels (e-mail, tickets, social) whose targets are hours long: no queueing model,
/// just work. An hour's demand is its new contacts plus the backlog left by the previous hour; an agent handles
/// 3600 / AHT × occupancy contacts an hour. Without a plan the required agents are assumed on duty, so nothing
/// is carried; with planned agents per hour, what they cannot handle is carried to the next hour. A queue worked
/// in business hours only needs nobody while closed: what arrives then is carried to the next open hour (the
/// e-mails of the night are the morning's work).
/// </summary>
public static class WorkloadModel
{
    private const double WholeSlack = 1e-9;

    /// <param name="volumePerHour">New contacts per hour, in order.</param>
    /// <param name="ahtSeconds">Handle time per contact.</param>
    /// <param name="maxOccupancy">Share of an agent's hour spent on contacts, (0, 1].</param>
    /// <param name="plannedAgents">Optional agents on duty per hour, the same length as <paramref name="volumePerHour"/>.</param>
    /// <param name="worked">Optional: whether agents work the queue in each hour (null: every hour); unworked hours need nobody and carry everything.</param>
    public static IReadOnlyList<WorkloadHour> Hours(IReadOnlyList<double> volumePerHour, double ahtSeconds, double maxOccupancy,
        IReadOnlyList<double>? plannedAgents = null, IReadOnlyList<bool>? worked = null)
    {
        ArgumentNullException.ThrowIfNull(volumePerHour);
        if (!double.IsFinite(ahtSeconds) || ahtSeconds <= 0) throw new StaffingInputException("ahtSeconds", "must be greater than 0");
        if (!(maxOccupancy > 0 && maxOccupancy <= 1)) throw new StaffingInputException("maxOccupancy", "must be greater than 0 and at most 1");
        if (plannedAgents is not null && plannedAgents.Count != volumePerHour.Count)
            throw new StaffingInputException("plannedAgents", $"must have one value per hour ({volumePerHour.Count})");
        if (worked is not null && worked.Count != volumePerHour.Count)
            throw new StaffingInputException("worked", $"must have one value per hour ({volumePerHour.Count})");

        var perAgentHour = 3600 / ahtSeconds * maxOccupancy;
        var hours = new List<WorkloadHour>(volumePerHour.Count);
        var backlog = 0.0;
        for (var h = 0; h < volumePerHour.Count; h++)
        {
            var volume = volumePerHour[h];
            if (!double.IsFinite(volume) || volume < 0) throw new StaffingInputException("volumePerHour", $"hour {h}: must be 0 or more");
            var demand = volume + backlog;
            if (worked is not null && !worked[h])
            {
                hours.Add(new WorkloadHour(h, volume, backlog, 0, plannedAgents?[h], 0, demand));
                backlog = demand;
                continue;
            }
            var required = (int)Math.Ceiling(demand / perAgentHour - WholeSlack);
            double? planned = null;
            var handled = demand;
            if (plannedAgents is not null)
            {
                var p = plannedAgents[h];
                if (!double.IsFinite(p) || p < 0) throw new StaffingInputException("plannedAgents", $"hour {h}: must be 0 or more");
                planned = p;
                handled = Math.Min(demand, p * perAgentHour);
            }
            var carried = Math.Max(0, demand - handled);
            hours.Add(new WorkloadHour(h, volume, backlog, Math.Max(0, required), planned, handled, carried));
            backlog = carried;
        }
        return hours;
    }
}

/// <summary>One local hour of the day against the shift plan.</summary>
/// <param name="Required">Productive agents needed (as given).</param>
/// <param name="ScheduledNeed">Agents to schedule for it: ceil(required / (1 − shrinkage)).</param>
/// <param name="Planned">Agents planned by the shifts running in this hour.</param>
/// <param name="Gap">Planned − scheduled need: negative is understaffed, positive overstaffed.</param>
public sealed record HourCover(int Hour, double Required, int ScheduledNeed, int Planned, int Gap);

/// <summary>What one shift template needs.</summary>
/// <param name="Hours">Local hours the shift covers (any part of the hour).</param>
/// <param name="PeakRequired">The highest productive need among those hours.</param>
/// <param name="Headcount">Agents per day in this shift so that every one of its hours is covered after shrinkage.</param>
/// <param name="Gap">Planned − headcount.</param>
/// <param name="IsNight">At least half of the shift lies in 00:00–08:00.</param>
/// <param name="RotationPool">Extra agents rotating through nights so that nobody works them permanently (0 when nights need nobody).</param>
/// <param name="HeadcountWithRotation">Headcount + rotation pool.</param>
/// <param name="RotationNote">The night-rotation advice, for night shifts.</param>
public sealed record ShiftCover(
    string ShiftId,
    string Name,
    IReadOnlyList<int> Hours,
    double PeakRequired,
    int Headcount,
    int PlannedAgents,
    int Gap,
    bool IsNight,
    int RotationPool,
    int HeadcountWithRotation,
    string? RotationNote,
    IReadOnlyList<int> UnderstaffedHours,
    IReadOnlyList<int> OverstaffedHours);

public sealed record ShiftPlan(IReadOnlyList<ShiftCover> Shifts, IReadOnlyList<HourCover> Hours);

/// <summary>
/// Turns required agents per local hour into a headcount per shift template (Früh, Spät, Nacht) and the gaps of
/// the planned shifts, hour by hour.
/// </summary>
/// <remarks>
/// Each shift alone must cover the peak of its hours: with the handbook's non-overlapping shifts that is exact;
/// with overlapping templates it overstates (the hour-by-hour gaps, which add up all shifts on duty, do not).
/// Night rotation: the handbook puts nobody on permanent night work and asks for 3–4 additional agents for a
/// night rotation; we take half the nightly headcount, rounded up, clamped to 3–4 — a small night crew still
/// needs 3 to rotate through, and beyond 4 the day shifts' own staff rotate in.
/// </remarks>
public static class ShiftRecommendation
{
    public const int MinRotationPool = 3;
    public const int MaxRotationPool = 4;

    private const double WholeSlack = 1e-9;

    /// <param name="requiredAgentsByLocalHour">24 values: productive agents needed in each local hour 0–23.</param>
    /// <param name="shifts">Shift templates with their planned agents.</param>
    /// <param name="shrinkage">Share of paid time lost, 0 to under 1.</param>
    public static ShiftPlan Recommend(IReadOnlyList<double> requiredAgentsByLocalHour, IReadOnlyList<ShiftOptions> shifts, double shrinkage)
    {
        ArgumentNullException.ThrowIfNull(requiredAgentsByLocalHour);
        ArgumentNullException.ThrowIfNull(shifts);
        if (requiredAgentsByLocalHour.Count != 24)
            throw new StaffingInputException("requiredAgentsByLocalHour", $"must have 24 values, not {requiredAgentsByLocalHour.Count}");
        if (requiredAgentsByLocalHour.Any(r => !double.IsFinite(r) || r < 0))
            throw new StaffingInputException("requiredAgentsByLocalHour", "every hour must be 0 or more");
        if (!(shrinkage >= 0 && shrinkage < 1)) throw new StaffingInputException("shrinkage", "must be at least 0 and less than 1");

        int Need(double required) => (int)Math.Ceiling(required / (1 - shrinkage) - WholeSlack);

        var hoursOf = shifts.Select(HoursOf).ToList();
        var hours = Enumerable.Range(0, 24).Select(h =>
        {
            var required = requiredAgentsByLocalHour[h];
            var planned = shifts.Where((s, i) => hoursOf[i].Contains(h)).Sum(s => s.PlannedAgents);
            var need = Need(required);
            return new HourCover(h, required, need, planned, planned - need);
        }).ToList();

        var covers = new List<ShiftCover>(shifts.Count);
        for (var i = 0; i < shifts.Count; i++)
        {
            var shift = shifts[i];
            var own = hoursOf[i];
            var peak = own.Count == 0 ? 0 : own.Max(h => requiredAgentsByLocalHour[h]);
            var headcount = Need(peak);
            var isNight = own.Count > 0 && own.Count(h => h < 8) * 2 >= own.Count;
            var pool = isNight && headcount > 0 ? Math.Clamp((headcount + 1) / 2, MinRotationPool, MaxRotationPool) : 0;
            string? note = !isNight ? null
                : headcount == 0
                    ? "Nights need nobody: no night rotation."
                    : $"Nobody works nights permanently: rotate {headcount + pool} agents through the night shift ({headcount} a night plus a pool of {pool}).";
            covers.Add(new ShiftCover(shift.Id, shift.Name, own, peak, headcount, shift.PlannedAgents, shift.PlannedAgents - headcount,
                isNight, pool, headcount + pool, note,
                [.. own.Where(h => hours[h].Gap < 0)], [.. own.Where(h => hours[h].Gap > 0)]));
        }
        return new ShiftPlan(covers, hours);
    }

    /// <summary>The local hours 0–23 that the shift touches, in shift order (22, 23, 0, 1 … for a shift over midnight).</summary>
    public static IReadOnlyList<int> HoursOf(ShiftOptions shift)
    {
        var start = (int)shift.StartTime.ToTimeSpan().TotalMinutes;
        var length = (int)shift.Duration.TotalMinutes;
        if (length == 0) length = 24 * 60; // start = end: round the clock
        var result = new List<int>();
        for (var hourStart = start - start % 60; hourStart < start + length; hourStart += 60)
        {
            result.Add(hourStart / 60 % 24);
        }
        return result;
    }
}

public enum TwentyFourSevenAnswer
{
    /// <summary>At most 5 % of contacts at night.</summary>
    NotNeeded,
    /// <summary>Night demand and a critical service.</summary>
    Full,
    /// <summary>Night demand, nothing critical.</summary>
    Hybrid,
}

/// <summary>The handbook's 24/7 decision for one queue, or for all queues together (<see cref="Queue"/> null).</summary>
/// <param name="OutsideBusinessHoursShare">Share of contacts outside the site's business hours (holidays closed), 0–1.</param>
/// <param name="NightShare">Share of contacts in 00:00–08:00 local, 0–1.</param>
/// <param name="NightThreshold">The handbook's threshold, 0.05.</param>
/// <param name="Critical">Whether a critical service is involved.</param>
/// <param name="Decision">The handbook's wording of the answer.</param>
/// <param name="Reason">One sentence with the figures that led to it.</param>
public sealed record TwentyFourSevenVerdict(
    string? Queue,
    long TotalContacts,
    long OutsideBusinessHoursContacts,
    long NightContacts,
    double OutsideBusinessHoursShare,
    double NightShare,
    double NightThreshold,
    bool Critical,
    TwentyFourSevenAnswer Answer,
    string Decision,
    string Reason);

public sealed record TwentyFourSevenReport(IReadOnlyList<TwentyFourSevenVerdict> Queues, TwentyFourSevenVerdict Overall);

/// <summary>
/// The handbook's 24/7 decision: more than 5 % of contacts at night? Critical services? Then 24/7 (in-house or
/// outsourced with SLAs); night demand without critical services: hybrid; otherwise none.
/// </summary>
public static class TwentyFourSevenDecision
{
    public const double NightThreshold = 0.05;

    public const string NotNeeded = "No 24/7: focus on core hours";
    public const string Full = "24/7: in-house or outsourced with SLAs";
    public const string Hybrid = "Hybrid: core hours in-house, nights outsourced";

    /// <summary>Night is 00:00–08:00 local, the handbook's Nacht shift.</summary>
    public const int NightEndsHour = 8;

    /// <param name="history">
    /// Contacts per queue and hour; <c>LocalHour</c> is the start of the hour on the site's local clock (its date and
    /// time of day are used as they are, whatever the offset). A queue counts as critical when any of its rows says so.
    /// </param>
    public static TwentyFourSevenReport Decide(
        IEnumerable<(string Queue, bool Critical, DateTimeOffset LocalHour, long Contacts)> history, SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(site);
        var holidays = site.HolidayDates();
        var byQueue = new SortedDictionary<string, Tally>(StringComparer.Ordinal);
        var all = new Tally();
        foreach (var (queue, critical, localHour, contacts) in history)
        {
            if (contacts < 0) throw new StaffingInputException("contacts", $"queue '{queue}' at {localHour:yyyy-MM-dd HH:mm}: must be 0 or more");
            var local = localHour.DateTime;
            var open = !holidays.Contains(DateOnly.FromDateTime(local))
                && site.BusinessHours.For(local.DayOfWeek) is { } hours && hours.Contains(local.TimeOfDay);
            var night = local.Hour < NightEndsHour;
            if (!byQueue.TryGetValue(queue, out var tally)) byQueue[queue] = tally = new Tally();
            tally.Add(critical, contacts, open, night);
            all.Add(critical, contacts, open, night);
        }
        return new TwentyFourSevenReport([.. byQueue.Select(q => Verdict(q.Key, q.Value))], Verdict(null, all));
    }

    private static TwentyFourSevenVerdict Verdict(string? queue, Tally t)
    {
        var outside = t.Total == 0 ? 0 : (double)t.Outside / t.Total;
        var night = t.Total == 0 ? 0 : (double)t.Night / t.Total;
        var scope = queue is null ? "all queues" : $"queue '{queue}'";
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"{night:P1} of {t.Total:N0} contacts of {scope} came at night (00–08)");
        var (answer, decision, reason) = night <= NightThreshold
            ? (TwentyFourSevenAnswer.NotNeeded, NotNeeded, $"{figures}, not more than the 5 % threshold, so night cover does not pay.")
            : t.Critical
                ? (TwentyFourSevenAnswer.Full, Full, $"{figures}, above the 5 % threshold, and a critical service is involved.")
                : (TwentyFourSevenAnswer.Hybrid, Hybrid, $"{figures}, above the 5 % threshold, but no service is critical.");
        return new TwentyFourSevenVerdict(queue, t.Total, t.Outside, t.Night, outside, night, NightThreshold, t.Critical, answer, decision, reason);
    }

    private sealed class Tally
    {
        public long Total, Outside, Night;
        public bool Critical;

        public void Add(bool critical, long contacts, bool open, bool night)
        {
            Critical |= critical;
            Total += contacts;
            if (!open) Outside += contacts;
            if (night) Night += contacts;
        }
    }
}
