using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web.Tests;

/// <summary>The shift plan per day and template, and the day's shift recommendation against it.</summary>
[Collection(AccessHostCollection.Name)]
public sealed class ShiftPlanApiTests(AccessTestHost host)
{
    private async Task<HttpClient> PlannerAsync()
    {
        var (user, password) = await host.EnsureUserAsync("shift-planner", Role.Management);
        return await host.SignedInClientAsync(user, password);
    }

    [Fact]
    public async Task A_planner_sets_the_planned_agents_of_a_days_shift_and_the_recommendation_compares_against_it()
    {
        using var planner = await PlannerAsync();
        var day = host.Service<SiteClock>().LocalDate(host.Service<SiteClock>().Now).AddDays(1).ToString("yyyy-MM-dd");

        using var set = await planner.PutAsJsonAsync($"/api/v1/shifts/{day}/frueh", new { plannedAgents = 9 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var shifts = await host.Api.Http.GetFromJsonAsync<JsonElement>($"/api/v1/shifts?date={day}");
        Assert.Equal(9, shifts.EnumerateArray().Single(s => s.GetProperty("template").GetString() == "frueh").GetProperty("plannedAgents").GetInt32());
        var entry = Assert.Single(await host.Service<AuditLog>().QueryAsync(new AuditQuery(Action: AuditActions.ShiftPlan, Text: $"{day}/frueh")));
        Assert.Equal("shift-planner", entry.Actor);

        using var recommend = await planner.GetAsync($"/api/v1/staffing/shifts?date={day}");
        var body = await recommend.Content.ReadAsStringAsync();
        Assert.True(recommend.StatusCode == HttpStatusCode.OK, body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(24, json.GetProperty("requiredByHour").GetArrayLength());
        var plan = json.GetProperty("plan");
        Assert.Equal(["frueh", "spaet", "nacht"], plan.GetProperty("shifts").EnumerateArray().Select(s => s.GetProperty("shiftId").GetString()));
        var frueh = plan.GetProperty("shifts").EnumerateArray().First();
        Assert.Equal(9, frueh.GetProperty("plannedAgents").GetInt32());
        Assert.Equal(9 - frueh.GetProperty("headcount").GetInt32(), frueh.GetProperty("gap").GetInt32());
        // Every configured queue is either forecast or named with the reason it is not.
        var named = json.GetProperty("queues").EnumerateArray().Select(q => q.GetString()!)
            .Concat(json.GetProperty("skipped").EnumerateArray().Select(s => s.GetProperty("queue").GetString()!)).Order().ToList();
        Assert.Equal(host.Options.Queues.Select(q => q.Id).Order().ToList(), named);
    }

    [Fact]
    public async Task Bad_shift_plans_name_what_is_wrong_and_team_leads_may_not_plan()
    {
        using var planner = await PlannerAsync();
        var bad = await planner.PutAsJsonAsync("/api/v1/shifts/2026-12-01/lunch", new { plannedAgents = 3 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("template: 'lunch' is not one of frueh, spaet, nacht", await bad.Content.ReadAsStringAsync());
        var negative = await planner.PutAsJsonAsync("/api/v1/shifts/2026-12-01/frueh", new { plannedAgents = -1 });
        Assert.Contains("plannedAgents", await negative.Content.ReadAsStringAsync());
        var tooFar = await planner.GetAsync("/api/v1/staffing/shifts?date=2030-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, tooFar.StatusCode);
        Assert.Contains("date:", await tooFar.Content.ReadAsStringAsync());

        var (lead, password) = await host.EnsureUserAsync("plan-lead", Role.TeamLead);
        using var teamLead = await host.SignedInClientAsync(lead, password);
        Assert.Equal(HttpStatusCode.Forbidden, (await teamLead.PutAsJsonAsync("/api/v1/shifts/2026-12-01/frueh", new { plannedAgents = 3 })).StatusCode);
    }
}
