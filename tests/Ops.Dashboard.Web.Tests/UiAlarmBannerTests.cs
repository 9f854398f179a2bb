using Bunit;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web.Components.Wallboard;

namespace Ops.Dashboard.Web.Tests;

public sealed class UiAlarmBannerTests : UiTestBase
{
    private static WallboardAlarm Alarm(string id, bool acknowledged, TileStatus severity = TileStatus.Red) =>
        new(id, $"Billing waiting ≥ 8 ({id})", severity, Start.AddMinutes(-3), acknowledged);

    private IRenderedComponent<AlarmBanner> RenderBanner(params WallboardAlarm[] alarms) =>
        Render<AlarmBanner>(p => p.Add(x => x.Alarms, alarms));

    [Fact]
    public void No_alarms_show_no_banner()
    {
        var cut = RenderBanner();

        Assert.Empty(cut.FindAll(".alarm-banner"));
    }

    [Fact]
    public void The_banner_flashes_while_any_alarm_is_unacknowledged()
    {
        var cut = RenderBanner(Alarm("a", acknowledged: true), Alarm("b", acknowledged: false, TileStatus.Amber));

        var banner = cut.Find(".alarm-banner");
        Assert.Contains("flashing", banner.ClassList);
        Assert.Equal(2, cut.FindAll("li.alarm").Count);
        Assert.Equal("▲ WARNING", cut.Find("li.unacknowledged .alarm-severity").TextContent);
        Assert.Equal("● not acknowledged", cut.Find("li.unacknowledged .alarm-state").TextContent);
        Assert.Equal("since 09:57", cut.Find("li.unacknowledged .alarm-since").TextContent); // site time
    }

    [Fact]
    public void The_banner_stops_flashing_once_every_alarm_is_acknowledged()
    {
        var cut = RenderBanner(Alarm("a", acknowledged: false), Alarm("b", acknowledged: false));
        Assert.True(cut.Instance.Flashing);

        cut.Render(p => p.Add(x => x.Alarms, [Alarm("a", acknowledged: true), Alarm("b", acknowledged: true)]));

        var banner = cut.Find(".alarm-banner");
        Assert.DoesNotContain("flashing", banner.ClassList);
        Assert.Contains("steady", banner.ClassList);
        Assert.All(cut.FindAll(".alarm-state"), s => Assert.Equal("✔ acknowledged", s.TextContent));
        Assert.Equal("✖ ALARM", cut.Find(".alarm-severity").TextContent);
    }

    [Fact]
    public void Where_acknowledging_is_allowed_the_button_hands_the_alarm_to_the_page()
    {
        WallboardAlarm? acknowledged = null;
        var cut = Render<AlarmBanner>(p => p
            .Add(x => x.Alarms, [Alarm("a", acknowledged: false)])
            .Add(x => x.OnAcknowledge, (WallboardAlarm a) => acknowledged = a));

        cut.Find("button.alarm-ack").Click();

        Assert.Equal("a", acknowledged?.Id);
    }

    [Fact]
    public void A_wallboard_shows_no_buttons()
    {
        var cut = RenderBanner(Alarm("a", acknowledged: false));

        Assert.Empty(cut.FindAll("button"));
    }
}
