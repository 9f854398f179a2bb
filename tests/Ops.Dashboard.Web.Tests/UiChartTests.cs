using Bunit;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web.Components.Wallboard;
using static Ops.Dashboard.Web.Tests.UiData;

namespace Ops.Dashboard.Web.Tests;

public sealed class UiChartTests : UiTestBase
{
    // Today in Berlin starts at 23:00 UTC the day before; 08:00 UTC = 09:00 local.
    private static readonly DateTimeOffset At0800Utc = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private BunitJSModuleInterop Module()
    {
        var module = JSInterop.SetupModule(TodayChart.ModulePath);
        module.SetupVoid("create", _ => true).SetVoidResult();
        module.SetupVoid("update", _ => true).SetVoidResult();
        module.SetupVoid("destroy", _ => true).SetVoidResult();
        return module;
    }

    private IRenderedComponent<TodayChart> RenderChart(params string[] queues) =>
        Render<TodayChart>(p => p.Add(x => x.Queues, queues));

    [Fact]
    public void The_chart_sums_offered_per_interval_over_its_queues_and_is_created_once()
    {
        var module = Module();
        Stats.Set("billing", (At0800Utc, 5), (At0800Utc.AddMinutes(15), 7));
        Stats.Set("tech", (At0800Utc, 2));
        Stats.Set("sales", (At0800Utc, 100)); // not one of the chart's queues

        var cut = RenderChart("billing", "tech");

        cut.WaitForAssertion(() => Assert.Equal("14", cut.Find(".today-chart-n").TextContent));
        Assert.Equal([new ChartPoint(9, 7), new ChartPoint(9.25, 7)], cut.Instance.Offered);
        cut.WaitForAssertion(() => module.VerifyInvoke("create", calledTimes: 1));
    }

    [Fact]
    public async Task A_change_of_one_of_its_queues_updates_the_series_in_place_at_most_every_five_seconds()
    {
        var module = Module();
        Stats.Set("billing", (At0800Utc, 5));
        var cut = RenderChart("billing");
        cut.WaitForAssertion(() => Assert.Equal("5", cut.Find(".today-chart-n").TextContent));
        cut.WaitForAssertion(() => module.VerifyInvoke("create", calledTimes: 1));
        var calls = Stats.Calls;

        // A change of another queue does not refresh this chart.
        await PushAsync([Live("tech", waiting: 1)]);
        Assert.Equal(calls, Stats.Calls);

        Stats.Set("billing", (At0800Utc, 6));
        await PushAsync([Live("billing", waiting: 1)]);
        cut.WaitForAssertion(() => Assert.Equal("6", cut.Find(".today-chart-n").TextContent));
        cut.WaitForAssertion(() => Assert.NotEmpty(module.Invocations["update"]));

        // Two more changes within 5 s: one refresh, at the end of the interval.
        Stats.Set("billing", (At0800Utc, 8));
        await PushAsync([Live("billing", waiting: 2)]);
        await PushAsync([Live("billing", waiting: 3)]);
        Assert.Equal(calls + 1, Stats.Calls);

        Time.Advance(TodayChart.RefreshInterval);
        cut.WaitForAssertion(() => Assert.Equal("8", cut.Find(".today-chart-n").TextContent));
        Assert.Equal(calls + 2, Stats.Calls);
        module.VerifyInvoke("create", calledTimes: 1);
    }

    [Fact]
    public async Task Figures_arriving_while_the_chart_is_being_created_are_drawn_by_an_update_not_a_second_chart()
    {
        var module = JSInterop.SetupModule(TodayChart.ModulePath);
        var create = module.SetupVoid("create", _ => true); // stays pending: ApexCharts still loading
        module.SetupVoid("update", _ => true).SetVoidResult();
        Stats.Set("billing", (At0800Utc, 5));

        var cut = RenderChart("billing");
        cut.WaitForAssertion(() => module.VerifyInvoke("create", calledTimes: 1));
        Stats.Set("billing", (At0800Utc, 6));
        await PushAsync([Live("billing", waiting: 1)]); // new figures, another render, while create is pending
        cut.WaitForAssertion(() => Assert.Equal("6", cut.Find(".today-chart-n").TextContent));
        module.VerifyInvoke("create", calledTimes: 1);
        Assert.Empty(module.Invocations["update"]);

        await cut.InvokeAsync(() => create.SetVoidResult());

        cut.WaitForAssertion(() => module.VerifyInvoke("update", calledTimes: 1));
        module.VerifyInvoke("create", calledTimes: 1);
    }

    [Fact]
    public async Task A_failed_read_leaves_a_dash_and_the_next_change_tries_again()
    {
        var module = Module();
        Stats.Fail = true;
        var cut = RenderChart("billing");
        Assert.Equal("—", cut.Find(".today-chart-n").TextContent);

        Stats.Fail = false;
        Stats.Set("billing", (At0800Utc, 3));
        await PushAsync([Live("billing", waiting: 1)]);

        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find(".today-chart-n").TextContent));
    }

    [Fact]
    public async Task The_chart_is_destroyed_with_its_component()
    {
        var module = Module();
        var cut = RenderChart("billing");
        cut.WaitForAssertion(() => module.VerifyInvoke("create", calledTimes: 1));

        await DisposeComponentsAsync();

        module.VerifyInvoke("destroy", calledTimes: 1);
        Assert.Equal(0, Feed.OpenSubscriptions);
    }

    [Fact]
    public void A_forecast_becomes_the_second_series()
    {
        var module = Module();
        Stats.Set("billing", (At0800Utc, 5));

        var cut = Render<TodayChart>(p => p
            .Add(x => x.Queues, ["billing"])
            .Add(x => x.Forecast, [new ChartPoint(9, 6), new ChartPoint(9.25, 4)]));

        cut.WaitForAssertion(() => module.VerifyInvoke("create", calledTimes: 1));
        Assert.Contains("line: forecast", cut.Find(".today-chart-total").TextContent);
        var config = System.Text.Json.JsonSerializer.Serialize(module.Invocations["create"][0].Arguments[1]);
        Assert.Contains("\"Forecast\"", config);
        Assert.Contains("\"line\"", config);
    }

    /// <summary>Today (Berlin, from 23:00 UTC the day before): hour 9 local forecasts 40 contacts, the others 8; 03:00 is closed.</summary>
    private static ForecastDto Today(string queue)
    {
        var start = new DateTimeOffset(2026, 11, 22, 23, 0, 0, TimeSpan.Zero);
        var model = new ModelInfoDto("LightGbm", start, new DateOnly(2026, 9, 1), new DateOnly(2026, 11, 22), "14days", 28,
            new ScoresDto("LightGbm", 600, 2, 3, 0.12, 0.10), new ScoresDto("SeasonalNaive", 600, 4, 5, 0.2, 0.18),
            new ScoresDto("SameWeekdayMean4", 600, 3, 4, 0.16, 0.15));
        return new ForecastDto(queue, model,
            [.. Enumerable.Range(0, 24).Select(h => new ForecastHourDto(start.AddHours(h), 0, h == 9 ? 40 : h == 3 ? 0 : 8, 0, h == 3))]);
    }

    private static System.Text.Json.JsonElement SeriesNamed(BunitJSModuleInterop module, string invocation, string name)
    {
        // create gets { series, xMax }, update the series; a series serializes as { Name, Type, Data }.
        var json = System.Text.Json.JsonSerializer.SerializeToElement(module.Invocations[invocation][^1].Arguments[1]);
        var series = invocation == "create" ? json.GetProperty("series") : json;
        return series.EnumerateArray().Single(s => s.GetProperty("Name").GetString() == name);
    }

    private static int SeriesCount(BunitJSModuleInterop module, string invocation)
    {
        var json = System.Text.Json.JsonSerializer.SerializeToElement(module.Invocations[invocation][^1].Arguments[1]);
        return (invocation == "create" ? json.GetProperty("series") : json).GetArrayLength();
    }

    [Fact]
    public void A_single_queue_chart_draws_its_saved_forecast_as_p50_over_four_per_interval()
    {
        var module = Module();
        Stats.Set("billing", (At0800Utc, 5));
        TodayForecasts.Set("billing", Today("billing"));

        var cut = RenderChart("billing");

        cut.WaitForAssertion(() => module.VerifyInvoke("create", calledTimes: 1));
        Assert.Equal(2, SeriesCount(module, "create"));
        var forecast = SeriesNamed(module, "create", "Forecast");
        Assert.Equal("line", forecast.GetProperty("Type").GetString());
        var points = forecast.GetProperty("Data").EnumerateArray().Select(p => (X: p[0].GetDouble(), Y: p[1].GetDouble())).ToList();
        Assert.Equal(96, points.Count);
        Assert.Equal([(9, 10), (9.25, 10), (9.5, 10), (9.75, 10)], points.Where(p => p.X is >= 9 and < 10));
        Assert.All(points.Where(p => p.X is >= 3 and < 4), p => Assert.Equal(0, p.Y));
        Assert.Equal(2, points.Single(p => p.X == 10).Y);
        Assert.Contains("line: forecast", cut.Find(".today-chart-total").TextContent);
    }

    [Fact]
    public void Without_a_saved_model_only_the_actual_series_is_drawn()
    {
        var module = Module();
        Stats.Set("billing", (At0800Utc, 5));

        var cut = RenderChart("billing");

        cut.WaitForAssertion(() => module.VerifyInvoke("create", calledTimes: 1));
        Assert.Equal(1, SeriesCount(module, "create"));
        SeriesNamed(module, "create", "Offered");
        Assert.DoesNotContain("forecast", cut.Find(".today-chart-total").TextContent);
        Assert.Equal(1, TodayForecasts.TodayCalls);
    }

    [Fact]
    public void A_chart_of_several_queues_draws_no_forecast()
    {
        var module = Module();
        TodayForecasts.Set("billing", Today("billing"));
        TodayForecasts.Set("tech", Today("tech"));

        var cut = RenderChart("billing", "tech");

        cut.WaitForAssertion(() => module.VerifyInvoke("create", calledTimes: 1));
        Assert.Equal(1, SeriesCount(module, "create"));
        Assert.Equal(0, TodayForecasts.TodayCalls);
    }

    [Fact]
    public async Task The_forecast_is_read_again_at_most_every_fifteen_minutes_and_updates_the_chart_in_place()
    {
        var module = Module();
        Stats.Set("billing", (At0800Utc, 5));
        var cut = RenderChart("billing");
        cut.WaitForAssertion(() => module.VerifyInvoke("create", calledTimes: 1));
        Assert.Equal(1, TodayForecasts.TodayCalls);

        // A model is saved; the figures refresh within the 15 minutes: the forecast is not read again.
        TodayForecasts.Set("billing", Today("billing"));
        Time.Advance(TodayChart.RefreshInterval);
        await PushAsync([Live("billing", waiting: 1)]);
        cut.WaitForAssertion(() => Assert.NotEmpty(module.Invocations["update"]));
        Assert.Equal(1, TodayForecasts.TodayCalls);
        Assert.Equal(1, SeriesCount(module, "update"));

        // 15 minutes on, the next refresh reads it and the chart gets the line in place.
        Time.Advance(TodayChart.ForecastRefreshInterval);
        await PushAsync([Live("billing", waiting: 2)]);
        cut.WaitForAssertion(() => Assert.Equal(2, SeriesCount(module, "update")));
        Assert.Equal(2, TodayForecasts.TodayCalls);
        SeriesNamed(module, "update", "Forecast");
        module.VerifyInvoke("create", calledTimes: 1);
    }
}
