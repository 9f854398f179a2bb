using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web.Components.Console;
using Ops.Dashboard.Web.Components.Pages;

namespace Ops.Dashboard.Web.Tests;

public sealed class UiConsoleTests : UiTestBase
{
    private const string User = "shift.manager";
    private const string Address = "10.20.30.40";

    private readonly FakeConsoleCommands _commands = new();

    public UiConsoleTests()
    {
        // The base context has resolved its first service already (its renderer), after which bUnit takes no
        // registrations: the commands come from a fallback provider, and the signed-in user and the client
        // address are cascaded as the host's CascadingAuthenticationState and ClientAddress value would be.
        Services.AddFallbackServiceProvider(new CommandsProvider(_commands, _alarms));
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, User), new Claim(ClaimTypes.Role, "ShiftManager")], "test"));
        RenderTree.Add<CascadingValue<Task<AuthenticationState>>>(p => p.Add(x => x.Value, Task.FromResult(new AuthenticationState(user))));
        RenderTree.Add<CascadingValue<ClientAddress>>(p => p.Add(x => x.Value, new ClientAddress(Address)));
    }

    private sealed class CommandsProvider(IConsoleCommands commands, IAlarmCommands alarms) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(IConsoleCommands) ? commands : serviceType == typeof(IAlarmCommands) ? alarms : null;
    }

    /// <summary>Records acknowledgements and answers with the alarm acknowledged by the actor.</summary>
    private sealed class FakeAlarmCommands : IAlarmCommands
    {
        public List<(string Id, Actor Actor)> Acknowledged { get; } = [];

        public Func<string, AlarmView?> Lookup { get; set; } = _ => null;

        public Task<AlarmView?> AcknowledgeAsync(string id, Actor actor)
        {
            Acknowledged.Add((id, actor));
            return Task.FromResult(Lookup(id) is { } a ? a with { AcknowledgedBy = actor.Name, AcknowledgedAt = UiTestBase.Start } : null);
        }
    }

    private readonly FakeAlarmCommands _alarms = new();

    private IRenderedComponent<ConsolePage> Open() => Render<ConsolePage>();

    private static AgentSummary Agent(
        string id, AgentState state, string[] queues, string? name = null, string? team = null,
        DateTimeOffset? since = null, int handled = 0) =>
        new(id, name, team, state, since ?? Start, queues, null, DateOnly.FromDateTime(Start.Date), handled, 0);

    private static QueueLive Queue(string id, int waiting, DateTimeOffset? oldest, IntervalCounters today, AgentCounts agents) =>
        new(new QueueSnapshot(id, waiting, oldest, today, []), agents);

    private static List<string> Rows(IRenderedComponent<ConsolePage> cut) =>
        [.. cut.FindAll("tr.agent-row").Select(r => r.GetAttribute("data-agent")!)];

    private static IElement Row(IRenderedComponent<ConsolePage> cut, string id) => cut.Find($"tr.agent-row[data-agent='{id}']");

    /// <summary>Lets the page's coalesced render (at most one per <see cref="ConsolePage.RenderInterval"/>) happen.</summary>
    private void Settle() => Time.Advance(ConsolePage.RenderInterval);

    private static void Select(IRenderedComponent<ConsolePage> cut, params string[] ids)
    {
        foreach (var id in ids) Row(cut, id).QuerySelector("input.select-agent")!.Change(true);
    }

    private static void ChooseQueue(IRenderedComponent<ConsolePage> cut, string queue) =>
        cut.Find($".realloc-queues input[data-queue='{queue}']").Change(true);

    [Fact]
    public async Task Board_lists_the_agents_of_the_feed_and_follows_their_state_and_time_in_state()
    {
        await PushAsync(agents:
        [
            Agent("a1", AgentState.Available, ["billing"], name: "Ann", team: "Blue", handled: 7),
            Agent("a2", AgentState.OnContact, ["billing", "tech"]),
        ]);

        var cut = Open();

        Assert.Equal(["a2", "a1"], Rows(cut)); // by name, and an agent without one by its id: "a2" before "Ann"
        var ann = Row(cut, "a1");
        Assert.Equal("Ann", ann.QuerySelector(".agent-display")!.TextContent);
        Assert.Equal("a1", ann.QuerySelector(".agent-id")!.TextContent);
        Assert.Equal("Blue", ann.QuerySelector(".agent-team")!.TextContent);
        Assert.Contains("Available", ann.QuerySelector(".state-badge")!.TextContent);
        Assert.Contains("state-available", ann.QuerySelector(".state-badge")!.ClassList);
        Assert.Equal("0:00", ann.QuerySelector(".agent-time")!.TextContent);
        Assert.Equal("7", ann.QuerySelector(".agent-handled")!.TextContent);
        // An agent without a name is shown by id; queues by their configured names.
        var second = Row(cut, "a2");
        Assert.Equal("a2", second.QuerySelector(".agent-display")!.TextContent);
        Assert.Equal("Billing, Tech", second.QuerySelector(".agent-queues")!.TextContent);
        Assert.Contains("On contact", second.QuerySelector(".state-badge")!.TextContent);

        Time.Advance(TimeSpan.FromSeconds(3));
        cut.WaitForAssertion(() => Assert.Equal("0:03", Row(cut, "a1").QuerySelector(".agent-time")!.TextContent));

        await PushAsync(agents: [Agent("a1", AgentState.Break, ["billing"], name: "Ann", team: "Blue", since: Time.GetUtcNow(), handled: 7)]);
        Settle();
        cut.WaitForAssertion(() =>
        {
            var row = Row(cut, "a1");
            Assert.Contains("Break", row.QuerySelector(".state-badge")!.TextContent);
            Assert.Contains("state-break", row.QuerySelector(".state-badge")!.ClassList);
            Assert.Equal("0:00", row.QuerySelector(".agent-time")!.TextContent);
        });

        Time.Advance(TimeSpan.FromSeconds(2));
        cut.WaitForAssertion(() => Assert.Equal("0:02", Row(cut, "a1").QuerySelector(".agent-time")!.TextContent));
        Assert.Equal("0:05", Row(cut, "a2").QuerySelector(".agent-time")!.TextContent);
    }

    [Fact]
    public async Task Filters_by_team_queue_state_and_text_narrow_the_rows()
    {
        await PushAsync(agents:
        [
            Agent("a1", AgentState.Available, ["billing"], name: "Ann", team: "Blue"),
            Agent("a2", AgentState.Break, ["tech"], name: "Bob", team: "Blue"),
            Agent("a3", AgentState.Available, ["tech", "sales"], name: "Cid", team: "Red"),
            Agent("a4", AgentState.OnContact, ["billing", "tech"], name: "Dan"),
        ]);
        var cut = Open();
        Assert.Equal(["a1", "a2", "a3", "a4"], Rows(cut));

        // The drop-downs are built from the data: teams (and "no team"), states in board order.
        Assert.Equal(["", "Blue", "Red", AgentBoard.NoTeam], cut.FindAll("select.filter-team option").Select(o => o.GetAttribute("value")));
        Assert.Equal("(no team)", cut.FindAll("select.filter-team option")[3].TextContent);
        Assert.Equal(["", "available", "on_contact", "break"], cut.FindAll("select.filter-state option").Select(o => o.GetAttribute("value")));

        cut.Find("select.filter-team").Change("Blue");
        Assert.Equal(["a1", "a2"], Rows(cut));

        cut.Find("select.filter-team").Change(AgentBoard.NoTeam);
        Assert.Equal(["a4"], Rows(cut));

        cut.Find("select.filter-team").Change("");
        cut.Find("select.filter-queue").Change("tech");
        Assert.Equal(["a2", "a3", "a4"], Rows(cut));

        cut.Find("select.filter-state").Change("available");
        Assert.Equal(["a3"], Rows(cut));
        Assert.Equal("1 of 4 agents", cut.Find(".ab-count").TextContent);

        cut.Find("button.ab-clear-filters").Click();
        Assert.Equal(["a1", "a2", "a3", "a4"], Rows(cut));

        cut.Find("input.filter-text").Input("bo");
        Assert.Equal(["a2"], Rows(cut));

        cut.Find("input.filter-text").Input("A4"); // ids match too, whatever the case
        Assert.Equal(["a4"], Rows(cut));

        cut.Find("input.filter-text").Input("nobody");
        Assert.Empty(Rows(cut));
        Assert.Equal("No agent matches the filter.", cut.Find(".ab-empty").TextContent);
    }

    [Fact]
    public async Task Sorting_by_time_in_state_puts_the_longest_first_and_a_second_click_reverses_it()
    {
        await PushAsync(agents:
        [
            Agent("a1", AgentState.Break, ["billing"], name: "Ann", since: Start.AddSeconds(-60)),
            Agent("a2", AgentState.Available, ["billing"], name: "Bob", since: Start.AddSeconds(-300)),
            Agent("a3", AgentState.OnContact, ["billing"], name: "Cid", since: Start.AddSeconds(-10)),
        ]);
        var cut = Open();
        Assert.Equal(["a1", "a2", "a3"], Rows(cut)); // by name at first
        Assert.Equal("ascending", cut.Find("th.col-name").GetAttribute("aria-sort"));

        cut.Find("button.sort-col-time").Click();
        Assert.Equal(["a2", "a1", "a3"], Rows(cut));
        Assert.Equal("descending", cut.Find("th.col-time").GetAttribute("aria-sort"));
        Assert.Equal("none", cut.Find("th.col-name").GetAttribute("aria-sort"));
        Assert.Contains("▼", cut.Find("th.col-time .sort-indicator").TextContent);
        Assert.Equal(["5:00", "1:00", "0:10"], cut.FindAll("td.agent-time").Select(t => t.TextContent));

        cut.Find("button.sort-col-time").Click();
        Assert.Equal(["a3", "a1", "a2"], Rows(cut));
        Assert.Equal("ascending", cut.Find("th.col-time").GetAttribute("aria-sort"));
        Assert.Contains("▲", cut.Find("th.col-time .sort-indicator").TextContent);

        cut.Find("button.sort-col-state").Click();
        Assert.Equal(["a2", "a3", "a1"], Rows(cut)); // available, on contact, break
    }

    [Fact]
    public async Task Moving_two_agents_to_tech_previews_the_projection_then_confirms_exactly_that_request_as_the_signed_in_user()
    {
        await PushAsync(agents:
        [
            Agent("a1", AgentState.Available, ["billing"], name: "Ann"),
            Agent("a2", AgentState.Available, ["billing"], name: "Bob"),
            Agent("a3", AgentState.OnContact, ["billing"], name: "Cid"),
        ]);
        _commands.Projection =
        [
            new QueueProjectionDto("billing", "Billing", 200, 300, 20, 80, null, "Erlang C",
                new StaffingFiguresDto(3, 82.5, 12, 88, null, true),
                new StaffingFiguresDto(1, null, null, null, null, false)),
            new QueueProjectionDto("tech", "Tech", 120, 240, 30, 80, 90, "Erlang A",
                new StaffingFiguresDto(2, 60, 45, 92, 8, true),
                new StaffingFiguresDto(4, 88, 9, 55, 2, true)),
        ];
        _commands.Changes =
        [
            new AgentChange("a1", ["billing"], ["tech"]),
            new AgentChange("a3", ["billing"], ["tech"]),
        ];
        var cut = Open();

        Select(cut, "a1", "a3");
        Assert.Equal("2 selected", cut.Find(".selection-count").TextContent);
        Assert.Contains("2 agents selected", cut.Find(".realloc-selection").TextContent);
        cut.Find(".realloc-mode input[value='Replace']").Change(true);
        ChooseQueue(cut, "tech");
        Assert.Contains("primary", cut.Find("button.realloc-preview").ClassList);

        await cut.Find("button.realloc-preview").ClickAsync(new());

        var preview = Assert.Single(_commands.Projected);
        Assert.Equal(["a1", "a3"], preview.AgentIds);
        Assert.Equal(ReallocationMode.Replace, preview.Mode);
        Assert.Equal(["tech"], preview.Queues);

        var tech = cut.Find("table.projection[data-queue='tech']");
        var caption = tech.QuerySelector("caption")!.TextContent;
        Assert.Contains("120 arrivals/h", caption);
        Assert.Contains("AHT 4:00", caption);
        Assert.Contains("Erlang A", caption);
        Assert.Contains("patience 90", caption);
        Assert.Contains("SL target 80", caption);
        Assert.Equal("2", tech.QuerySelector(".proj-agents .without")!.TextContent);
        Assert.Equal("4", tech.QuerySelector(".proj-agents .with")!.TextContent);
        Assert.Equal("+2", tech.QuerySelector(".proj-agents .delta")!.TextContent);
        Assert.Contains("60.0", tech.QuerySelector(".proj-sl .without")!.TextContent);
        Assert.Contains("✖ below", tech.QuerySelector(".proj-sl .without")!.TextContent); // more than ten points under target
        Assert.Contains("sl-red", tech.QuerySelector(".proj-sl .without")!.ClassList);
        Assert.Contains("88.0", tech.QuerySelector(".proj-sl .with")!.TextContent);
        Assert.Contains("✔", tech.QuerySelector(".proj-sl .with")!.TextContent);
        Assert.Equal("45\u00A0s", tech.QuerySelector(".proj-asa .without")!.TextContent);
        Assert.Equal("9\u00A0s", tech.QuerySelector(".proj-asa .with")!.TextContent);
        Assert.Equal("55.0\u00A0%", tech.QuerySelector(".proj-occupancy .with")!.TextContent);
        Assert.Equal("8.0\u00A0%", tech.QuerySelector(".proj-abandon .without")!.TextContent);
        Assert.Equal("2.0\u00A0%", tech.QuerySelector(".proj-abandon .with")!.TextContent);

        // Billing loses two agents: Erlang C has no steady state left, and the table says so.
        var billing = cut.Find("table.projection[data-queue='billing']");
        Assert.Contains("Erlang C", billing.QuerySelector("caption")!.TextContent);
        Assert.Equal("stable", billing.QuerySelector(".proj-stable .without")!.TextContent);
        Assert.Equal("✖ overloaded", billing.QuerySelector(".proj-stable .with")!.TextContent);
        Assert.Contains("overloaded", billing.QuerySelector(".proj-sl .with")!.ClassList);
        Assert.Empty(billing.QuerySelectorAll(".proj-abandon")); // no abandon figures: no row

        var confirm = cut.Find("button.realloc-confirm");
        Assert.Equal("Confirm", confirm.TextContent.Trim());
        await confirm.ClickAsync(new());

        var (request, actor) = Assert.Single(_commands.Reallocated);
        Assert.Equal(["a1", "a3"], request.AgentIds);
        Assert.Equal(ReallocationMode.Replace, request.Mode);
        Assert.Equal(["tech"], request.Queues);
        Assert.Equal(new Actor(User, Address), actor);

        var result = cut.Find(".realloc-result");
        Assert.Contains("2 agents changed", result.TextContent);
        var changes = result.QuerySelectorAll("li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(2, changes.Count);
        Assert.Matches(@"^Ann:\s+Billing\s+→\s+Tech$", changes[0]);
        Assert.Matches(@"^Cid:\s+Billing\s+→\s+Tech$", changes[1]);
        Assert.Empty(cut.FindAll("table.projection")); // the preview is spent
    }

    [Fact]
    public async Task A_preview_that_no_longer_matches_the_selection_says_so_and_confirm_names_the_skipped_preview()
    {
        await PushAsync(agents: [Agent("a1", AgentState.Available, ["billing"]), Agent("a2", AgentState.Available, ["billing"])]);
        _commands.Projection = [new QueueProjectionDto("tech", "Tech", 60, 240, 30, 80, null, "Erlang C",
            new StaffingFiguresDto(1, 50, 60, 95, null, true), new StaffingFiguresDto(2, 85, 10, 50, null, true))];
        var cut = Open();

        Assert.True(cut.Find("button.realloc-preview").HasAttribute("disabled")); // nothing selected yet
        Select(cut, "a1");
        ChooseQueue(cut, "tech");
        await cut.Find("button.realloc-preview").ClickAsync(new());
        Assert.Empty(cut.FindAll(".preview-outdated"));

        Select(cut, "a2");

        Assert.Contains("different selection", cut.Find(".preview-outdated").TextContent);
        Assert.Equal("Confirm without preview", cut.Find("button.realloc-confirm").TextContent.Trim());
        Assert.Contains("primary", cut.Find("button.realloc-preview").ClassList);
    }

    [Fact]
    public async Task A_rejected_reallocation_shows_the_reason_and_no_result()
    {
        await PushAsync(agents: [Agent("a1", AgentState.Available, ["billing"]), Agent("a2", AgentState.Break, ["billing"])]);
        _commands.RejectReallocation = new CommandRejectedException("Remove would leave agent a1 without a queue.");
        var cut = Open();
        Select(cut, "a1");
        cut.Find(".realloc-mode input[value='Remove']").Change(true);
        ChooseQueue(cut, "billing");

        await cut.Find("button.realloc-confirm").ClickAsync(new());

        var (request, _) = Assert.Single(_commands.Reallocated);
        Assert.Equal(ReallocationMode.Remove, request.Mode);
        Assert.Equal(["billing"], request.Queues);
        Assert.Contains("Remove would leave agent a1 without a queue.", cut.Find(".realloc-error").TextContent);
        Assert.Equal("alert", cut.Find(".realloc-error").GetAttribute("role"));
        Assert.Empty(cut.FindAll(".realloc-result"));
    }

    [Fact]
    public async Task End_break_sets_the_agent_available_as_the_signed_in_user()
    {
        await PushAsync(agents: [Agent("a1", AgentState.Available, ["billing"], name: "Ann"), Agent("a2", AgentState.Break, ["billing"], name: "Bob")]);
        var cut = Open();
        Assert.Empty(Row(cut, "a1").QuerySelectorAll("button.end-break"));

        await Row(cut, "a2").QuerySelector("button.end-break")!.ClickAsync(new());

        var call = Assert.Single(_commands.States);
        Assert.Equal(("a2", AgentState.Available, new Actor(User, Address)), call);
        Assert.Equal("✔ a2 set to available.", cut.Find(".command-ok").TextContent);
    }

    [Fact]
    public async Task Setting_the_state_of_the_selection_reports_each_refusal_and_carries_on()
    {
        await PushAsync(agents:
        [
            Agent("a1", AgentState.Available, ["billing"]),
            Agent("a2", AgentState.OnContact, ["billing"]),
            Agent("a3", AgentState.Available, ["tech"]),
        ]);
        _commands.RejectState["a2"] = new CommandRejectedException("agent a2 is on a contact");
        var cut = Open();
        Select(cut, "a1", "a2");
        cut.Find("select.bulk-state").Change("break");

        await cut.Find("button.bulk-state-apply").ClickAsync(new());

        Assert.Equal([("a1", AgentState.Break), ("a2", AgentState.Break)], _commands.States.Select(s => (s.AgentId, s.State)));
        Assert.Equal("✔ 1 of 2 agents set to break.", cut.Find(".command-ok").TextContent);
        Assert.Contains("a2: agent a2 is on a contact", cut.Find(".command-error").TextContent);
    }

    [Fact]
    public async Task Queue_strip_shows_waiting_longest_wait_service_level_against_target_and_agents_serving_per_queue()
    {
        await PushAsync(
        [
            Queue("billing", 3, Start.AddSeconds(-45), new IntervalCounters { Answered = 10, AnsweredWithinThreshold = 8 }, new AgentCounts(2, 1, 1, 3, 0, 4)),
            Queue("tech", 0, null, new IntervalCounters { Answered = 10, AnsweredWithinThreshold = 5, Abandoned = 3, ShortAbandoned = 1 }, new AgentCounts(0, 2, 0, 0, 1, 0)),
        ]);

        var cut = Open();

        Assert.Equal(["billing", "tech", "sales", "chat"], cut.FindAll(".qs-card").Select(c => c.GetAttribute("data-queue")));
        var billing = cut.Find(".qs-card[data-queue='billing']");
        Assert.Equal("Billing", billing.QuerySelector(".qs-name")!.TextContent);
        Assert.Equal("3", billing.QuerySelector(".qs-waiting")!.TextContent);
        Assert.Equal("0:45", billing.QuerySelector(".qs-longest")!.TextContent);
        Assert.Equal("80.0\u00A0%", billing.QuerySelector(".qs-sl")!.TextContent);
        Assert.Contains("target 80\u00A0%", billing.QuerySelector(".qs-sl-target")!.TextContent);
        Assert.Contains("✔ on target", billing.QuerySelector(".qs-sl-target")!.TextContent);
        Assert.Contains("sl-green", billing.ClassList);
        Assert.Equal("4", billing.QuerySelector(".qs-serving")!.TextContent); // 2 available + 1 on contact + 1 wrap-up
        Assert.Equal("2 available · 1 on contact · 1 wrap-up", billing.QuerySelector(".qs-serving-detail")!.TextContent);

        // (10 within of 12 answered + abandoned after S) = 5 / 12: more than ten points under 80 %.
        var tech = cut.Find(".qs-card[data-queue='tech']");
        Assert.Equal("0", tech.QuerySelector(".qs-waiting")!.TextContent);
        Assert.Equal("0:00", tech.QuerySelector(".qs-longest")!.TextContent);
        Assert.Equal("41.7\u00A0%", tech.QuerySelector(".qs-sl")!.TextContent);
        Assert.Contains("✖ far below target", tech.QuerySelector(".qs-sl-target")!.TextContent);
        Assert.Contains("sl-red", tech.ClassList);
        Assert.Equal("2", tech.QuerySelector(".qs-serving")!.TextContent);

        // A configured queue without figures yet shows dashes, not zeros.
        var sales = cut.Find(".qs-card[data-queue='sales']");
        Assert.Equal("—", sales.QuerySelector(".qs-waiting")!.TextContent);
        Assert.Contains("qs-nodata", sales.ClassList);

        // The longest wait ticks; new figures replace the old ones.
        Time.Advance(TimeSpan.FromSeconds(2));
        cut.WaitForAssertion(() => Assert.Equal("0:47", cut.Find(".qs-card[data-queue='billing'] .qs-longest").TextContent));
        await PushAsync([Queue("billing", 5, Start.AddSeconds(-45), new IntervalCounters { Answered = 10, AnsweredWithinThreshold = 7 }, new AgentCounts(1, 1, 1, 3, 0, 4))]);
        Settle();
        cut.WaitForAssertion(() =>
        {
            var card = cut.Find(".qs-card[data-queue='billing']");
            Assert.Equal("5", card.QuerySelector(".qs-waiting")!.TextContent);
            Assert.Contains("▲ below target", card.QuerySelector(".qs-sl-target")!.TextContent);
            Assert.Equal("3", card.QuerySelector(".qs-serving")!.TextContent);
        });
    }

    [Fact]
    public async Task Thousands_of_agents_render_a_bounded_page_and_select_all_shown_takes_only_those_rows()
    {
        await PushAsync(agents: [.. Enumerable.Range(0, 5000).Select(i =>
            Agent($"a{i:0000}", i % 3 == 0 ? AgentState.Break : AgentState.Available, [i % 2 == 0 ? "billing" : "tech"], name: $"Agent {i:0000}"))]);

        var cut = Open();

        Assert.Equal(AgentBoard.MaxRows, cut.FindAll("tr.agent-row").Count);
        Assert.Equal("Showing 200 of 5000 — narrow the filter to see the others.", cut.Find(".ab-more").TextContent);
        Assert.Equal("5000 of 5000 agents", cut.Find(".ab-count").TextContent);

        cut.Find("input.select-shown").Change(true);
        Assert.Equal("200 selected", cut.Find(".selection-count").TextContent);

        cut.Find("input.filter-text").Input("Agent 001");
        Assert.Equal(10, cut.FindAll("tr.agent-row").Count); // Agent 0010 … Agent 0019
        Assert.Empty(cut.FindAll(".ab-more"));
        Assert.Equal("(190 not shown)", cut.Find(".selection-hidden").TextContent);

        cut.Find("button.selection-clear").Click();
        Assert.Equal("0 selected", cut.Find(".selection-count").TextContent);
    }

    [Fact]
    public void An_agent_on_a_contact_shows_the_contact_how_long_the_customer_waited_and_the_handling_time()
    {
        // The change feed's agent summaries do not carry the contact's timings yet: the board gets the row directly.
        AgentDto[] agents =
        [
            new("a1", "Ann", "Blue", "on_contact", Start.AddSeconds(-100), ["billing"], "c-77", 3, 600,
                CurrentContactAnsweredAt: Start.AddSeconds(-100), CurrentContactWaitSeconds: 42, Shift: "Früh"),
        ];
        var cut = Render<AgentBoard>(p => p
            .Add(x => x.Agents, agents)
            .Add(x => x.Now, Start)
            .Add(x => x.Selected, new HashSet<string>()));

        var row = cut.Find("tr.agent-row[data-agent='a1']");
        Assert.Equal("c-77", row.QuerySelector(".contact-id")!.TextContent);
        Assert.Equal("waited 0:42", row.QuerySelector(".contact-wait")!.TextContent);
        Assert.Equal("handling 1:40", row.QuerySelector(".contact-handling")!.TextContent);
        Assert.Equal("Früh", row.QuerySelector(".agent-shift")!.TextContent);
        Assert.Equal("3", row.QuerySelector(".agent-handled")!.TextContent);

        cut.Render(p => p.Add(x => x.Now, Start.AddSeconds(61)));

        Assert.Equal("handling 2:41", cut.Find("tr.agent-row[data-agent='a1'] .contact-handling").TextContent);
        Assert.Equal("2:41", cut.Find("tr.agent-row[data-agent='a1'] .agent-time").TextContent);
    }

    [Fact]
    public async Task Console_names_the_signed_in_user_and_leaving_it_disposes_its_feed_subscription()
    {
        var cut = Open();
        Assert.Equal("Signed in as shift.manager", cut.Find(".console-user").TextContent);
        Assert.Equal("No agents known yet.", cut.Find(".ab-empty").TextContent);
        Assert.Equal(1, Feed.OpenSubscriptions);

        await DisposeComponentsAsync();

        Assert.Equal(0, Feed.OpenSubscriptions);
    }

    [Fact]
    public async Task Active_alarms_show_on_the_console_and_acknowledging_one_goes_through_the_alarm_commands_with_the_actor()
    {
        var alarm = new AlarmView("sl.billing.1", "sl", "Service level below target", "serviceLevelBelow", "billing", "billing", "warning",
            Start, 62, 80, "Billing: Service level below target — 62.0 % over 30 min (alarm below 80.0 %)", null, null, false, null, null);
        _alarms.Lookup = id => id == alarm.Id ? alarm : null;
        var cut = Open();

        await Live.ApplyAsync(new ChangeBatch(0, Start, [], [], [new AlarmUpdate(AlarmChanges.Raised, alarm, Start)]));
        Settle();

        cut.WaitForAssertion(() => Assert.Contains("62.0 %", cut.Find(".console-alarms .alarm-banner").TextContent));
        Assert.Contains("flashing", cut.Find(".alarm-banner").ClassList);
        await cut.Find(".console-alarms button.alarm-ack").ClickAsync(new());

        var (id, actor) = Assert.Single(_alarms.Acknowledged);
        Assert.Equal((alarm.Id, new Actor(User, Address)), (id, actor));

        // The acknowledgement comes back through the feed: the banner stops flashing.
        await Live.ApplyAsync(new ChangeBatch(0, Start, [], [],
            [new AlarmUpdate(AlarmChanges.Acknowledged, alarm with { AcknowledgedBy = User, AcknowledgedAt = Start }, Start)]));
        Settle();
        cut.WaitForAssertion(() => Assert.Contains("steady", cut.Find(".alarm-banner").ClassList));
        Assert.Empty(cut.FindAll(".console-alarms button.alarm-ack"));
    }
}

/// <summary>The console's commands as a test sets them up; records every call.</summary>
public sealed class FakeConsoleCommands : IConsoleCommands
{
    public IReadOnlyList<QueueProjectionDto> Projection { get; set; } = [];

    public IReadOnlyList<AgentChange> Changes { get; set; } = [];

    public CommandRejectedException? RejectReallocation { get; set; }

    public Dictionary<string, CommandRejectedException> RejectState { get; } = new(StringComparer.Ordinal);

    public List<ReallocationRequest> Projected { get; } = [];

    public List<(ReallocationRequest Request, Actor Actor)> Reallocated { get; } = [];

    public List<(string AgentId, AgentState State, Actor Actor)> States { get; } = [];

    public Task<IReadOnlyList<QueueProjectionDto>> ProjectAsync(ReallocationRequest request, CancellationToken ct = default)
    {
        lock (Projected) Projected.Add(request);
        return Task.FromResult(Projection);
    }

    public Task<IReadOnlyList<AgentChange>> ReallocateAsync(ReallocationRequest request, Actor actor, CancellationToken ct = default)
    {
        lock (Reallocated) Reallocated.Add((request, actor));
        return RejectReallocation is { } e ? Task.FromException<IReadOnlyList<AgentChange>>(e) : Task.FromResult(Changes);
    }

    public Task SetStateAsync(string agentId, AgentState state, Actor actor, CancellationToken ct = default)
    {
        lock (States) States.Add((agentId, state, actor));
        return RejectState.TryGetValue(agentId, out var e) ? Task.FromException(e) : Task.CompletedTask;
    }
}
