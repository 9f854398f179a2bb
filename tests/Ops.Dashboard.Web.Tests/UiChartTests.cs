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
}
