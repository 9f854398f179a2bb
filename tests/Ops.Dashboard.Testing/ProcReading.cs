using System.Globalization;

namespace Ops.Dashboard.Testing;

/// <summary>One reading of a Linux process from /proc/&lt;pid&gt;/status and /proc/&lt;pid&gt;/stat.</summary>
public readonly record struct ProcReading(long RssBytes, long PeakRssBytes, int Threads, TimeSpan UserCpu, TimeSpan SystemCpu)
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public TimeSpan Cpu => UserCpu + SystemCpu;

    /// <summary>VmRSS, VmHWM and Threads from status, utime and stime from stat; null once the process is gone.</summary>
    public static ProcReading? Read(int pid)
    {
        try
        {
            long rss = 0, hwm = 0;
            var threads = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Number(line) * 1024;
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Number(line) * 1024;
                else if (line.StartsWith("Threads:", StringComparison.Ordinal)) threads = (int)Number(line);
            }
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: count fields after it.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime is field 14, stime field 15.
            var user = TimeSpan.FromSeconds(long.Parse(fields[11], CultureInfo.InvariantCulture) / TicksPerSecond);
            var system = TimeSpan.FromSeconds(long.Parse(fields[12], CultureInfo.InvariantCulture) / TicksPerSecond);
            return new ProcReading(rss, hwm, threads, user, system);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg; null when unreadable.</summary>
    public static string[]? LoadAverages()
    {
        try
        {
            return [.. File.ReadAllText("/proc/loadavg").Split(' ').Take(3)];
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long Number(string line) =>
        long.Parse(new string([.. line.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(char.IsAsciiDigit)]), CultureInfo.InvariantCulture);
}
