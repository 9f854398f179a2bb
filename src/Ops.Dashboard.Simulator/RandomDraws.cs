namespace Ops.Dashboard.Simulator;

/// <summary>The distributions of the traffic model, each drawing a fixed number of values so streams stay reproducible.</summary>
internal static class RandomDraws
{
    /// <summary>Standard normal by Box–Muller; one value per call keeps the draw count per use fixed.</summary>
    public static double Normal(this Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static double Exponential(this Random rng, double rate) => -Math.Log(1.0 - rng.NextDouble()) / rate;

    public static double LogNormal(this Random rng, LogNormalShape shape) => Math.Exp(shape.Mu + shape.Sigma * rng.Normal());
}

/// <summary>A log-normal given by its mean and median: median = e^μ, mean/median = e^(σ²/2).</summary>
internal readonly record struct LogNormalShape(double Mu, double Sigma)
{
    public static LogNormalShape FromMeanMedian(double mean, double median) =>
        new(Math.Log(median), Math.Sqrt(2.0 * Math.Log(mean / median)));
}
