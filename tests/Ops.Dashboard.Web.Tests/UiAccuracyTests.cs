using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web.Components.Forecast;

namespace Ops.Dashboard.Web.Tests;

/// <summary>The forecast page's accuracy section over a fake <see cref="IForecastAccuracy"/>: chart series, the per-day table, reloads and notes.</summary>
public sealed class UiAccuracyTests : UiForecastTestBase
{
    /// <summary>Sun 22 Nov 2026 00:00 in Berlin.</summary>
    private static readonly DateTimeOffset SundayUtc = new(2026, 11, 21, 23, 0, 0, TimeSpan.Zero);

    private readonly FakeAccuracy _accuracy = new();

    protected override void AddFakes(IServiceCollection services) => services.AddSingleton<IForecastAccuracy>(_accuracy);

    private IRenderedComponent<AccuracySection> RenderSection(int version = 0) =>
        Render<AccuracySection>(p => p.Add(s => s.Queue, "billing").Add(s => s.Version, version));

    [Fact]
    public void The_chart_gets_the_band_the_p50_line_and_the_actuals_at_site_time()
    {
        var module = ForecastChartModule();

        var cut = RenderSection();

        cut.WaitForAssertion(() => Assert.Single(module.Invocations["createForecast"]));
        var config = Assert.IsType<ForecastChartConfig>(module.Invocations["createForecast"][0].Arguments[1]);
        Assert.Equal([("p10–p90", "rangeArea"), ("p50", "line"), ("Actual", "line")], config.Series.Select(s => (s.Name, s.Type)));
        var x0 = (new DateTime(2026, 11, 22) - DateTime.UnixEpoch).TotalMilliseconds; // local midnight as the axis' ms
        Assert.Equal([x0, 8, 12], config.Series[0].Data[0]);
        Assert.Equal([x0, 10], config.Series[1].Data[0]);
        Assert.Equal([x0, 9], config.Series[2].Data[0]);
        Assert.Equal([x0 + 3_600_000, 0], config.Series[2].Data[1]); // an hour without data is drawn at 0
        Assert.All(config.Series, s => Assert.Equal(_accuracy.Hours.Count, s.Data.Count));
        Assert.Equal(["billing"], _accuracy.Calls);
    }

    [Fact]
    public void The_table_has_a_row_per_day_with_the_better_wape_highlighted()
    {
        ForecastChartModule();

        var cut = RenderSection();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("table.accuracy-days tbody tr").Count));
        var rows = cut.FindAll("table.accuracy-days tbody tr");
        Assert.Equal(["2026-11-21", "2026-11-22", "2026-11-23"], rows.Select(r => r.GetAttribute("data-day")));
        Assert.Equal("Sat 21 Nov 2026", rows[0].QuerySelector("th")!.TextContent);
        Assert.Equal("1,200", rows[0].QuerySelector(".actual")!.TextContent);
        Assert.Equal("1,100.5", rows[0].QuerySelector(".forecast")!.TextContent);
        Assert.Equal("8.0 %", rows[0].QuerySelector(".wape-model")!.TextContent);
        Assert.Equal("12.5 %", rows[0].QuerySelector(".wape-baseline")!.TextContent);
        Assert.Contains("better", rows[0].QuerySelector(".wape-model")!.ClassList);
        Assert.DoesNotContain("better", rows[0].QuerySelector(".wape-baseline")!.ClassList);
        // Day 2: the baseline did better.
        Assert.Contains("better", rows[1].QuerySelector(".wape-baseline")!.ClassList);
        Assert.DoesNotContain("better", rows[1].QuerySelector(".wape-model")!.ClassList);
        // Today so far: nothing came yet, no WAPE and nothing highlighted.
        Assert.Contains("today", rows[2].ClassList);
        Assert.Equal("Mon 23 Nov 2026 (so far)", rows[2].QuerySelector("th")!.TextContent);
        Assert.Equal("—", rows[2].QuerySelector(".wape-model")!.TextContent);
        Assert.Empty(rows[2].QuerySelectorAll(".better"));
        Assert.Equal("Forecast vs actual", cut.Find("section.forecast-section.forecast-accuracy h2").TextContent);
        var sub = cut.Find(".accuracy-sub").TextContent;
        Assert.Contains("2 days up to Sun 22 Nov 2026", sub);
        Assert.Contains("before its 14-day block", sub);
    }

    [Fact]
    public void A_new_version_or_queue_reloads_and_the_same_parameters_do_not()
    {
        ForecastChartModule();
        var cut = RenderSection();
        cut.WaitForAssertion(() => Assert.Single(_accuracy.Calls));

        cut.Render(p => p.Add(s => s.Queue, "billing").Add(s => s.Version, 0));
        Assert.Single(_accuracy.Calls);
        cut.Render(p => p.Add(s => s.Queue, "billing").Add(s => s.Version, 1));
        cut.Render(p => p.Add(s => s.Queue, "sales").Add(s => s.Version, 1));

        cut.WaitForAssertion(() => Assert.Equal(["billing", "billing", "sales"], _accuracy.Calls));
    }

    [Fact]
    public void A_model_saved_without_its_backtest_hours_shows_the_note_and_an_error_shows_the_message()
    {
        ForecastChartModule();
        _accuracy.Old = true;

        var cut = RenderSection();

        cut.WaitForAssertion(() => Assert.Equal(ForecastService.RetrainNote, cut.Find(".accuracy-note").TextContent));
        Assert.Empty(cut.FindAll("table.accuracy-days"));
        Assert.Empty(cut.FindAll(".forecast-vs-actual"));

        _accuracy.Old = false;
        _accuracy.Fail = true;
        cut.Render(p => p.Add(s => s.Queue, "billing").Add(s => s.Version, 1));
        cut.WaitForAssertion(() => Assert.Equal("queue: queue billing has 20 days of history and no trained model", cut.Find(".accuracy-error").TextContent));
    }

    [Fact]
    public void Prerendering_reads_nothing()
    {
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));

        var cut = RenderSection();

        Assert.Empty(_accuracy.Calls);
        Assert.Empty(cut.FindAll("table.accuracy-days"));
        Assert.NotNull(cut.Find("section.forecast-accuracy"));
    }

    /// <summary>
    /// 34 hours from Sunday 00:00 (only the first with data) and three fixed day rows: two held-out days and today so far.
    /// <c>Old = true</c> answers as for a model without backtest hours (no chart): for page tests that count the charts.
    /// </summary>
    internal sealed class FakeAccuracy : IForecastAccuracy
    {
        public bool Old { get; set; }

        public bool Fail { get; set; }

        public List<string> Calls { get; } = [];

        public IReadOnlyList<AccuracyHourDto> Hours { get; } =
        [
            .. Enumerable.Range(0, 24 + 10).Select(i => new AccuracyHourDto(SundayUtc.AddHours(i), i == 0 ? 9 : null, 8, 10, 12, false)),
        ];

        private static ModelInfoDto Model() => new("PoissonRegression", new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero),
            new DateOnly(2026, 9, 1), new DateOnly(2026, 11, 22), "14days", 2,
            new ScoresDto("PoissonRegression", 48, 2, 3, 0.12, 0.10),
            new ScoresDto("SeasonalNaive", 48, 4, 5, 0.2, 0.18),
            new ScoresDto("SameWeekdayMean4", 48, 3, 4, 0.16, 0.15));

        public Task<AccuracyDto> AccuracyAsync(string queue, CancellationToken ct = default)
        {
            Calls.Add(queue);
            if (Fail) throw new ForecastInputException("queue", $"queue {queue} has 20 days of history and no trained model");
            if (Old) return Task.FromResult(new AccuracyDto(queue, Model(), false, ForecastService.RetrainNote, [], []));
            return Task.FromResult(new AccuracyDto(queue, Model(), true, null, Hours,
            [
                new AccuracyDayDto(new DateOnly(2026, 11, 21), false, 12, 1200, 1100.5, 9.6, 0.08, "SeasonalNaive", 0.125),
                new AccuracyDayDto(new DateOnly(2026, 11, 22), false, 12, 800, 900, 10, 0.2, "SameWeekdayMean4", 0.15),
                new AccuracyDayDto(new DateOnly(2026, 11, 23), true, 0, 0, 0, null, null, "SeasonalNaive", null),
            ]));
        }
    }
}
