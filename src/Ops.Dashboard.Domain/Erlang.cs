namespace Ops.Dashboard.Domain;

/// <summary>
/// Erlang C (M/M/N): Poisson arrivals, exponential handle times, N agents, infinite patience.
/// Computed from the Erlang B recursion B(n) = A·B(n−1) / (n + A·B(n−1)), which never forms
/// A^N or N! and so stays finite for thousands of agents; C = N·B / (N − A·(1 − B)).
/// </summary>
public static class ErlangC
{
    // RequiredAgents gives up here rather than loop for ever on absurd input.
    private const int MaxAgents = 1_000_000;

    // A/N ≤ maxOccupancy is compared with this slack so that e.g. 7/10 meets 0.7 despite rounding.
    private const double OccupancySlack = 1e-12;

    /// <summary>
    /// Probability that an arrival has to wait (Erlang C formula). 1 when agents ≤ traffic: the queue
    /// grows without bound. 0 for zero traffic: nobody arrives, so nobody waits.
    /// </summary>
    public static double ProbabilityOfWaiting(int agents, double trafficErlangs)
    {
        Check(agents, trafficErlangs);
        if (trafficErlangs == 0) return 0;
        if (agents <= trafficErlangs) return 1;
        return FromErlangB(agents, trafficErlangs, ErlangB(agents, trafficErlangs));
    }

    /// <summary>P(wait ≤ T) = 1 − C·e^{−(N−A)·T/AHT}, 0..1; 0 when unstable (agents ≤ traffic).</summary>
    public static double ServiceLevel(int agents, double trafficErlangs, double ahtSeconds, double targetSeconds)
    {
        Check(agents, trafficErlangs);
        CheckTimes(ahtSeconds, targetSeconds);
        if (trafficErlangs == 0) return 1;
        if (agents <= trafficErlangs) return 0;
        var c = ProbabilityOfWaiting(agents, trafficErlangs);
        return Math.Clamp(1 - c * Math.Exp(-(agents - trafficErlangs) * targetSeconds / ahtSeconds), 0, 1);
    }

    /// <summary>Mean wait of all arrivals, C·AHT/(N−A) seconds; +∞ when unstable.</summary>
    public static double AverageSpeedOfAnswer(int agents, double trafficErlangs, double ahtSeconds)
    {
        Check(agents, trafficErlangs);
        CheckTimes(ahtSeconds, 0);
        if (trafficErlangs == 0) return 0;
        if (agents <= trafficErlangs) return double.PositiveInfinity;
        return ProbabilityOfWaiting(agents, trafficErlangs) * ahtSeconds / (agents - trafficErlangs);
    }

    /// <summary>A/N capped at 1 (an overloaded team is simply always busy); 0 for zero traffic.</summary>
    public static double Occupancy(int agents, double trafficErlangs)
    {
        Check(agents, trafficErlangs);
        if (trafficErlangs == 0) return 0;
        if (agents == 0) return 1;
        return Math.Min(1, trafficErlangs / agents);
    }

    /// <summary>
    /// Smallest N whose service level reaches <paramref name="serviceLevelTarget"/> (0..1) and whose
    /// occupancy A/N is at most <paramref name="maxOccupancy"/>; 0 for zero traffic.
    /// </summary>
    public static int RequiredAgents(double trafficErlangs, double ahtSeconds, double targetSeconds,
        double serviceLevelTarget, double maxOccupancy = 1.0)
    {
        Check(0, trafficErlangs);
        CheckTimes(ahtSeconds, targetSeconds);
        CheckTargets(serviceLevelTarget, maxOccupancy);
        if (trafficErlangs == 0) return 0;

        // One pass of the B recursion serves every candidate N instead of restarting it per N.
        var b = 1.0;
        for (var n = 1; n <= MaxAgents; n++)
        {
            b = trafficErlangs * b / (n + trafficErlangs * b);
            if (n <= trafficErlangs || trafficErlangs / n > maxOccupancy + OccupancySlack) continue;
            var c = FromErlangB(n, trafficErlangs, b);
            var sl = 1 - c * Math.Exp(-(n - trafficErlangs) * targetSeconds / ahtSeconds);
            if (sl >= serviceLevelTarget) return n;
        }
        throw new ArgumentOutOfRangeException(nameof(serviceLevelTarget),
            $"No team of up to {MaxAgents} agents reaches a service level of {serviceLevelTarget}.");
    }

    /// <summary>Erlang B blocking probability by the stable recursion.</summary>
    internal static double ErlangB(int agents, double trafficErlangs)
    {
        var b = 1.0;
        for (var n = 1; n <= agents; n++) b = trafficErlangs * b / (n + trafficErlangs * b);
        return b;
    }

    private static double FromErlangB(int agents, double a, double b) =>
        Math.Clamp(agents * b / (agents - a * (1 - b)), 0, 1);

    private static void Check(int agents, double trafficErlangs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(agents);
        if (!double.IsFinite(trafficErlangs) || trafficErlangs < 0)
            throw new ArgumentOutOfRangeException(nameof(trafficErlangs), trafficErlangs, "Traffic must be a finite number of Erlangs ≥ 0.");
    }

    internal static void CheckTimes(double ahtSeconds, double targetSeconds)
    {
        if (!double.IsFinite(ahtSeconds) || ahtSeconds <= 0)
            throw new ArgumentOutOfRangeException(nameof(ahtSeconds), ahtSeconds, "AHT must be a finite number of seconds > 0.");
        if (!double.IsFinite(targetSeconds) || targetSeconds < 0)
            throw new ArgumentOutOfRangeException(nameof(targetSeconds), targetSeconds, "The service-level threshold must be a finite number of seconds ≥ 0.");
    }

    internal static void CheckTargets(double serviceLevelTarget, double maxOccupancy)
    {
        if (!(serviceLevelTarget >= 0 && serviceLevelTarget <= 1))
            throw new ArgumentOutOfRangeException(nameof(serviceLevelTarget), serviceLevelTarget, "The service-level target is a share between 0 and 1.");
        if (!(maxOccupancy > 0 && maxOccupancy <= 1))
            throw new ArgumentOutOfRangeException(nameof(maxOccupancy), maxOccupancy, "The occupancy cap is a share in (0, 1].");
    }
}

/// <summary>The steady-state figures of an Erlang A queue.</summary>
/// <param name="ProbabilityOfWaiting">Share of arrivals that find every agent busy (some of them later abandon).</param>
/// <param name="ServiceLevel">Share of all offered contacts answered within the threshold.</param>
/// <param name="AbandonProbability">Share of all offered contacts that abandon.</param>
/// <param name="AverageSpeedOfAnswer">Mean wait of the contacts that are answered, seconds; NaN with zero agents (nobody is answered).</param>
/// <param name="Occupancy">Mean share of agents busy; NaN with zero agents.</param>
public sealed record ErlangAResult(
    double ProbabilityOfWaiting,
    double ServiceLevel,
    double AbandonProbability,
    double AverageSpeedOfAnswer,
    double Occupancy);

/// <summary>
/// Erlang A (M/M/N+M): Erlang C plus exponential patience with mean 1/θ. Abandonment keeps the
/// queue finite, so every N (even 0) has a steady state.
/// </summary>
/// <remarks>
/// Method. The number in system n is a birth–death chain with birth rate λ and death rate
/// min(n,N)·μ + max(n−N,0)·θ. Its stationary weights are summed in log space relative to the
/// largest one (no overflow), from n = 0 until the remaining tail — bounded by a geometric series,
/// since death rates only grow — is below 1e-15 of the largest weight.
/// By PASTA an arrival sees n with the stationary probability. If n &lt; N it is answered at once.
/// If n = N + k it has k customers ahead; with j ahead it leaves that state at total rate
/// Nμ + (j+1)θ, by advancing (Nμ + jθ) or by abandoning itself (θ). The time in each state does not
/// depend on which event ends it, so
///   P(answered) = Π_{j=0..k} (Nμ+jθ)/(Nμ+(j+1)θ) = Nμ / (Nμ + (k+1)θ)   (telescoping), and
///   P(answered within T) = P(answered) · P(Exp(Nμ+θ) + … + Exp(Nμ+(k+1)θ) ≤ T).
/// Rates (r+1)θ … (r+k+1)θ with r = Nμ/θ are the spacings of the (k+1)-th smallest of r+k+1
/// independent Exp(θ) times (Rényi), so that probability is the regularised incomplete beta
/// I_p(k+1, r+1) with p = 1 − e^{−θT}, valid for real r. It is walked up in k exactly by
/// I_p(a+1,b) = I_p(a,b) − Γ(a+b)/(Γ(a+1)Γ(b))·p^a·(1−p)^b, the term updated by a ratio in log space.
/// The mean wait of those answered uses E[wait · 1{answered} | k] = P(answered) · Σ_j 1/(Nμ+(j+1)θ).
/// </remarks>
public static class ErlangA
{
    // Beyond this many states the input is absurd (patience of years against an overloaded team).
    private const int MaxStates = 10_000_000;

    // ln(1e-15): the truncated tail is at most this share of the largest stationary weight.
    private static readonly double NegligibleLog = Math.Log(1e-15);

    private const double OccupancySlack = 1e-12;

    public static ErlangAResult Evaluate(int agents, double arrivalsPerSecond, double ahtSeconds,
        double meanPatienceSeconds, double targetSeconds)
    {
        Check(agents, arrivalsPerSecond, meanPatienceSeconds);
        ErlangC.CheckTimes(ahtSeconds, targetSeconds);
        if (arrivalsPerSecond == 0) return new ErlangAResult(0, 1, 0, 0, agents == 0 ? double.NaN : 0);

        var lambda = arrivalsPerSecond;
        var mu = 1 / ahtSeconds;
        var theta = 1 / meanPatienceSeconds;
        var n0 = agents;
        var nMu = n0 * mu;
        double Death(int n) => n <= n0 ? n * mu : nMu + (n - n0) * theta;

        // Pass 1: where the chain can be cut, and the largest log weight (the scale for pass 2).
        double logW = 0, maxLog = 0;
        var last = 0;
        for (var n = 1; ; n++)
        {
            if (n > MaxStates)
                throw new ArgumentOutOfRangeException(nameof(meanPatienceSeconds), meanPatienceSeconds,
                    $"The queue would need more than {MaxStates} states: the patience is too long for this load and team.");
            logW += Math.Log(lambda / Death(n));
            if (logW > maxLog) maxLog = logW;
            var q = lambda / Death(n + 1); // every later ratio is at most q
            if (q < 1 && logW + Math.Log(q / (1 - q)) - maxLog < NegligibleLog)
            {
                last = n;
                break;
            }
        }

        // Pass 2: accumulate the figures with weights scaled by the largest one.
        var r = nMu / theta;
        var b = r + 1;
        var p = -ExpM1(-theta * targetSeconds);
        var logP = Math.Log(p);
        var withinT = targetSeconds > 0 && agents > 0;
        var f = withinT ? -ExpM1(-(nMu + theta) * targetSeconds) : 0; // I_p(1, b)
        var logU = withinT ? Math.Log(b) + logP - b * theta * targetSeconds : double.NegativeInfinity; // the term with a = 1
        double sumW = 0, busy = 0, waiting = 0, atOnce = 0, answered = 0, answeredInT = 0, abandoned = 0, waitOfAnswered = 0;
        double meanWaitIfAnswered = 0;
        logW = 0;
        for (var n = 0; n <= last; n++)
        {
            if (n > 0) logW += Math.Log(lambda / Death(n));
            var w = Math.Exp(logW - maxLog);
            sumW += w;
            busy += w * Math.Min(n, n0);
            if (n < n0)
            {
                atOnce += w;
                continue;
            }
            var k = n - n0;
            waiting += w;
            var rateOut = nMu + (k + 1) * theta;
            var pAnswered = nMu / rateOut;
            answered += w * pAnswered;
            abandoned += w * ((k + 1) * theta / rateOut);
            meanWaitIfAnswered += 1 / rateOut;
            waitOfAnswered += w * pAnswered * meanWaitIfAnswered;
            if (withinT && f > 0)
            {
                answeredInT += w * pAnswered * f;
                // step from I_p(k+1, b) to I_p(k+2, b)
                f = Math.Max(0, f - Math.Exp(logU));
                logU += logP + Math.Log((k + 1 + b) / (k + 2));
            }
        }

        var served = atOnce + answered;
        return new ErlangAResult(
            ProbabilityOfWaiting: waiting / sumW,
            ServiceLevel: Math.Clamp((atOnce + answeredInT) / sumW, 0, 1),
            AbandonProbability: Math.Clamp(abandoned / sumW, 0, 1),
            AverageSpeedOfAnswer: served > 0 ? waitOfAnswered / served : double.NaN,
            Occupancy: agents > 0 ? Math.Min(1, busy / (sumW * agents)) : double.NaN);
    }

    /// <summary>
    /// Smallest N whose service level (answered within T over all offered) reaches
    /// <paramref name="serviceLevelTarget"/> with occupancy at most <paramref name="maxOccupancy"/>; 0 for no arrivals.
    /// </summary>
    public static int RequiredAgents(double arrivalsPerSecond, double ahtSeconds, double meanPatienceSeconds,
        double targetSeconds, double serviceLevelTarget, double maxOccupancy = 1.0)
    {
        Check(0, arrivalsPerSecond, meanPatienceSeconds);
        ErlangC.CheckTimes(ahtSeconds, targetSeconds);
        ErlangC.CheckTargets(serviceLevelTarget, maxOccupancy);
        if (arrivalsPerSecond == 0) return 0;

        // Answered share = μ·E[busy]/λ ≤ N/A, so no N below target·A can reach the target.
        var traffic = arrivalsPerSecond * ahtSeconds;
        var start = Math.Max(1, (int)Math.Min(int.MaxValue / 2, Math.Floor(serviceLevelTarget * traffic)));
        for (var n = start; n < int.MaxValue; n++)
        {
            var result = Evaluate(n, arrivalsPerSecond, ahtSeconds, meanPatienceSeconds, targetSeconds);
            if (result.ServiceLevel >= serviceLevelTarget && result.Occupancy <= maxOccupancy + OccupancySlack) return n;
        }
        throw new ArgumentOutOfRangeException(nameof(serviceLevelTarget), serviceLevelTarget, "No team size reaches this target.");
    }

    private static void Check(int agents, double arrivalsPerSecond, double meanPatienceSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(agents);
        if (!double.IsFinite(arrivalsPerSecond) || arrivalsPerSecond < 0)
            throw new ArgumentOutOfRangeException(nameof(arrivalsPerSecond), arrivalsPerSecond, "The arrival rate must be finite and ≥ 0.");
        if (!double.IsFinite(meanPatienceSeconds) || meanPatienceSeconds <= 0)
            throw new ArgumentOutOfRangeException(nameof(meanPatienceSeconds), meanPatienceSeconds,
                "Mean patience must be a finite number of seconds > 0 (use Erlang C for infinite patience).");
    }

    // e^x − 1 without the cancellation of Math.Exp(x) − 1 near 0 (Kahan's trick); .NET has no accurate expm1.
    private static double ExpM1(double x)
    {
        var u = Math.Exp(x);
        if (u == 1) return x;
        var um1 = u - 1;
        return um1 == -1 ? -1 : um1 * x / Math.Log(u);
    }
}
