using System.Net;
using System.Text.Json;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The staffing calculator at /api/v1/erlang on a running host: the published Erlang C case, the computed team size,
/// bad input as problem+json naming the parameter, and the planners' policy (Management and Admin only).
/// </summary>
[Collection(AccessHostCollection.Name)]
public sealed class ErlangApiTests(AccessTestHost host)
{
    private const string Published = "/api/v1/erlang?contacts=100&intervalSeconds=1800&ahtSeconds=180&targetSeconds=20";

    private async Task<HttpClient> PlannerAsync()
    {
        var (user, password) = await host.EnsureUserAsync("erlang-planner", Role.Management);
        return await host.SignedInClientAsync(user, password);
    }

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task The_published_case_with_fourteen_agents_gives_the_published_figures()
    {
        using var planner = await PlannerAsync();

        using var response = await planner.GetAsync(Published + "&agents=14");
        var r = await OkAsync(response);

        Assert.Equal("ErlangC", r.GetProperty("model").GetString());
        Assert.Equal(14, r.GetProperty("agents").GetInt32());
        Assert.Equal(0.8883, r.GetProperty("serviceLevel").GetDouble(), 0.0001);
        Assert.Equal(0.1741, r.GetProperty("probabilityOfWaiting").GetDouble(), 4);
        Assert.Equal(7.84, r.GetProperty("asaSeconds").GetDouble(), 2);
        Assert.Equal(0.714, r.GetProperty("occupancy").GetDouble(), 3);
        Assert.Equal(10, r.GetProperty("trafficErlangs").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, r.GetProperty("probabilityOfAbandoning").ValueKind);
    }

    [Fact]
    public async Task Without_agents_the_fewest_meeting_the_target_are_computed_and_scheduled_with_shrinkage()
    {
        using var planner = await PlannerAsync();

        using var response = await planner.GetAsync(Published + "&shrinkagePercent=30");
        var r = await OkAsync(response);

        Assert.Equal((14, 20), (r.GetProperty("agents").GetInt32(), r.GetProperty("scheduledAgents").GetInt32()));
        Assert.False(r.GetProperty("agentsGiven").GetBoolean());
        Assert.True(r.GetProperty("meetsTarget").GetBoolean());
    }

    [Fact]
    public async Task A_patience_gives_erlang_a_with_an_abandon_rate()
    {
        using var planner = await PlannerAsync();

        using var response = await planner.GetAsync(Published + "&agents=14&patienceSeconds=120");
        var r = await OkAsync(response);

        Assert.Equal("ErlangA", r.GetProperty("model").GetString());
        Assert.InRange(r.GetProperty("probabilityOfAbandoning").GetDouble(), 0.001, 0.2);
    }

    [Theory]
    [InlineData("contacts=100&intervalSeconds=1800&ahtSeconds=0&targetSeconds=20", "ahtSeconds", "ahtSeconds: must be greater than 0")]
    [InlineData("contacts=100&intervalSeconds=1800&targetSeconds=20", "ahtSeconds", "ahtSeconds: required")]
    [InlineData("contacts=100&intervalSeconds=1800&ahtSeconds=abc&targetSeconds=20", "ahtSeconds", "ahtSeconds: 'abc' is not a number")]
    [InlineData("contacts=100&intervalSeconds=1800&ahtSeconds=180&targetSeconds=20&agents=1.5", "agents", "agents: '1.5' is not a whole number")]
    [InlineData("contacts=100&intervalSeconds=1800&ahtSeconds=180&targetSeconds=20&shrinkagePercent=100", "shrinkagePercent", "shrinkagePercent: ")]
    public async Task Bad_input_is_a_400_problem_naming_the_parameter(string query, string field, string detail)
    {
        using var planner = await PlannerAsync();

        using var response = await planner.GetAsync("/api/v1/erlang?" + query);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.StartsWith(detail, problem.GetProperty("detail").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Team_leads_get_403_and_anonymous_callers_401()
    {
        var (user, password) = await host.EnsureUserAsync("erlang-lead", Role.TeamLead);
        using var lead = await host.SignedInClientAsync(user, password);

        using (var response = await lead.GetAsync(Published)) Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using (var anonymous = await host.CreateClient(null).GetAsync(Published)) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
