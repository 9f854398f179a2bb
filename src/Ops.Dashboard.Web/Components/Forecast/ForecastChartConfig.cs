using Ops.Dashboard.Web.Components.Wallboard;

namespace Ops.Dashboard.Web.Components.Forecast;

/// <summary>What <c>createForecast</c> in charts.js is given: the series, the y axis' title and, optionally, one colour per series.</summary>
public sealed record ForecastChartConfig(IReadOnlyList<ChartSeries> Series, string Unit, IReadOnlyList<string>? Colors = null);
