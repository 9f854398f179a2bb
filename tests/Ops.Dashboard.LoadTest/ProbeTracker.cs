using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ops.Dashboard.LoadTest;

/// <summary>
/// The latency probe: one contact.created for the queue "probe" every ~100 ms rides in the next
/// outgoing batch; a poller reads today.offered of that queue and, when it reaches k, probes 1..k
/// are visible. Latency = when the poll's answer arrived − when the probe's POST started.
/// </summary>
public sealed class ProbeTracker
{
    private readonly object _gate = new();
    private readonly List<Probe> _probes = [];
    private int _seen; // probes (failed ones skipped) known to be visible

    public sealed class Probe(long number, DateTimeOffset at)
    {
        public long Number { get; } = number;
        public DateTimeOffset At { get; } = at;
        public long PostStart { get; set; }
        public long SeenAt { get; set; }
        public bool Failed { get; set; }
        public double LatencyMs => SeenAt > 0 && PostStart > 0 ? Stopwatch.GetElapsedTime(PostStart, SeenAt).TotalMilliseconds : double.NaN;
    }

    /// <summary>Probes seen, to be closed with a contact.abandoned in a later batch (keeps the probe queue's waiting list short).</summary>
    public ConcurrentQueue<long> ToClose { get; } = new();

    public long NextNumber
    {
        get { lock (_gate) return _probes.Count + 1; }
    }

    /// <summary>Call in the order the probes' "at" increase (under the generator's lock).</summary>
    public void Register(long number, DateTimeOffset at)
    {
        lock (_gate) _probes.Add(new Probe(number, at));
    }

    public void Posted(long number, long timestamp)
    {
        lock (_gate) _probes[(int)number - 1].PostStart = timestamp;
    }

    /// <summary>The batch was not accepted: this probe will never be counted.</summary>
    public void Failed(long number)
    {
        lock (_gate) _probes[(int)number - 1].Failed = true;
    }

    /// <summary>Probes whose "at" falls before the given site day start (counted on an earlier day).</summary>
    public int CountBefore(DateTimeOffset dayStart)
    {
        lock (_gate)
        {
            int lo = 0, hi = _probes.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (_probes[mid].At < dayStart) lo = mid + 1; else hi = mid;
            }
            return _probes.Take(lo).Count(p => !p.Failed);
        }
    }

    /// <summary>The read API counts <paramref name="visible"/> (non-failed) probes: mark the new ones seen now.</summary>
    public void Seen(int visible, long timestamp)
    {
        lock (_gate)
        {
            if (visible <= _seen) return;
            var counted = 0;
            foreach (var p in _probes)
            {
                if (p.Failed) continue;
                if (++counted > visible) break;
                if (p.SeenAt != 0) continue;
                p.SeenAt = timestamp;
                ToClose.Enqueue(p.Number);
            }
            _seen = Math.Max(_seen, Math.Min(visible, counted));
        }
    }

    /// <summary>Probes that were posted successfully and are not yet visible.</summary>
    public int Outstanding
    {
        get { lock (_gate) return _probes.Count(p => !p.Failed && p.PostStart != 0 && p.SeenAt == 0); }
    }

    public List<Probe> Snapshot()
    {
        lock (_gate) return [.. _probes];
    }
}
