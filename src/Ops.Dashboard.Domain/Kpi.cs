namespace Ops.Dashboard.Domain;

/// <summary>
/// The derived figures of DESIGN.md's metric definitions. A figure whose denominator is zero is
/// null, never 0 or 100: "no calls" is not "perfect service".
/// </summary>
public static class Kpi
{
    /// <summary>answered within T / (answered + abandoned − short abandoned), in percent.</summary>
    public static double? ServiceLevelPercent(IntervalCounters c) =>
        Ratio(c.AnsweredWithinThreshold, c.Answered + c.Abandoned - c.ShortAbandoned, 100);

    /// <summary>(abandoned − short abandoned) / (answered + abandoned − short abandoned), in percent.</summary>
    public static double? AbandonRatePercent(IntervalCounters c) =>
        Ratio(c.Abandoned - c.ShortAbandoned, c.Answered + c.Abandoned - c.ShortAbandoned, 100);

    /// <summary>Total queue wait of answered contacts / answered, in seconds.</summary>
    public static double? AsaSeconds(IntervalCounters c) => Ratio(c.AnswerWaitMs, c.Answered, 0.001);

    /// <summary>(talk + hold + wrap-up) / handled, in seconds.</summary>
    public static double? AhtSeconds(IntervalCounters c) => Ratio(c.HandleMs, c.Handled, 0.001);

    public static double? AverageCsat(IntervalCounters c) => Ratio(c.CsatScoreSum, c.CsatCount, 1);

    /// <summary>Mean time customers waited before giving up (an estimate of patience for Erlang A).</summary>
    public static double? AveragePatienceSeconds(IntervalCounters c) => Ratio(c.AbandonWaitMs, c.Abandoned, 0.001);

    /// <summary>(on-contact + wrap-up) / (available + on-contact + wrap-up), in percent.</summary>
    public static double? OccupancyPercent(TimeSpan onContact, TimeSpan wrapUp, TimeSpan available) =>
        Ratio((onContact + wrapUp).Ticks, (available + onContact + wrapUp).Ticks, 100);

    private static double? Ratio(long numerator, long denominator, double scale) =>
        denominator <= 0 ? null : Math.Round(numerator * scale / denominator, 6);
}
