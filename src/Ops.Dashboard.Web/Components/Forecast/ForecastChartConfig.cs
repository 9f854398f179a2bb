using Ops.Dashboard.Web.Components.Wallboard;

namespace Ops.Dashboard.Web.Components.Forecast;

/// <summary>What <c>createForecast</c> in charts.js is given: the series and the y axis' title.</summary>
public sealed record ForecastChartConfig(IReadOnlyList<ChartSeries> Series, string Unit);
