using System.Globalization;
using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using Ops.Dashboard.Web.Components.Forecast;
using Ops.Dashboard.Web.Components.Wallboard;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The forecast page's shift plan section, rendered by bUnit against a running dashboard (its shift grains, read
/// model and audit log) with a fake forecast: the per-shift table and gaps, saving the plan, bad input, the chart.
/// Each test uses its own day so that the plans they set do not meet (ShiftPlanApiTests uses tomorrow).
/// </summary>
[Collection(AccessHostCollection.Name)]
public sealed class UiShiftPlanTests : BunitContext
{
    private const string Planner = "shift-ui-planner";
    private const string Address = "192.0.2.61";

    private readonly AccessTestHost _host;
    private readonly ShiftPlanForecasts _forecasts;
    private readonly BunitJSModuleInterop _module;

    public UiShiftPlanTests(AccessTestHost host)
    {
        _host = host;
        DefaultWaitTimeout = TimeSpan.FromSeconds(20);
        Clock = host.Service<SiteClock>();
        // Billing is forecast (20 agents at 10:00, 1 otherwise); every other queue has no forecast.
        _forecasts = new ShiftPlanForecasts(Clock) { Required = { [Forecast] = hour => hour == 10 ? 20 : 1 } };
        Service = ActivatorUtilities.CreateInstance<ShiftPlanService>(host.Services, _forecasts);
        Services.AddSingleton(Service);
        Services.AddSingleton(Clock);
        Services.AddSingleton(host.Options);
        Services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(Microsoft.Extensions.Logging.Abstractions.NullLogger<>));
        JSInterop.Mode = JSRuntimeMode.Loose;
        _module = JSInterop.SetupModule(ForecastChart.ModulePath);
        _module.SetupVoid("createForecast", _ => true).SetVoidResult();
        _module.SetupVoid("updateForecast", _ => true).SetVoidResult();
        _module.SetupVoid("destroy", _ => true).SetVoidResult();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var user = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, Planner), new Claim(ClaimTypes.Role, nameof(Role.Management))], AccessExtensions.CookieScheme));
        RenderTree.Add<CascadingValue<Task<AuthenticationState>>>(p => p.Add(x => x.Value, Task.FromResult(new AuthenticationState(user))));
        RenderTree.Add<CascadingValue<ClientAddress>>(p => p.Add(x => x.Value, new ClientAddress(Address)));
    }

    private const string Forecast = "billing";

    private SiteClock Clock { get; }

    private ShiftPlanService Service { get; }

    /// <summary>Agents to schedule for a productive need, after the host's shrinkage.</summary>
    private int Need(double required) => (int)Math.Ceiling(required / (1 - _host.Service<ForecastSettings>().ShrinkagePercent / 100) - 1e-9);

    private int Default(string template) => _host.Options.Shifts.Single(s => s.Id == template).PlannedAgents;

    private DateOnly Day(int ahead) => Clock.LocalDate(Clock.Now).AddDays(ahead);

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<IRenderedComponent<ShiftPlanSection>> RenderDayAsync(DateOnly day)
    {
        var cut = Render<ShiftPlanSection>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".shift-plan-table tbody tr")));
        await cut.Find("select[name=shift-day]").ChangeAsync(new ChangeEventArgs { Value = Iso(day) });
        cut.WaitForAssertion(() => Assert.Equal(Iso(day), cut.Find(".shift-plan-model").GetAttribute("data-day")));
        return cut;
    }

    [Fact]
    public async Task The_table_shows_per_shift_headcount_planned_gap_rotation_and_understaffed_hours_and_the_skipped_queues()
    {
        var cut = await RenderDayAsync(Day(3));

        Assert.Equal(14, cut.FindAll("select[name=shift-day] option").Count);
        var rows = cut.FindAll(".shift-plan-table tbody tr");
        Assert.Equal(_host.Options.Shifts.Select(s => s.Id), rows.Select(r => r.GetAttribute("data-shift")));
        var frueh = cut.Find("tr[data-shift=frueh]");
        Assert.Contains("08:00–16:00", frueh.QuerySelector("th")!.TextContent);
        Assert.Equal("20", frueh.QuerySelector(".peak")!.TextContent);
        Assert.Equal(Need(20).ToString(CultureInfo.InvariantCulture), frueh.QuerySelector(".headcount")!.TextContent);
        Assert.Equal(Default("frueh").ToString(CultureInfo.InvariantCulture), frueh.QuerySelector("input[name=planned-frueh]")!.GetAttribute("value"));
        var gap = frueh.QuerySelector("td.gap")!;
        Assert.Equal("−" + (Need(20) - Default("frueh")), gap.TextContent);
        Assert.Contains("short", gap.ClassName);
        Assert.Equal("10:00–11:00", frueh.QuerySelector(".understaffed")!.TextContent);
        // Nights need Need(1) agents; the rotation pool is at least 3.
        var nacht = cut.Find("tr[data-shift=nacht]");
        Assert.Equal($"{Need(1) + 3} ({Need(1)} + pool of 3)", nacht.QuerySelector(".rotation-headcount")!.TextContent);
        Assert.Contains("Nobody works nights permanently", nacht.QuerySelector(".rotation-note")!.TextContent);
        Assert.Equal("—", cut.Find("tr[data-shift=frueh] .rotation").TextContent.Trim());
        // The queues without a forecast are named with the service's reason.
        var skipped = cut.FindAll(".shift-plan-skipped li");
        Assert.Equal(_host.Options.Queues.Select(q => q.Id).Where(q => q != Forecast), skipped.Select(li => li.GetAttribute("data-queue")));
        Assert.Contains("has no history", skipped[0].TextContent);
    }

    [Fact]
    public async Task The_chart_gets_required_and_planned_per_hour_and_a_short_series_at_the_understaffed_hours()
    {
        var day = Day(0);

        var cut = Render<ShiftPlanSection>();

        // The chart draws after the render that shows the plan, which WaitForAssertion may have checked already.
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".shift-plan-chart")));
        await EventuallyAsync(() => _module.Invocations["createForecast"].Count > 0);
        Assert.Single(_module.Invocations["createForecast"]);
        var config = Assert.IsType<ForecastChartConfig>(_module.Invocations["createForecast"][0].Arguments[1]);
        Assert.Equal(["Required", "Planned", "Short", "Over"], config.Series.Select(s => s.Name));
        Assert.Equal(["line", "line", "column", "column"], config.Series.Select(s => s.Type));
        Assert.Equal(ShiftPlanSection.ChartColors, config.Colors!);
        var plan = (await Service.RecommendAsync(day)).Plan;
        var shortSeries = config.Series.Single(s => s.Name == "Short");
        Assert.Equal(24, shortSeries.Data.Count);
        // x: the day's local hours as wall-clock ms.
        Assert.Equal(ForecastChart.LocalMs(day.ToDateTime(new TimeOnly(10, 0))), shortSeries.Data[10][0]);
        var at10 = plan.Hours[10];
        Assert.True(at10.Gap < 0, "10:00 must be understaffed in this test");
        Assert.Equal(-at10.Gap, shortSeries.Data[10][1]);
        Assert.Equal(at10.ScheduledNeed, config.Series[0].Data[10][1]);
        Assert.Equal(Need(20), at10.ScheduledNeed);
        // Only understaffed hours have a Short column, only overstaffed ones an Over column.
        Assert.Equal(plan.Hours.Where(h => h.Gap < 0).Select(h => h.Hour), shortSeries.Data.Select((p, h) => (p, h)).Where(x => x.p[1] > 0).Select(x => x.h));
        Assert.Equal(plan.Hours.Where(h => h.Gap > 0).Select(h => h.Hour),
            config.Series.Single(s => s.Name == "Over").Data.Select((p, h) => (p, h)).Where(x => x.p[1] > 0).Select(x => x.h));
    }

    [Fact]
    public async Task Saving_planned_agents_stores_them_audits_the_planner_and_updates_the_gaps()
    {
        var day = Day(4);
        var cut = await RenderDayAsync(day);
        var planned = Need(20) + 2;

        await cut.Find("input[name=planned-frueh]").ChangeAsync(new ChangeEventArgs { Value = planned.ToString(CultureInfo.InvariantCulture) });
        await cut.Find("form.shift-plan-edit").SubmitAsync(new EventArgs());

        cut.WaitForAssertion(() => Assert.Equal($"Saved: Früh {planned}", cut.Find(".shift-plan-saved").TextContent));
        cut.WaitForAssertion(() => Assert.Equal("+2", cut.Find("tr[data-shift=frueh] td.gap").TextContent));
        Assert.Contains("over", cut.Find("tr[data-shift=frueh] td.gap").ClassName);
        Assert.Equal("—", cut.Find("tr[data-shift=frueh] .understaffed").TextContent);
        var shifts = await _host.Service<ReadModel>().ShiftsAsync(day);
        Assert.Equal(planned, shifts.Single(s => s.Template == "frueh").PlannedAgents);
        Assert.Equal(Default("spaet"), shifts.Single(s => s.Template == "spaet").PlannedAgents);
        var recommendation = await Service.RecommendAsync(day);
        Assert.Equal(2, recommendation.Plan.Shifts.Single(s => s.ShiftId == "frueh").Gap);
        // Only the changed shift is saved and audited, with the planner and the browser's address.
        var entry = Assert.Single(await _host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.ShiftPlan, Text: Iso(day))));
        Assert.Equal($"{Iso(day)}/frueh", entry.Target);
        Assert.Equal(Planner, entry.Actor);
        Assert.Equal(Address, entry.Address);
        Assert.Equal($"planned agents {planned}", entry.Detail);
    }

    [Theory]
    [InlineData("abc", "plannedAgents (Nacht): 'abc' is not a whole number")]
    [InlineData("10001", "plannedAgents (Nacht): must be 0–10000")]
    [InlineData("-1", "plannedAgents (Nacht): must be 0–10000")]
    public async Task A_bad_value_names_the_field_and_saves_nothing_not_even_the_good_rows(string value, string error)
    {
        var day = Day(5);
        var cut = await RenderDayAsync(day);

        // A good change first, the bad value in the last row: nothing may be saved.
        await cut.Find("input[name=planned-frueh]").ChangeAsync(new ChangeEventArgs { Value = "40" });
        await cut.Find("input[name=planned-nacht]").ChangeAsync(new ChangeEventArgs { Value = value });
        await cut.Find("form.shift-plan-edit").SubmitAsync(new EventArgs());

        cut.WaitForAssertion(() => Assert.Equal(error, cut.Find(".shift-plan-error").TextContent));
        Assert.Empty(cut.FindAll(".shift-plan-saved"));
        var shifts = await _host.Service<ReadModel>().ShiftsAsync(day);
        Assert.Equal(_host.Options.Shifts.Select(s => s.PlannedAgents), shifts.Select(s => s.PlannedAgents));
        Assert.Empty(await _host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.ShiftPlan, Text: Iso(day))));
    }

    [Fact]
    public void Before_the_circuit_is_interactive_nothing_is_loaded_and_the_day_is_disabled()
    {
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));

        var cut = Render<ShiftPlanSection>();

        Assert.True(cut.Find("select[name=shift-day]").HasAttribute("disabled"));
        Assert.Equal("Loading…", cut.Find(".home-empty").TextContent);
        Assert.Equal(0, _forecasts.Calls);
    }

    [Fact]
    public async Task The_service_adds_up_the_queues_per_local_hour_of_the_day_and_skips_those_without_a_forecast()
    {
        var second = _host.Options.Queues.Select(q => q.Id).First(q => q != Forecast);
        _forecasts.Required[second] = hour => hour is 10 or 23 ? 5 : 0;
        var day = Day(6);

        var r = await Service.RecommendAsync(day);

        Assert.Equal(day, r.Date);
        Assert.Equal(new[] { Forecast, second }.Order(), r.Queues.Order());
        Assert.DoesNotContain(r.Skipped, s => s.Queue == Forecast || s.Queue == second);
        Assert.All(r.Skipped, s => Assert.StartsWith("queue: queue ", s.Reason));
        Assert.Equal(25, r.RequiredByHour[10]);
        Assert.Equal(6, r.RequiredByHour[23]); // the last hour of that day, not the first of the next
        Assert.Equal(1, r.RequiredByHour[0]);
        // Asked for enough days to reach that day.
        Assert.Contains((Forecast, (int?)7), _forecasts.Asked);
    }

    [Fact]
    public async Task The_service_refuses_days_out_of_reach_unknown_templates_and_planned_agents_out_of_range_naming_the_field()
    {
        var actor = new Actor(Planner, Address);
        Assert.Equal("date", (await Assert.ThrowsAsync<StaffingInputException>(() => Service.RecommendAsync(Day(14)))).Field);
        Assert.Equal("date", (await Assert.ThrowsAsync<StaffingInputException>(() => Service.RecommendAsync(Day(-1)))).Field);
        await Service.RecommendAsync(Day(13));
        var template = await Assert.ThrowsAsync<StaffingInputException>(() => Service.SetPlannedAsync(Day(7), "lunch", 3, actor));
        Assert.Equal("template: 'lunch' is not one of frueh, spaet, nacht", template.Message);
        Assert.Equal("plannedAgents", (await Assert.ThrowsAsync<StaffingInputException>(() => Service.SetPlannedAsync(Day(7), "frueh", 10_001, actor))).Field);
        Assert.Equal("plannedAgents", (await Assert.ThrowsAsync<StaffingInputException>(() => Service.SetPlannedAsync(Day(7), "frueh", null, actor))).Field);
        Assert.Empty(await _host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.ShiftPlan, Text: Iso(Day(7)))));

        var saved = await Service.SetPlannedAsync(Day(7), "frueh", 10_000, actor);
        Assert.Equal(10_000, saved.PlannedAgents);
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < until) await Task.Delay(20);
    }

    [Theory]
    [InlineData(new int[0], "—")]
    [InlineData(new[] { 10 }, "10:00–11:00")]
    [InlineData(new[] { 8, 9, 10, 13 }, "08:00–11:00, 13:00–14:00")]
    [InlineData(new[] { 22, 23, 0, 1, 5 }, "22:00–02:00, 05:00–06:00")]
    public void Understaffed_hours_are_shown_as_runs_in_shift_order(int[] hours, string text) =>
        Assert.Equal(text, ShiftPlanSection.HourRanges(hours));

    /// <summary>Staffing per queue from the site's today, hour by hour as the given function of the local hour; other queues have no history.</summary>
    private sealed class ShiftPlanForecasts(SiteClock clock) : IForecasts
    {
        private int _calls;

        public Dictionary<string, Func<int, int>> Required { get; } = new(StringComparer.Ordinal);

        public System.Collections.Concurrent.ConcurrentBag<(string Queue, int? Days)> Asked { get; } = [];

        public int Calls => Volatile.Read(ref _calls);

        public Task<StaffingPlanDto> StaffingAsync(string queue, int? days = null, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _calls);
            Asked.Add((queue, days));
            if (!Required.TryGetValue(queue, out var required))
                throw new ForecastInputException("queue", $"queue {queue} has no history and no trained model");
            var start = clock.DayBounds(clock.LocalDate(clock.Now)).StartUtc;
            var hours = Enumerable.Range(0, (days ?? 14) * 24).Select(i => start.AddHours(i)).Select(h =>
                new StaffingHourDto(h, false, 10, required(clock.ToLocal(h).Hour), 0, 0.8, 0.8));
            var scores = new ScoresDto("LightGbm", 600, 2, 3, 0.12, 0.10);
            var model = new ModelInfoDto("LightGbm", start, DateOnly.MinValue, DateOnly.MinValue, "14days", 28, scores, scores, scores);
            return Task.FromResult(new StaffingPlanDto(queue, "phone", StaffingCalculator.ErlangCModel, 180, true, 30, 85, 80, 20, model, [.. hours]));
        }

        public Task<ForecastDto> ForecastAsync(string queue, int? days = null, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<ForecastDto?> TryTodayAsync(string queue, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<TwentyFourSevenDto> TwentyFourSevenAsync(int weeks = 6, CancellationToken ct = default) => throw new NotSupportedException();

        public TrainingState Train(string queue) => throw new NotSupportedException();

        public TrainingState Status(string queue) => throw new NotSupportedException();
    }
}
