using System.Globalization;

namespace Ops.Dashboard.LoadTest;

/// <summary>One reading of a Linux process from /proc: resident memory and CPU time used so far.</summary>
public readonly record struct ProcSample(TimeSpan At, long RssBytes, TimeSpan Cpu, TimeSpan UserCpu, TimeSpan SystemCpu, int Threads);

public static class ProcStat
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public static bool Supported => File.Exists("/proc/self/stat");

    /// <summary>Reads /proc/<pid>/status (VmRSS, Threads) and /proc/<pid>/stat (utime, stime); null once the process is gone.</summary>
    public static ProcSample? Read(int pid, TimeSpan at)
    {
        try
        {
            long rss = 0;
            var threads = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = ParseKb(line) * 1024;
                else if (line.StartsWith("Threads:", StringComparison.Ordinal)) threads = (int)ParseKb(line);
            }
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: count fields after it.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime is field 14, stime field 15.
            var user = TimeSpan.FromSeconds(long.Parse(fields[11], CultureInfo.InvariantCulture) / TicksPerSecond);
            var system = TimeSpan.FromSeconds(long.Parse(fields[12], CultureInfo.InvariantCulture) / TicksPerSecond);
            return new ProcSample(at, rss, user + system, user, system, threads);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average and the number of CPUs, for the report's "machine load" line.</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {parts[0]} {parts[1]} {parts[2]} on {Environment.ProcessorCount} cores";
        }
        catch (IOException)
        {
            return $"{Environment.ProcessorCount} cores";
        }
    }

    /// <summary>CPU time of the whole machine (all processes), from /proc/stat: (busy, total) in ticks.</summary>
    public static (long Busy, long Total)? MachineCpu()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var idle = v[3] + (v.Length > 4 ? v[4] : 0);
            var total = v.Take(8).Sum();
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>CPU ticks (1/100 s) used so far per thread name (/proc/&lt;pid&gt;/task/*/stat), summed over threads of the same name.</summary>
    public static Dictionary<string, long> ThreadCpu(int pid)
    {
        var result = new Dictionary<string, long>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var open = stat.IndexOf('(');
                    var close = stat.LastIndexOf(')');
                    var name = stat[(open + 1)..close];
                    var fields = stat[(close + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    result[name] = result.GetValueOrDefault(name) + ticks;
                }
                catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return result;
    }

    private static long ParseKb(string line)
    {
        var digits = new string([.. line.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(char.IsAsciiDigit)]);
        return long.Parse(digits, CultureInfo.InvariantCulture);
    }
}
