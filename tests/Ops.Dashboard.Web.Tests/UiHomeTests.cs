using Bunit;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web.Components.Pages;

namespace Ops.Dashboard.Web.Tests;

public sealed class UiHomeTests : UiTestBase
{
    [Fact]
    public void Start_page_names_the_site_and_links_every_board_by_title_and_the_admin_pages_for_an_administrator()
    {
        Boards.Write("team-billing", """
            { "title": "Team Billing", "pages": [ { "columns": 1, "tiles": [ { "metric": "waiting", "queues": ["billing"] } ] } ] }
            """);
        Boards.Write("broken", """{ "title": "Broken", "pages": [] }""");
        SignIn("root", Role.Admin);

        var cut = Render<Home>();

        Assert.Equal("Test Site", cut.Find("h1").TextContent);
        Assert.Contains("root", cut.Find(".home-user").TextContent);
        var boards = cut.FindAll(".board-list li");
        Assert.Equal(2, boards.Count);
        Assert.Equal("wallboard/broken", boards[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("1 problem", boards[0].TextContent);
        Assert.Equal("Team Billing", boards[1].QuerySelector("a")!.TextContent);
        Assert.Equal("wallboard/team-billing", boards[1].QuerySelector("a")!.GetAttribute("href"));
        var links = cut.FindAll(".link-list a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(["console", "incidents", "staffing", "forecast", "admin/users", "admin/keys", "admin/kiosk", "admin/audit", "/orleans", "/api/v1/queues"], links);
    }

    [Fact]
    public void A_team_lead_sees_the_boards_and_incidents_but_neither_the_console_nor_administration()
    {
        Boards.Write("team-billing", """
            { "title": "Team Billing", "pages": [ { "columns": 1, "tiles": [ { "metric": "waiting", "queues": ["billing"] } ] } ] }
            """);
        SignIn("lead", Role.TeamLead);

        var cut = Render<Home>();

        Assert.Single(cut.FindAll(".board-list li"));
        Assert.Equal(["incidents"], cut.FindAll(".link-list a").Select(a => a.GetAttribute("href")));
    }

    [Fact]
    public void An_agent_is_told_that_the_role_has_no_screens_and_sees_no_board_names()
    {
        Boards.Write("team-billing", """
            { "title": "Team Billing", "pages": [ { "columns": 1, "tiles": [ { "metric": "waiting", "queues": ["billing"] } ] } ] }
            """);
        SignIn("agent", Role.Agent);

        var cut = Render<Home>();

        Assert.Empty(cut.FindAll(".board-list li"));
        Assert.DoesNotContain("Team Billing", cut.Markup);
        Assert.Contains("no screens", cut.Find(".home-empty").TextContent);
    }
}
