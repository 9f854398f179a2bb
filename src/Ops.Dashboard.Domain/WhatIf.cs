namespace Ops.Dashboard.Domain;

/// <summary>The load on one queue that a what-if projection staffs.</summary>
/// <param name="SlTargetPercent">The queue's service-level target, carried along for the screen (0–100).</param>
/// <param name="MeanPatienceSeconds">Mean customer patience; a positive value selects Erlang A, otherwise Erlang C.</param>
public sealed record QueueLoad(
    double ArrivalsPerHour,
    double AhtSeconds,
    double SlThresholdSeconds,
    double SlTargetPercent,
    double? MeanPatienceSeconds);

/// <summary>
/// What a queue looks like with a given number of agents. Percent figures are 0–100; null means the
/// figure does not exist (ASA of a queue that grows for ever, occupancy of nobody, abandonment under
/// Erlang C, which assumes nobody abandons).
/// </summary>
public sealed record StaffingFigures(
    double Agents,
    double? ServiceLevelPercent,
    double? AsaSeconds,
    double? OccupancyPercent,
    double? AbandonPercent,
    bool Stable);

/// <summary>A queue's figures before and after moving agents.</summary>
/// <param name="Model">"Erlang C" or "Erlang A".</param>
public sealed record Projection(string Model, StaffingFigures Without, StaffingFigures With);

/// <summary>
/// The what-if of the supervisor console: the effect on a queue of moving agents into or out of it.
/// </summary>
public static class WhatIf
{
    public const string ErlangCModel = "Erlang C";
    public const string ErlangAModel = "Erlang A";

    // A sanity bound on agents per queue, far above any real team, so a typo cannot hang a request.
    private const double MaxAgents = 100_000;

    public static Projection Project(QueueLoad load, double agentsNow, double agentsAfter) =>
        new(ModelOf(load), Figures(load, agentsNow), Figures(load, agentsAfter));

    public static string ModelOf(QueueLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        return load.MeanPatienceSeconds is > 0 ? ErlangAModel : ErlangCModel;
    }

    /// <summary>
    /// The figures for <paramref name="agents"/> agents. Agents may be fractional (an agent serving
    /// k queues counts 1/k in each); the Erlang formulas only know whole agents, so every figure is
    /// interpolated linearly between floor(N) and ceil(N). A figure that is null at either end is
    /// null, and the result is stable only if both ends are.
    /// </summary>
    public static StaffingFigures Figures(QueueLoad load, double agents)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (!double.IsFinite(agents) || agents < 0 || agents > MaxAgents)
            throw new ArgumentOutOfRangeException(nameof(agents), agents, $"Agents must be between 0 and {MaxAgents}.");
        if (!double.IsFinite(load.ArrivalsPerHour) || load.ArrivalsPerHour < 0)
            throw new ArgumentOutOfRangeException(nameof(load), load.ArrivalsPerHour, "Arrivals per hour must be finite and ≥ 0.");

        // No traffic needs no AHT: an idle queue is perfectly served whatever the team.
        if (load.ArrivalsPerHour == 0) return new StaffingFigures(agents, 100, 0, 0, 0, true);
        ErlangC.CheckTimes(load.AhtSeconds, load.SlThresholdSeconds);

        var lower = (int)Math.Floor(agents);
        var upper = (int)Math.Ceiling(agents);
        var low = AtWholeAgents(load, lower);
        if (upper == lower) return low with { Agents = agents };
        var high = AtWholeAgents(load, upper);
        var t = agents - lower;
        return new StaffingFigures(
            agents,
            Lerp(low.ServiceLevelPercent, high.ServiceLevelPercent, t),
            Lerp(low.AsaSeconds, high.AsaSeconds, t),
            Lerp(low.OccupancyPercent, high.OccupancyPercent, t),
            Lerp(low.AbandonPercent, high.AbandonPercent, t),
            low.Stable && high.Stable);
    }

    /// <summary>
    /// The standard estimator of mean patience under exponential patience: the total time all offered
    /// customers spent waiting (answered and abandoned alike, since both were "at risk" of abandoning
    /// while they waited) divided by the number of abandonments. Null when nobody abandoned.
    /// </summary>
    public static double? MeanPatienceSeconds(double totalWaitSecondsOfAllOffered, long abandoned)
    {
        if (!double.IsFinite(totalWaitSecondsOfAllOffered) || totalWaitSecondsOfAllOffered < 0)
            throw new ArgumentOutOfRangeException(nameof(totalWaitSecondsOfAllOffered), totalWaitSecondsOfAllOffered, "Total wait must be finite and ≥ 0.");
        ArgumentOutOfRangeException.ThrowIfNegative(abandoned);
        return abandoned == 0 ? null : totalWaitSecondsOfAllOffered / abandoned;
    }

    private static StaffingFigures AtWholeAgents(QueueLoad load, int agents)
    {
        var arrivalsPerSecond = load.ArrivalsPerHour / 3600;
        if (load.MeanPatienceSeconds is double patience && patience > 0)
        {
            var a = ErlangA.Evaluate(agents, arrivalsPerSecond, load.AhtSeconds, patience, load.SlThresholdSeconds);
            return new StaffingFigures(
                agents,
                a.ServiceLevel * 100,
                double.IsFinite(a.AverageSpeedOfAnswer) ? a.AverageSpeedOfAnswer : null,
                double.IsFinite(a.Occupancy) ? a.Occupancy * 100 : null,
                a.AbandonProbability * 100,
                Stable: true);
        }

        var traffic = arrivalsPerSecond * load.AhtSeconds;
        if (agents == 0) return new StaffingFigures(0, 0, null, null, null, Stable: false);
        if (agents <= traffic) return new StaffingFigures(agents, 0, null, 100, null, Stable: false);
        return new StaffingFigures(
            agents,
            ErlangC.ServiceLevel(agents, traffic, load.AhtSeconds, load.SlThresholdSeconds) * 100,
            ErlangC.AverageSpeedOfAnswer(agents, traffic, load.AhtSeconds),
            ErlangC.Occupancy(agents, traffic) * 100,
            null,
            Stable: true);
    }

    private static double? Lerp(double? low, double? high, double t) =>
        low is { } l && high is { } h ? l + (h - l) * t : null;
}
