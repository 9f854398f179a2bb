namespace Ops.Dashboard.Web.Components.Wallboard;

/// <summary>A point of a today chart: <see cref="Hour"/> is the site-local time of day in hours (9.25 = 09:15).</summary>
public sealed record ChartPoint(double Hour, double Value);

/// <summary>One series as charts.js hands it to ApexCharts.</summary>
public sealed record ChartSeries(string Name, string Type, IReadOnlyList<double[]> Data);
