using Bunit;
using Ops.Dashboard.Web.Components.Pages;

namespace Ops.Dashboard.Web.Tests;

public sealed class UiHomeTests : UiTestBase
{
    [Fact]
    public void Start_page_names_the_site_and_links_every_board_by_title_and_the_admin_pages()
    {
        Boards.Write("team-billing", """
            { "title": "Team Billing", "pages": [ { "columns": 1, "tiles": [ { "metric": "waiting", "queues": ["billing"] } ] } ] }
            """);
        Boards.Write("broken", """{ "title": "Broken", "pages": [] }""");

        var cut = Render<Home>();

        Assert.Equal("Test Site", cut.Find("h1").TextContent);
        var boards = cut.FindAll(".board-list li");
        Assert.Equal(2, boards.Count);
        Assert.Equal("wallboard/broken", boards[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("1 problem", boards[0].TextContent);
        Assert.Equal("Team Billing", boards[1].QuerySelector("a")!.TextContent);
        Assert.Equal("wallboard/team-billing", boards[1].QuerySelector("a")!.GetAttribute("href"));
        var links = cut.FindAll(".link-list a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(["/api/v1/queues", "/orleans"], links);
    }
}
