using System.Globalization;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web.Components.Wallboard;

/// <summary>Distinct agents serving any of a tile's queues, by state.</summary>
public sealed record AgentStateCounts(int Available, int OnContact, int WrapUp, int Break);

/// <summary>
/// What one tile shows: the figure as text (with "—" when it has no denominator), its unit, the
/// green/amber/red rating, the formula and limits in small type, and for a longest wait the seconds
/// the browser keeps ticking from.
/// </summary>
public sealed record TileFigure(
    double? Value,
    string Text,
    string Unit,
    TileStatus? Status,
    string? Formula,
    string? Limits,
    double? TickSeconds = null,
    AgentStateCounts? Agents = null,
    bool NoData = false);

/// <summary>
/// The tile maths. Rates of several queues are recomputed from their summed counters (DESIGN.md's
/// formulas), never averaged: one busy queue at 60 % and a quiet one at 100 % are not 80 %.
/// </summary>
public static class TileFigures
{
    public const string Dash = "—";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <param name="queues">The live figures of the tile's queues; a queue missing here has no data yet.</param>
    public static TileFigure Compute(
        TileDefinition tile, IReadOnlyList<QueueDto> queues, IReadOnlyCollection<AgentDto> agents, DateTimeOffset now)
    {
        var limits = EffectiveThresholds(tile, queues);
        var missing = queues.Count < tile.Queues.Distinct(StringComparer.Ordinal).Count();
        if (missing && tile.Metric is not (TileMetric.Agents or TileMetric.TodayChart))
            return new TileFigure(null, Dash, Unit(tile.Metric), null, "waiting for the first figures", LimitsText(tile.Metric, limits), NoData: true);

        long Sum(Func<IntervalDto, long> f) => queues.Sum(q => f(q.Today));
        var answered = Sum(t => t.Answered);
        var abandoned = Sum(t => t.Abandoned);
        var shortAbandoned = Sum(t => t.ShortAbandoned);
        var denominator = answered + abandoned - shortAbandoned;
        var s = Distinct(queues.Select(q => q.ShortAbandonSeconds));

        switch (tile.Metric)
        {
            case TileMetric.Waiting:
            {
                double v = queues.Sum(q => q.Waiting);
                return Rated(tile, limits, v, Count(v), "contacts in queue now");
            }
            case TileMetric.LongestWait:
            {
                var oldest = queues.Select(q => q.OldestWaitingSince).OfType<DateTimeOffset>().DefaultIfEmpty().Min();
                var seconds = oldest == default ? 0 : Math.Max(0, (now - oldest).TotalSeconds);
                return Rated(tile, limits, seconds, Duration(seconds), "oldest contact still waiting") with
                {
                    // Only a queue with someone waiting ticks; an empty one stays at 0:00.
                    TickSeconds = oldest == default ? null : Math.Round(seconds, 1),
                };
            }
            case TileMetric.ServiceLevel:
            {
                var within = Sum(t => t.AnsweredWithinThreshold);
                var t = Distinct(queues.Select(q => q.SlThresholdSeconds));
                double? v = denominator > 0 ? within * 100.0 / denominator : null;
                // Waits are meant: short abandons (wait < S) are left out, i.e. answered + abandoned − short abandoned.
                var formula = $"SL = answered ≤ {t} ÷ (answered + abandoned ≥ {s}) = {Count(within)} ÷ {Count(denominator)}";
                return Rated(tile, limits, v, v is { } x ? Percent(x) : Dash, formula);
            }
            case TileMetric.AbandonRate:
            {
                var counted = abandoned - shortAbandoned;
                double? v = denominator > 0 ? counted * 100.0 / denominator : null;
                var formula = $"abandoned ≥ {s} ÷ (answered + abandoned ≥ {s}) = {Count(counted)} ÷ {Count(denominator)}";
                return Rated(tile, limits, v, v is { } x ? Percent(x) : Dash, formula);
            }
            case TileMetric.Asa:
            {
                // The DTO carries ASA and its denominator; their product is the summed wait.
                var totalWait = queues.Sum(q => (q.Today.AsaSeconds ?? 0) * q.Today.Answered);
                double? v = answered > 0 ? totalWait / answered : null;
                return Rated(tile, limits, v, v is { } x ? Seconds(x) : Dash, $"queue wait of answered ÷ answered ({Count(answered)})");
            }
            case TileMetric.Aht:
            {
                var handled = Sum(t => t.Handled);
                var totalHandle = queues.Sum(q => (q.Today.AhtSeconds ?? 0) * q.Today.Handled);
                double? v = handled > 0 ? totalHandle / handled : null;
                return Rated(tile, limits, v, v is { } x ? Duration(x) : Dash, $"(talk + hold + wrap-up) ÷ handled ({Count(handled)})");
            }
            case TileMetric.Offered:
            {
                double v = Sum(t => t.Offered);
                return Rated(tile, limits, v, Count(v), "contacts offered today");
            }
            case TileMetric.Answered:
            {
                double v = answered;
                return Rated(tile, limits, v, Count(v), "contacts answered today");
            }
            case TileMetric.Agents:
            {
                var counts = CountAgents(tile.Queues, agents);
                var total = counts.Available + counts.OnContact + counts.WrapUp + counts.Break;
                return new TileFigure(total, Count(total), "", null, null, null, Agents: counts);
            }
            default:
                return new TileFigure(null, "", "", null, null, null);
        }
    }

    /// <summary>
    /// The tile's limits; a service-level tile without any in its file uses the queue's target as amber
    /// and target − 10 as red (for several queues, the strictest target).
    /// </summary>
    public static Thresholds? EffectiveThresholds(TileDefinition tile, IReadOnlyList<QueueDto> queues)
    {
        if (tile.Thresholds is { } t && (t.Amber is not null || t.Red is not null)) return t;
        if (tile.Metric != TileMetric.ServiceLevel || queues.Count == 0) return null;
        var target = queues.Max(q => q.SlTargetPercent);
        return new Thresholds { Amber = target, Red = target - 10 };
    }

    public static AgentStateCounts CountAgents(IReadOnlyCollection<string> queues, IReadOnlyCollection<AgentDto> agents)
    {
        int available = 0, onContact = 0, wrapUp = 0, onBreak = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in agents)
        {
            if (!a.Queues.Any(q => queues.Contains(q, StringComparer.Ordinal)) || !seen.Add(a.Id)) continue;
            switch (a.State)
            {
                case "available": available++; break;
                case "on_contact": onContact++; break;
                case "wrap_up": wrapUp++; break;
                case "break": onBreak++; break;
            }
        }
        return new AgentStateCounts(available, onContact, wrapUp, onBreak);
    }

    public static string LimitsText(TileMetric metric, Thresholds? limits)
    {
        if (limits is null) return "";
        var higher = Thresholds.HigherIsBetter(metric);
        var unit = Unit(metric);
        string Fmt(double v) => metric switch
        {
            TileMetric.LongestWait or TileMetric.Aht => Duration(v),
            _ => v.ToString("0.##", Inv) + (unit.Length > 0 ? " " + unit : ""),
        };
        var parts = new List<string>();
        if (limits.Amber is { } a) parts.Add($"amber {(higher ? "<" : "≥")} {Fmt(a)}");
        if (limits.Red is { } r) parts.Add($"red {(higher ? "<" : "≥")} {Fmt(r)}");
        return string.Join(" · ", parts);
    }

    public static string Unit(TileMetric metric) => metric switch
    {
        TileMetric.ServiceLevel or TileMetric.AbandonRate => "%",
        TileMetric.Asa => "s",
        TileMetric.LongestWait or TileMetric.Aht => "m:ss",
        _ => "",
    };

    /// <summary>"0:42", "12:05", "1:02:03".</summary>
    public static string Duration(double seconds)
    {
        var s = (long)Math.Floor(Math.Max(0, seconds));
        return s >= 3600
            ? string.Create(Inv, $"{s / 3600}:{s % 3600 / 60:00}:{s % 60:00}")
            : string.Create(Inv, $"{s / 60}:{s % 60:00}");
    }

    /// <summary>A threshold such as T or S: "20 s", "4 h", "24 h".</summary>
    public static string Span(int seconds) =>
        seconds >= 3600 && seconds % 3600 == 0 ? $"{seconds / 3600}\u00A0h"
        : seconds >= 120 && seconds % 60 == 0 ? $"{seconds / 60}\u00A0min"
        : $"{seconds}\u00A0s";

    private static string Distinct(IEnumerable<int> seconds) =>
        string.Join(" / ", seconds.Distinct().Order().Select(Span));

    private static TileFigure Rated(TileDefinition tile, Thresholds? limits, double? value, string text, string formula) =>
        new(value, text, Unit(tile.Metric), limits?.Rate(tile.Metric, value), formula, LimitsText(tile.Metric, limits));

    private static string Count(double v) => v.ToString("#,0", Inv);

    private static string Percent(double v) => v.ToString("0.0", Inv);

    private static string Seconds(double v) => Math.Round(v).ToString("0", Inv);
}
