using System.Reflection;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web.Components.Forecast;
using Ops.Dashboard.Web.Components.Pages;
using Ops.Dashboard.Web.Components.Wallboard;

namespace Ops.Dashboard.Web.Tests;

/// <summary>The forecast page over a fake <see cref="IForecasts"/>: chart series, model scores, staffing, the 24/7 decision, training and errors.</summary>
public sealed class UiForecastTests : UiForecastTestBase
{
    private readonly FakeForecasts _forecasts = new();

    protected override void AddFakes(IServiceCollection services) => services.AddSingleton<IForecasts>(_forecasts);

    public UiForecastTests()
    {
        // The page's own parts are tested here; these two sections have tests of their own (UiAccuracyTests, UiShiftPlanTests).
        ComponentFactories.AddStub<AccuracySection>();
        ComponentFactories.AddStub<ShiftPlanSection>();
    }

    [Fact]
    public void The_page_is_routed_and_open_to_planners_only()
    {
        Assert.Equal("/forecast", Assert.Single(typeof(ForecastPage).GetCustomAttributes<RouteAttribute>()).Template);
        Assert.Equal(Policies.Planning, Assert.Single(typeof(ForecastPage).GetCustomAttributes<AuthorizeAttribute>()).Policy);
    }

    [Fact]
    public void The_chart_receives_the_p10_p90_band_and_the_p50_line_per_hour_at_site_time()
    {
        var module = ForecastChartModule();

        var cut = Render<ForecastPage>();

        cut.WaitForAssertion(() => Assert.Equal(2, module.Invocations["createForecast"].Count));
        var configs = module.Invocations["createForecast"].Select(i => Assert.IsType<ForecastChartConfig>(i.Arguments[1])).ToList();
        var volume = Assert.Single(configs, c => c.Series.Any(s => s.Name == "p50"));
        var band = Assert.Single(volume.Series, s => s.Type == "rangeArea");
        var p50 = Assert.Single(volume.Series, s => s.Name == "p50");
        // The first hour: 23:00 UTC = 00:00 in Berlin, on the x axis as local wall-clock ms.
        var x0 = (new DateTime(2026, 11, 23) - DateTime.UnixEpoch).TotalMilliseconds;
        Assert.Equal([x0, 8, 12], band.Data[0]);
        Assert.Equal([x0, 10], p50.Data[0]);
        Assert.Equal(48, p50.Data.Count);
        var agents = Assert.Single(configs, c => c.Unit == "agents");
        Assert.Equal(["Required", "Scheduled"], agents.Series.Select(s => s.Name));
        Assert.Equal(("billing", (int?)14), _forecasts.ForecastCalls[0]);
    }

    [Fact]
    public void The_model_its_backtest_against_both_baselines_and_the_staffing_per_day_are_shown()
    {
        ForecastChartModule();

        var cut = Render<ForecastPage>();

        cut.WaitForAssertion(() => Assert.Equal("LightGbm", cut.Find(".model-trainer").TextContent));
        Assert.Contains("Sun 01 Nov 2026 – Sun 22 Nov 2026", cut.Find(".model-data").TextContent);
        Assert.Equal(["LightGbm", "SeasonalNaive", "SameWeekdayMean4"], cut.FindAll(".forecast-scores tbody tr").Select(r => r.GetAttribute("data-name")));
        Assert.Equal("10.0 %", cut.Find(".forecast-scores tr.model .wape").TextContent);
        Assert.Contains("33.3 % lower WAPE", cut.Find(".forecast-verdict").TextContent);
        var days = cut.FindAll(".forecast-days tbody tr");
        Assert.Equal(["2026-11-23", "2026-11-24"], days.Select(r => r.GetAttribute("data-day")));
        Assert.Equal("240", days[0].QuerySelector(".forecast")!.TextContent); // 24 hours × 10
        Assert.Equal("5", days[0].QuerySelector(".required")!.TextContent);
        Assert.Equal("7", days[0].QuerySelector(".scheduled")!.TextContent);
        Assert.Equal("/api/v1/forecast?queue=billing&days=14&format=csv", cut.Find("a.csv-forecast").GetAttribute("href"));
        Assert.Equal("/api/v1/staffing?queue=billing&days=14&format=csv", cut.Find("a.csv-staffing").GetAttribute("href"));
    }

    [Fact]
    public void A_baseline_that_won_the_backtest_is_named_as_the_forecast_not_praised_against_itself()
    {
        ForecastChartModule();
        _forecasts.Trainer = "SameWeekdayMean4";

        var cut = Render<ForecastPage>();

        cut.WaitForAssertion(() => Assert.Equal(
            "The SameWeekdayMean4 baseline forecast this queue best in the backtest, so it is the forecast: no learned model beat it.",
            cut.Find(".forecast-verdict").TextContent));
    }

    [Fact]
    public void The_decision_section_shows_the_answer_per_queue_and_overall_with_the_shares()
    {
        ForecastChartModule();

        var cut = Render<ForecastPage>();

        cut.WaitForAssertion(() => Assert.Contains(TwentyFourSevenDecision.Hybrid, cut.Find(".decision-overall").TextContent));
        var rows = cut.FindAll(".decision-table tbody tr");
        Assert.Equal(["billing", "sales", ""], rows.Select(r => r.GetAttribute("data-queue")));
        var billing = rows[0];
        Assert.Equal("8.0 %", billing.QuerySelector(".night")!.TextContent);
        Assert.Contains("above", billing.QuerySelector(".night")!.ClassName);
        Assert.Equal("20.0 %", billing.QuerySelector(".outside")!.TextContent);
        Assert.Equal("no", billing.QuerySelector(".critical")!.TextContent);
        Assert.Equal("yes", rows[1].QuerySelector(".critical")!.TextContent);
        Assert.Equal(TwentyFourSevenDecision.NotNeeded, rows[1].QuerySelector(".answer")!.TextContent);
        Assert.Contains("threshold 5.0 %", cut.Find(".decision-table caption").TextContent);
    }

    [Fact]
    public void Not_enough_history_shows_the_services_message_instead_of_the_forecast()
    {
        ForecastChartModule();
        _forecasts.NotEnoughHistory = true;

        var cut = Render<ForecastPage>();

        cut.WaitForAssertion(() => Assert.Equal(
            "queue: queue billing has 20 days of history and no trained model; a forecast needs at least 56 days", cut.Find(".forecast-error").TextContent));
        Assert.Empty(cut.FindAll(".forecast-scores"));
        Assert.Empty(cut.FindAll(".forecast-days"));
        Assert.NotEmpty(cut.FindAll(".decision-table")); // the decision does not need a model
    }

    [Fact]
    public void Choosing_another_queue_and_days_reloads_for_them()
    {
        ForecastChartModule();
        var cut = Render<ForecastPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".forecast-days")));

        cut.Find("input[name=days]").Change("3");
        cut.Find("select[name=queue]").Change("sales");

        cut.WaitForAssertion(() => Assert.Equal(("sales", (int?)3), _forecasts.ForecastCalls[^1]));
        Assert.Equal("/api/v1/staffing?queue=sales&days=3&format=csv", cut.Find("a.csv-staffing").GetAttribute("href"));
        // The forecast-vs-actual section follows the chosen queue.
        Assert.Equal("sales", cut.FindComponent<Stub<AccuracySection>>().Instance.Parameters.Get(x => x.Queue));
    }

    [Fact]
    public void The_page_has_forecast_vs_actual_once_there_is_a_forecast_and_the_shift_plan_always()
    {
        ForecastChartModule();
        _forecasts.NotEnoughHistory = true;
        var without = Render<ForecastPage>();
        without.WaitForAssertion(() => Assert.NotEmpty(without.FindAll(".forecast-error")));
        Assert.Empty(without.FindComponents<Stub<AccuracySection>>());
        Assert.Single(without.FindComponents<Stub<ShiftPlanSection>>());

        _forecasts.NotEnoughHistory = false;
        var with = Render<ForecastPage>();
        with.WaitForAssertion(() => Assert.Equal("billing", with.FindComponent<Stub<AccuracySection>>().Instance.Parameters.Get(x => x.Queue)));
        Assert.Single(with.FindComponents<Stub<ShiftPlanSection>>());
    }

    [Fact]
    public void Train_now_calls_the_service_shows_running_polls_every_two_seconds_and_then_done()
    {
        ForecastChartModule();
        var cut = Render<ForecastPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".forecast-days")));
        var loads = _forecasts.ForecastCalls.Count;

        cut.Find("button.forecast-train").Click();

        Assert.Equal(["billing"], _forecasts.Trained);
        cut.WaitForAssertion(() => Assert.Equal("Running…", cut.Find(".forecast-training").TextContent));
        Assert.True(cut.Find("button.forecast-train").HasAttribute("disabled"));

        var polls = _forecasts.StatusCalls;
        Time.Advance(ForecastPage.PollInterval);
        cut.WaitForAssertion(() => Assert.Equal(polls + 1, _forecasts.StatusCalls));
        Assert.Equal("Running…", cut.Find(".forecast-training").TextContent);

        _forecasts.Finish();
        Time.Advance(ForecastPage.PollInterval);
        cut.WaitForAssertion(() => Assert.Equal("Done: LightGbm", cut.Find(".forecast-training").TextContent));
        Assert.Equal(loads + 1, _forecasts.ForecastCalls.Count); // the new model's forecast is shown

        // Polling stopped.
        var after = _forecasts.StatusCalls;
        Time.Advance(ForecastPage.PollInterval * 3);
        Assert.Equal(after, _forecasts.StatusCalls);
    }

    /// <summary>Two days of hourly forecast from the test's today (Berlin), a model, a plan and a decision.</summary>
    private sealed class FakeForecasts : IForecasts
    {
        private static readonly DateTimeOffset TodayUtc = new(2026, 11, 22, 23, 0, 0, TimeSpan.Zero);
        private TrainingState? _state;
        private int _statusCalls;

        public bool NotEnoughHistory { get; set; }

        public List<(string Queue, int? Days)> ForecastCalls { get; } = [];

        public List<string> Trained { get; } = [];

        public int StatusCalls => Volatile.Read(ref _statusCalls);

        /// <summary>The chosen trainer; a baseline's name makes the baseline the forecast, as training does when it wins.</summary>
        public string Trainer { get; set; } = "LightGbm";

        private ModelInfoDto Model() => Trainer == "SameWeekdayMean4" ? BaselineModel() : new(Trainer, new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero),
            new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 22), "14days", 28,
            new ScoresDto(Trainer, 600, 2, 3, 0.12, 0.10),
            new ScoresDto("SeasonalNaive", 600, 4, 5, 0.2, 0.18),
            new ScoresDto("SameWeekdayMean4", 600, 3, 4, 0.16, 0.15));

        private static ModelInfoDto BaselineModel() => new("SameWeekdayMean4", new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero),
            new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 22), "14days", 28,
            new ScoresDto("SameWeekdayMean4", 600, 3, 4, 0.16, 0.15),
            new ScoresDto("SeasonalNaive", 600, 4, 5, 0.2, 0.18),
            new ScoresDto("SameWeekdayMean4", 600, 3, 4, 0.16, 0.15));

        private static IEnumerable<DateTimeOffset> Hours() => Enumerable.Range(0, 48).Select(i => TodayUtc.AddHours(i));

        public Task<ForecastDto> ForecastAsync(string queue, int? days = null, CancellationToken ct = default)
        {
            ForecastCalls.Add((queue, days));
            if (NotEnoughHistory)
                throw new ForecastInputException("queue", $"queue {queue} has 20 days of history and no trained model; a forecast needs at least 56 days");
            return Task.FromResult(new ForecastDto(queue, Model(), [.. Hours().Select(h => new ForecastHourDto(h, 8, 10, 12, false))]));
        }

        public Task<ForecastDto?> TryTodayAsync(string queue, CancellationToken ct = default) => Task.FromResult<ForecastDto?>(null);

        public Task<StaffingPlanDto> StaffingAsync(string queue, int? days = null, CancellationToken ct = default) =>
            Task.FromResult(new StaffingPlanDto(queue, "phone", StaffingCalculator.ErlangCModel, 180, true, 30, 85, 80, 20, Model(),
                [.. Hours().Select((h, i) => new StaffingHourDto(h, false, 10, i % 24 == 10 ? 5 : 3, i % 24 == 10 ? 7 : 5, 0.85, 0.6))]));

        public Task<TwentyFourSevenDto> TwentyFourSevenAsync(int weeks = 6, CancellationToken ct = default)
        {
            var billing = new TwentyFourSevenVerdict("billing", 1000, 200, 80, 0.2, 0.08, 0.05, false, TwentyFourSevenAnswer.Hybrid,
                TwentyFourSevenDecision.Hybrid, "8.0% of 1,000 contacts of queue 'billing' came at night (00–08), above the 5 % threshold, but no service is critical.");
            var sales = new TwentyFourSevenVerdict("sales", 1000, 50, 10, 0.05, 0.01, 0.05, true, TwentyFourSevenAnswer.NotNeeded,
                TwentyFourSevenDecision.NotNeeded, "1.0% of 1,000 contacts of queue 'sales' came at night (00–08), not more than the 5 % threshold, so night cover does not pay.");
            var all = new TwentyFourSevenVerdict(null, 2000, 250, 120, 0.125, 0.06, 0.05, false, TwentyFourSevenAnswer.Hybrid,
                TwentyFourSevenDecision.Hybrid, "6.0% of 2,000 contacts of all queues came at night (00–08), above the 5 % threshold, but no service is critical.");
            return Task.FromResult(new TwentyFourSevenDto(weeks, TodayUtc.AddDays(-7 * weeks), TodayUtc, [billing, sales], all));
        }

        public TrainingState Train(string queue)
        {
            Trained.Add(queue);
            _state = new TrainingState(queue, TrainingStatus.Running, TodayUtc, null, null, null);
            return _state;
        }

        public void Finish() => _state = _state! with { Status = TrainingStatus.Done, FinishedAt = TodayUtc.AddMinutes(1), Trainer = "LightGbm" };

        public TrainingState Status(string queue)
        {
            Interlocked.Increment(ref _statusCalls);
            return _state ?? new TrainingState(queue, TrainingStatus.Idle, null, null, null, null);
        }
    }
}
