using Bunit;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web.Components.Pages;
using Ops.Dashboard.Web.Components.Wallboard;
using static Ops.Dashboard.Web.Tests.UiData;

namespace Ops.Dashboard.Web.Tests;

public sealed class UiBoardTests : UiTestBase
{
    private const string TwoPages = """
        {
          "title": "Test floor",
          "rotationSeconds": 20,
          "pages": [
            {
              "title": "Phone",
              "columns": 4,
              "tiles": [
                { "metric": "waiting", "queues": ["billing"], "label": "Billing waiting", "thresholds": { "amber": 3, "red": 8 } },
                { "metric": "longestWait", "queues": ["billing"], "label": "Billing longest wait", "thresholds": { "amber": 20, "red": 60 } },
                { "metric": "serviceLevel", "queues": ["billing"], "label": "Billing SL" },
                { "metric": "agents", "queues": ["billing"], "label": "Billing agents" },
                { "metric": "waiting", "queues": ["tech"], "label": "Tech waiting", "span": 2 },
                { "metric": "asa", "queues": ["billing", "tech"], "label": "Phone ASA", "span": 3 }
              ]
            },
            {
              "title": "Digital",
              "columns": 2,
              "tiles": [
                { "metric": "waiting", "queues": ["chat"], "label": "Chat waiting" },
                { "metric": "offered", "queues": ["chat"], "label": "Chat offered" }
              ]
            }
          ]
        }
        """;


    private IRenderedComponent<WallboardPage> Open(string name) => Render<WallboardPage>(p => p.Add(x => x.Board, name));

    [Fact]
    public void Board_is_laid_out_from_its_json_file()
    {
        Boards.Write("floor", TwoPages);

        var cut = Open("floor");

        Assert.Equal("Test floor", cut.Find(".board-name").TextContent);
        Assert.Equal("Phone", cut.Find(".page-title").TextContent);
        Assert.Equal(6, cut.FindAll(".board-grid > article.tile").Count);
        var grid = cut.Find(".board-grid").GetAttribute("style")!;
        Assert.Contains("--cols: 4", grid);
        Assert.Contains("--rows: 3", grid); // 4 tiles, then span 2, then span 3 does not fit beside it
        var tiles = cut.FindAll("article.tile");
        Assert.Equal(["Billing waiting", "Billing longest wait", "Billing SL", "Billing agents", "Tech waiting", "Phone ASA"],
            tiles.Select(t => t.QuerySelector(".tile-label")!.TextContent));
        Assert.Contains("grid-column: span 2", tiles[4].GetAttribute("style"));
        Assert.Contains("grid-column: span 3", tiles[5].GetAttribute("style"));
        Assert.Equal(["● Phone", "○ Digital"], cut.FindAll(".page-dot").Select(d => d.TextContent));
    }

    [Fact]
    public void Board_rotates_its_pages_every_rotation_seconds()
    {
        Boards.Write("floor", TwoPages);
        var cut = Open("floor");
        Assert.Equal("Phone", cut.Find(".page-title").TextContent);

        Time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal("Phone", cut.Find(".page-title").TextContent);

        Time.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Digital", cut.Find(".page-title").TextContent);
            Assert.Equal(2, cut.FindAll("article.tile").Count);
            Assert.Contains("--cols: 2", cut.Find(".board-grid").GetAttribute("style"));
            Assert.Equal("● Digital", cut.Find(".page-dot.current").TextContent);
        });

        Time.Advance(TimeSpan.FromSeconds(20));
        cut.WaitForAssertion(() => Assert.Equal("Phone", cut.Find(".page-title").TextContent));
    }

    [Fact]
    public void A_single_page_board_does_not_rotate_and_shows_no_page_dots()
    {
        Boards.Write("team", """
            { "title": "Team", "rotationSeconds": 5,
              "pages": [ { "columns": 2, "tiles": [ { "metric": "waiting", "queues": ["billing"] } ] } ] }
            """);
        var cut = Open("team");

        Time.Advance(TimeSpan.FromSeconds(12));

        Assert.Empty(cut.FindAll(".page-dots"));
        Assert.Equal(0, cut.FindComponent<BoardView>().Instance.PageIndex);
        Assert.Equal("waiting · billing", cut.Find(".tile-label").TextContent);
    }

    [Fact]
    public void A_board_file_with_problems_shows_the_file_and_every_problem()
    {
        Boards.Write("broken", """
            { "title": "Broken",
              "pages": [ { "columns": 2, "tiles": [
                { "metric": "waiting", "queues": ["biling"] },
                { "metric": "serviceLevel", "queues": ["billing"], "span": 3, "thresholds": { "amber": 70, "red": 80 } } ] } ] }
            """);

        var cut = Open("broken");

        Assert.Contains("Board “broken” cannot be shown", cut.Find(".board-error h1").TextContent);
        Assert.Equal(System.IO.Path.Combine(System.IO.Path.GetFileName(Boards.Path), "broken.json"), cut.Find(".board-error-file code").TextContent);
        var problems = cut.FindAll(".board-error-list li").Select(li => li.TextContent).ToList();
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("pages[0].tiles[0].queues[0]: unknown queue 'biling'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("pages[0].tiles[1].span", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("pages[0].tiles[1].thresholds", StringComparison.Ordinal));
        Assert.Empty(cut.FindAll(".board"));
    }

    [Fact]
    public void A_board_file_that_is_not_json_shows_where_it_breaks()
    {
        Boards.Write("garbled", "{ \"title\": \"Garbled\", \"pages\": [ { \"columns\": 2, ");

        var cut = Open("garbled");

        Assert.Contains("garbled.json", cut.Find(".board-error-file").TextContent);
        Assert.Contains("line", cut.Find(".board-error-list li").TextContent);
    }

    [Fact]
    public void A_missing_board_file_says_so()
    {
        var cut = Open("nowhere");

        Assert.Contains("no board file", cut.Find(".board-error-list li").TextContent);
        Assert.Contains("nowhere.json", cut.Find(".board-error-file").TextContent);
    }

    [Fact]
    public void A_fixed_board_file_replaces_the_error_page_without_a_reload()
    {
        Boards.Write("floor", "{ not json");
        var cut = Open("floor");
        Assert.NotEmpty(cut.FindAll(".board-error"));

        Boards.Write("floor", TwoPages);
        Time.Advance(WallboardPage.FileCheck);

        cut.WaitForAssertion(() => Assert.Equal("Test floor", cut.Find(".board-name").TextContent));
    }

    [Fact]
    public async Task Pushing_a_change_through_the_live_feed_re_renders_the_tile_with_the_new_number()
    {
        Boards.Write("floor", TwoPages);
        await PushAsync([Live("billing", waiting: 1), Live("tech")]);
        var cut = Open("floor");
        Assert.Equal("1", WaitingOfBilling(cut));

        Time.Advance(TimeSpan.FromSeconds(1));
        await PushAsync([Live("billing", waiting: 9)]);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("9", WaitingOfBilling(cut));
            Assert.Contains("status-red", cut.FindAll("article.tile")[0].ClassList);
        });
    }

    [Fact]
    public async Task Live_updates_are_throttled_to_four_renders_a_second_and_the_last_value_wins()
    {
        Boards.Write("floor", TwoPages);
        await PushAsync([Live("billing", waiting: 1), Live("tech")]);
        var cut = Open("floor");
        var board = cut.FindComponent<BoardView>();

        Time.Advance(TimeSpan.FromSeconds(1));
        await PushAsync([Live("billing", waiting: 2)]);
        cut.WaitForAssertion(() => Assert.Equal("2", WaitingOfBilling(cut)));
        var renders = board.RenderCount;

        // Within the same 250 ms: held back, then drawn once with the latest figure.
        await PushAsync([Live("billing", waiting: 3)]);
        await PushAsync([Live("billing", waiting: 4)]);
        await PushAsync([Live("billing", waiting: 5)]);
        Assert.Equal("2", WaitingOfBilling(cut));
        Assert.Equal(renders, board.RenderCount);

        Time.Advance(BoardView.RenderInterval);
        cut.WaitForAssertion(() => Assert.Equal("5", WaitingOfBilling(cut)));
        Assert.Equal(renders + 1, board.RenderCount);
    }

    [Fact]
    public async Task Agent_changes_reach_the_agents_tile()
    {
        Boards.Write("floor", TwoPages);
        await PushAsync([Live("billing"), Live("tech")], [AgentLive("a1", AgentState.Available, "billing")]);
        var cut = Open("floor");
        Assert.Equal("1", cut.Find(".agent-available .agent-n").TextContent);

        Time.Advance(TimeSpan.FromSeconds(1));
        await PushAsync(agents: [AgentLive("a1", AgentState.OnContact, "billing"), AgentLive("a2", AgentState.Break, "billing", "tech")]);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("0", cut.Find(".agent-available .agent-n").TextContent);
            Assert.Equal("1", cut.Find(".agent-oncontact .agent-n").TextContent);
            Assert.Equal("1", cut.Find(".agent-break .agent-n").TextContent);
        });
    }

    [Fact]
    public async Task Longest_wait_is_re_rated_when_its_ticking_crosses_a_limit_without_any_new_event()
    {
        Boards.Write("floor", TwoPages);
        await PushAsync([Live("billing", waiting: 1, oldest: Start.AddSeconds(-15)), Live("tech")]);
        var cut = Open("floor");
        Assert.Contains("status-green", LongestWaitTile(cut).ClassList);

        // 15 s + 5 s = 20 s: amber (≥ 20). Heartbeats keep the data fresh meanwhile.
        for (var i = 0; i < 5; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await HeartbeatAsync();
        }

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("status-amber", LongestWaitTile(cut).ClassList);
            Assert.Equal("0:20", LongestWaitTile(cut).QuerySelector(".tile-number")!.TextContent);
        });
    }

    [Fact]
    public async Task Board_components_unsubscribe_from_the_live_feed_when_they_go_away()
    {
        Boards.Write("floor", TwoPages);
        Open("floor");
        Assert.True(Feed.OpenSubscriptions >= 1);

        await DisposeComponentsAsync();

        Assert.Equal(0, Feed.OpenSubscriptions);
    }

    private static string WaitingOfBilling(IRenderedComponent<WallboardPage> cut) =>
        cut.FindAll("article.tile")[0].QuerySelector(".tile-number")!.TextContent;

    private static AngleSharp.Dom.IElement LongestWaitTile(IRenderedComponent<WallboardPage> cut) => cut.FindAll("article.tile")[1];
}
