using System.Reflection;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Ops.Dashboard.Web.Components.Pages;

namespace Ops.Dashboard.Web.Tests;

/// <summary>The staffing calculator page: the form, the figures, the table around the team size, and errors naming the field.</summary>
public sealed class UiStaffingTests : BunitContext
{
    public UiStaffingTests()
    {
        Services.AddSingleton(UiData.Options());
        JSInterop.Mode = JSRuntimeMode.Loose;
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private static Task SubmitAsync(IRenderedComponent<StaffingPage> cut) => cut.Find("form.staffing-form").SubmitAsync(EventArgs.Empty);

    [Fact]
    public void The_page_is_routed_and_open_to_planners_only()
    {
        Assert.Equal("/staffing", Assert.Single(typeof(StaffingPage).GetCustomAttributes<RouteAttribute>()).Template);
        Assert.Equal(Policies.Planning, Assert.Single(typeof(StaffingPage).GetCustomAttributes<AuthorizeAttribute>()).Policy);
    }

    [Fact]
    public void The_published_case_shows_fourteen_agents_and_a_table_from_twelve_to_seventeen()
    {
        var cut = Render<StaffingPage>();

        Assert.Equal("14", cut.Find(".staffing-figures .agents").TextContent);
        Assert.Equal("88.8 %", cut.Find(".staffing-figures .service-level").TextContent);
        Assert.Equal("7.8 s", cut.Find(".staffing-figures .asa").TextContent);
        Assert.Equal("71.4 %", cut.Find(".staffing-figures .occupancy").TextContent);
        var rows = cut.FindAll(".staffing-table tbody tr");
        Assert.Equal(["12", "13", "14", "15", "16", "17"], rows.Select(r => r.GetAttribute("data-agents")));
        Assert.Equal("14", cut.Find(".staffing-table tr.is-result").GetAttribute("data-agents"));
        Assert.Contains("misses", cut.Find(".staffing-table tr[data-agents='13']").ClassName);
    }

    [Fact]
    public async Task Given_agents_and_shrinkage_the_figures_are_recalculated()
    {
        var cut = Render<StaffingPage>();

        cut.Find("input[name=agents]").Change("13");
        cut.Find("input[name=shrinkagePercent]").Change("30");
        await SubmitAsync(cut);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("13", cut.Find(".staffing-figures .agents").TextContent);
            Assert.Equal("19", cut.Find(".staffing-figures .scheduled").TextContent); // 13 / 0.7 = 18.6
            Assert.Equal("79.6 %", cut.Find(".staffing-figures .service-level").TextContent);
            Assert.Equal("13", cut.Find(".staffing-table tr.is-result").GetAttribute("data-agents"));
        });
    }

    [Fact]
    public async Task Too_few_agents_for_the_traffic_show_no_asa()
    {
        var cut = Render<StaffingPage>();

        cut.Find("input[name=agents]").Change("10");
        await SubmitAsync(cut);

        // Ten agents for ten Erlangs: the queue grows for ever, so there is no ASA and no service level.
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("—", cut.Find(".staffing-figures .asa").TextContent);
            Assert.Equal("0.0 %", cut.Find(".staffing-figures .service-level").TextContent);
            Assert.Equal(["8", "9", "10", "11", "12", "13"], cut.FindAll(".staffing-table tbody tr").Select(r => r.GetAttribute("data-agents")));
        });
    }

    [Fact]
    public async Task A_patience_switches_to_erlang_a_and_shows_abandons()
    {
        var cut = Render<StaffingPage>();

        cut.Find("input[name=patienceSeconds]").Change("120");
        await SubmitAsync(cut);

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Erlang A", cut.Find(".staffing-model").TextContent);
            Assert.NotEmpty(cut.FindAll(".staffing-figures .abandon"));
            Assert.Equal(cut.FindAll(".staffing-table tbody tr").Count, cut.FindAll(".staffing-table td.abandon").Count);
        });
    }

    [Fact]
    public async Task A_bad_value_is_reported_naming_its_field()
    {
        var cut = Render<StaffingPage>();

        cut.Find("input[name=ahtSeconds]").Change("0");
        await SubmitAsync(cut);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("ahtSeconds: must be greater than 0", cut.Find(".staffing-error").TextContent);
            Assert.Equal("true", cut.Find("input[name=ahtSeconds]").GetAttribute("aria-invalid"));
            Assert.Empty(cut.FindAll(".staffing-table"));
        });
    }

    [Fact]
    public async Task Choosing_a_queue_takes_its_service_level_target()
    {
        var cut = Render<StaffingPage>();

        cut.Find("select[name=queue]").Change("sales"); // 70 % within 30 s
        await SubmitAsync(cut);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("30", cut.Find("input[name=targetSeconds]").GetAttribute("value"));
            Assert.Equal("70", cut.Find("input[name=slTargetPercent]").GetAttribute("value"));
            Assert.Contains("70.0 % within 30 s", cut.Find(".staffing-table caption").TextContent);
        });
    }
}
