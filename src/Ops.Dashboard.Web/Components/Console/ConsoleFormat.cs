using System.Globalization;
using Ops.Dashboard.Web.Components.Wallboard;

namespace Ops.Dashboard.Web.Components.Console;

/// <summary>How a service level stands against its target; always shown with words, never colour alone.</summary>
public enum SlRating
{
    /// <summary>No denominator yet (nothing answered or abandoned).</summary>
    None,
    OnTarget,
    /// <summary>Below the target by at most ten points.</summary>
    Below,
    /// <summary>More than ten points below the target (the wallboards' red).</summary>
    FarBelow,
}

/// <summary>Words, symbols, CSS classes and number formats the console's parts share.</summary>
public static class ConsoleFormat
{
    public const string Dash = "—";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The agent states in board order (wire names): the ones that serve customers first.</summary>
    public static readonly IReadOnlyList<string> States = ["available", "on_contact", "wrap_up", "break", "training", "offline"];

    public static int StateRank(string state)
    {
        for (var i = 0; i < States.Count; i++)
            if (string.Equals(States[i], state, StringComparison.Ordinal)) return i;
        return States.Count;
    }

    public static string StateLabel(string state) => state switch
    {
        "available" => "Available",
        "on_contact" => "On contact",
        "wrap_up" => "Wrap-up",
        "break" => "Break",
        "training" => "Training",
        "offline" => "Offline",
        _ => state,
    };

    public static string StateIcon(string state) => state switch
    {
        "available" => "●",
        "on_contact" => "◆",
        "wrap_up" => "◇",
        "break" => "Ⅱ",
        "training" => "■",
        "offline" => "○",
        _ => "?",
    };

    /// <summary>"state-on-contact"; an unknown state gets "state-other" (the name never reaches the class list unchecked).</summary>
    public static string StateCss(string state) => StateRank(state) < States.Count ? "state-" + state.Replace('_', '-') : "state-other";

    /// <summary>"0:42", "12:05", "1:02:03"; negative spans (clock skew) show as 0:00.</summary>
    public static string Duration(TimeSpan span) => TileFigures.Duration(span.TotalSeconds);

    public static string Duration(double? seconds) => seconds is { } s ? TileFigures.Duration(s) : Dash;

    public static string Percent(double? value) => value is { } v ? v.ToString("0.0", Inv) + "\u00A0%" : Dash;

    public static string Target(double percent) => percent.ToString("0.#", Inv) + "\u00A0%";

    public static string Seconds(double? value) => value is { } v ? Math.Round(v).ToString("0", Inv) + "\u00A0s" : Dash;

    public static string Agents(double value) =>
        Math.Abs(value - Math.Round(value)) < 0.05 ? Math.Round(value).ToString("0", Inv) : value.ToString("0.0", Inv);

    public static string Number(double value, string format = "0.#") => value.ToString(format, Inv);

    /// <summary>A signed difference: "+2", "−1.5", "±0".</summary>
    public static string Delta(double? before, double? after, string format, string unit = "")
    {
        if (before is not { } b || after is not { } a) return "";
        var d = Math.Round(a - b, 1);
        if (d == 0) return "±0" + unit;
        return (d > 0 ? "+" : "−") + Math.Abs(d).ToString(format, Inv) + unit;
    }

    /// <summary>Below target is amber; more than ten points below is red (the wallboards' default for SL).</summary>
    public static SlRating RateSl(double? sl, double target) => sl switch
    {
        null => SlRating.None,
        var v when v >= target => SlRating.OnTarget,
        var v when v >= target - 10 => SlRating.Below,
        _ => SlRating.FarBelow,
    };

    public static string SlCss(SlRating rating) => rating switch
    {
        SlRating.OnTarget => "sl-green",
        SlRating.Below => "sl-amber",
        SlRating.FarBelow => "sl-red",
        _ => "sl-none",
    };

    public static string SlWords(SlRating rating) => rating switch
    {
        SlRating.OnTarget => "✔ on target",
        SlRating.Below => "▲ below target",
        SlRating.FarBelow => "✖ far below target",
        _ => "no contacts yet",
    };

    public static string SlShort(SlRating rating) => rating switch
    {
        SlRating.OnTarget => "✔",
        SlRating.Below => "▲ below",
        SlRating.FarBelow => "✖ below",
        _ => "",
    };
}
