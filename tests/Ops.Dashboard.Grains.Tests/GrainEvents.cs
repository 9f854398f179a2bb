using static Ops.Dashboard.Testing.TestEvents;

namespace Ops.Dashboard.Grains.Tests;

/// <summary>Times on the grain tests' day; the events themselves come from <c>TestEvents</c>.</summary>
internal static class Ev
{
    /// <summary>A local time on the test day, Monday 2026-11-23 in Berlin (+01:00).</summary>
    public static string Day(string hhmmss) => $"2026-11-23T{hhmmss}+01:00";

    public static long Ms(string rfc3339) => T(rfc3339).ToUnixTimeMilliseconds();
}
