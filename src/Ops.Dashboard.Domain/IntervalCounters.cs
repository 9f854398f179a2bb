namespace Ops.Dashboard.Domain;

/// <summary>
/// Additive counters of one queue over one 15-minute interval (or a roll-up of several).
/// Durations are whole milliseconds so sums stay exact and retraction returns to zero.
/// </summary>
[GenerateSerializer, Alias("ops.interval-counters")]
public sealed record IntervalCounters
{
    [Id(0)] public long Offered { get; init; }
    [Id(1)] public long Answered { get; init; }
    [Id(2)] public long AnsweredWithinThreshold { get; init; }
    [Id(3)] public long Abandoned { get; init; }
    [Id(4)] public long ShortAbandoned { get; init; }
    [Id(5)] public long TransferredOut { get; init; }
    [Id(6)] public long Handled { get; init; }
    /// <summary>Total queue wait of answered contacts (ASA numerator).</summary>
    [Id(7)] public long AnswerWaitMs { get; init; }
    /// <summary>Total talk + hold + wrap-up of handled contacts (AHT numerator).</summary>
    [Id(8)] public long HandleMs { get; init; }
    /// <summary>Total wait of abandoned contacts (customer patience, for Erlang A).</summary>
    [Id(9)] public long AbandonWaitMs { get; init; }
    [Id(10)] public long CsatCount { get; init; }
    [Id(11)] public long CsatScoreSum { get; init; }
    /// <summary>Transfers out whose reason says an agent's error caused them (counted in TransferredOut too).</summary>
    [Id(12)] public long AgentErrorEscalations { get; init; }

    public static readonly IntervalCounters Zero = new();

    public bool IsZero => this == Zero;

    public static IntervalCounters operator +(IntervalCounters a, IntervalCounters b) => new()
    {
        Offered = a.Offered + b.Offered,
        Answered = a.Answered + b.Answered,
        AnsweredWithinThreshold = a.AnsweredWithinThreshold + b.AnsweredWithinThreshold,
        Abandoned = a.Abandoned + b.Abandoned,
        ShortAbandoned = a.ShortAbandoned + b.ShortAbandoned,
        TransferredOut = a.TransferredOut + b.TransferredOut,
        Handled = a.Handled + b.Handled,
        AnswerWaitMs = a.AnswerWaitMs + b.AnswerWaitMs,
        HandleMs = a.HandleMs + b.HandleMs,
        AbandonWaitMs = a.AbandonWaitMs + b.AbandonWaitMs,
        CsatCount = a.CsatCount + b.CsatCount,
        CsatScoreSum = a.CsatScoreSum + b.CsatScoreSum,
        AgentErrorEscalations = a.AgentErrorEscalations + b.AgentErrorEscalations,
    };

    public static IntervalCounters operator -(IntervalCounters a) => new()
    {
        Offered = -a.Offered,
        Answered = -a.Answered,
        AnsweredWithinThreshold = -a.AnsweredWithinThreshold,
        Abandoned = -a.Abandoned,
        ShortAbandoned = -a.ShortAbandoned,
        TransferredOut = -a.TransferredOut,
        Handled = -a.Handled,
        AnswerWaitMs = -a.AnswerWaitMs,
        HandleMs = -a.HandleMs,
        AbandonWaitMs = -a.AbandonWaitMs,
        CsatCount = -a.CsatCount,
        CsatScoreSum = -a.CsatScoreSum,
        AgentErrorEscalations = -a.AgentErrorEscalations,
    };

    public static IntervalCounters operator -(IntervalCounters a, IntervalCounters b) => new()
    {
        Offered = a.Offered - b.Offered,
        Answered = a.Answered - b.Answered,
        AnsweredWithinThreshold = a.AnsweredWithinThreshold - b.AnsweredWithinThreshold,
        Abandoned = a.Abandoned - b.Abandoned,
        ShortAbandoned = a.ShortAbandoned - b.ShortAbandoned,
        TransferredOut = a.TransferredOut - b.TransferredOut,
        Handled = a.Handled - b.Handled,
        AnswerWaitMs = a.AnswerWaitMs - b.AnswerWaitMs,
        HandleMs = a.HandleMs - b.HandleMs,
        AbandonWaitMs = a.AbandonWaitMs - b.AbandonWaitMs,
        CsatCount = a.CsatCount - b.CsatCount,
        CsatScoreSum = a.CsatScoreSum - b.CsatScoreSum,
        AgentErrorEscalations = a.AgentErrorEscalations - b.AgentErrorEscalations,
    };
}
