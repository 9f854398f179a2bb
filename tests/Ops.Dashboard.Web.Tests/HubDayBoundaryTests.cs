using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// What the hub's Snapshot (and every wallboard) serves is this node's <see cref="LiveFeed"/>: the
/// queue DTOs of the last batch that touched each queue. At the site's midnight "today" starts again,
/// so a quiet queue must not go on showing yesterday's counters as today's (the read API does not).
/// Seen on the running app: at 00:00:26 Berlin, GET /api/v1/queues/billing said offered 0 and SL null
/// while /wallboard/team-billing (and a hub Snapshot) still said SL 100.0 %, ASA 0, abandon rate 0.0 %.
/// </summary>
public sealed class HubDayBoundaryTests : UiTestBase
{
    [Fact]
    public async Task After_the_site_s_midnight_the_snapshot_of_a_quiet_queue_no_longer_shows_yesterday_as_today()
    {
        // 23:50 in Berlin: billing had a busy day.
        Time.SetUtcNow(new DateTimeOffset(2026, 11, 23, 22, 50, 0, TimeSpan.Zero));
        var day = Clock.DayBounds(Clock.LocalDate(Time.GetUtcNow()));
        await PushAsync([UiData.Live("billing", today: new IntervalCounters { Offered = 40, Answered = 38, AnsweredWithinThreshold = 30, Abandoned = 2 })]);
        var before = Live.Queue("billing")!;
        Assert.Equal(day.StartUtc, before.Today.Start);
        Assert.Equal(40, before.Today.Offered);

        // 00:05: nothing happened on billing since; the feed's heartbeats keep coming.
        Time.SetUtcNow(new DateTimeOffset(2026, 11, 23, 23, 5, 0, TimeSpan.Zero));
        await HeartbeatAsync();
        var newDay = Clock.DayBounds(Clock.LocalDate(Time.GetUtcNow()));
        Assert.NotEqual(day.StartUtc, newDay.StartUtc);

        var after = Live.Queue("billing")!;
        Assert.True(after.Today.Start == newDay.StartUtc && after.Today.Offered == 0,
            $"at 00:05 the feed still serves billing's \"today\" as {after.Today.Start:O}–{after.Today.End:O} with offered {after.Today.Offered} " +
            $"and SL {after.Today.ServiceLevelPercent}; today started {newDay.StartUtc:O}");
    }
}
