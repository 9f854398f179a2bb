using System.Globalization;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.LoadTest;

/// <summary>One reading of a Linux process from /proc: resident memory and CPU time used so far.</summary>
public readonly record struct ProcSample(TimeSpan At, long RssBytes, TimeSpan Cpu, TimeSpan UserCpu, TimeSpan SystemCpu, int Threads);

public static class ProcStat
{
    public static bool Supported => File.Exists("/proc/self/stat");

    /// <summary>Reads /proc/<pid>/status (VmRSS, Threads) and /proc/<pid>/stat (utime, stime); null once the process is gone.</summary>
    public static ProcSample? Read(int pid, TimeSpan at) =>
        ProcReading.Read(pid) is { } r ? new ProcSample(at, r.RssBytes, r.Cpu, r.UserCpu, r.SystemCpu, r.Threads) : null;

    /// <summary>The 1-minute load average and the number of CPUs, for the report's "machine load" line.</summary>
    public static string LoadAverage()
    {
        return ProcReading.LoadAverages() is { } l
            ? $"load average {string.Join(" ", l)} on {Environment.ProcessorCount} cores"
            : $"{Environment.ProcessorCount} cores";
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
}
