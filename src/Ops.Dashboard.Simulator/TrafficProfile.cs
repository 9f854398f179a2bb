using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>The shapes and per-channel defaults of the traffic model (REFERENCE.md figures).</summary>
public static class TrafficProfile
{
    /// <summary>Share (%) of a working day's contacts per local hour 00–23, as measured in the reference call centre.</summary>
    public static IReadOnlyList<double> HourlySharePercent { get; } =
    [
        0.3, 0.1, 0.1, 0.1, 0.0, 0.1, 0.4, 2.7, 6.0, 7.9, 8.8, 7.3,
        6.9, 6.9, 7.5, 8.0, 8.0, 6.0, 5.0, 4.4, 3.8, 3.7, 3.4, 2.6,
    ];

    /// <summary>
    /// Volume of a day relative to a busy weekday: the reference saw ~1,550 calls on busy days and
    /// ~500 and ~200 on the two weekend days.
    /// </summary>
    public static double WeekdayFactor(DayOfWeek day) => day switch
    {
        DayOfWeek.Saturday => 500.0 / 1550.0,
        DayOfWeek.Sunday => 200.0 / 1550.0,
        _ => 1.0,
    };

    /// <summary>Expected arrivals per hour of a queue at a local time, before day noise and surge.</summary>
    public static double HourlyRate(double busyWeekdayVolume, DayOfWeek day, int hour) =>
        busyWeekdayVolume * WeekdayFactor(day) * HourlySharePercent[hour] / 100.0;

    /// <summary>
    /// Mean and median handle time (talk + wrap-up). Phone is the reference's main retail queue; the
    /// reference has no figures for text channels, so these assume a chat takes a bit longer than a
    /// call and a written answer longer still.
    /// </summary>
    public static (double Mean, double Median) DefaultHandleSeconds(Channel channel) => channel switch
    {
        Channel.Phone => (175, 114),
        Channel.Chat or Channel.Messenger => (240, 160),
        Channel.Email or Channel.Ticket => (360, 240),
        Channel.Social => (180, 120),
        _ => (175, 114),
    };

    /// <summary>Targets of REFERENCE.md: 80/20 for phone, 60 s for chat, 4 h for e-mail and tickets, 24 h for social.</summary>
    public static double DefaultTargetSeconds(Channel channel) => channel switch
    {
        Channel.Phone => 20,
        Channel.Chat or Channel.Messenger => 60,
        Channel.Email or Channel.Ticket => 4 * 3600,
        Channel.Social => 24 * 3600,
        _ => 20,
    };

    /// <summary>Busy-weekday volume used when a queue gives none.</summary>
    public static double DefaultDailyVolume(Channel channel) => channel switch
    {
        Channel.Phone => 800,
        Channel.Chat or Channel.Messenger => 400,
        Channel.Email or Channel.Ticket => 300,
        Channel.Social => 100,
        _ => 300,
    };

    /// <summary>Live channels lose customers who run out of patience; async ones wait for the answer.</summary>
    public static bool IsLive(Channel channel) => !channel.IsAsync();
}
