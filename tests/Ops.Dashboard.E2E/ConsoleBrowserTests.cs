using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ops.Dashboard.Testing;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Ops.Dashboard.E2E;

/// <summary>
/// The supervisor console in a real browser: a shift manager signs in through the sign-in form, moves an
/// agent to another queue with the what-if preview, and the console and a wallboard show the move live,
/// without a reload; the audit log names the shift manager and where the change came from. The agents
/// serve sales and tech only (the other tests of this host touch contacts, never agents).
/// </summary>
[Collection(LiveHostCollection.Name)]
public sealed class ConsoleBrowserTests(LiveHost host, ITestOutputHelper output)
{
    private const string From = "sales";
    private const string To = "tech";
    private const string ToName = "Tech Support (escalation)";

    [Fact]
    public async Task A_shift_manager_moves_an_agent_to_another_queue_and_the_console_and_a_wallboard_show_it_live()
    {
        // Three agents, available: two on sales, one on tech, posted like any source would (X-Api-Key).
        var run = WireEvents.NewId("")[..6];
        var mover = $"e2e-{run}-mover";
        var stayer = $"e2e-{run}-stayer";
        var techie = $"e2e-{run}-techie";
        var at = Ev.Recent(60);
        await host.App.PostAsync(
        [
            WireEvents.AgentState(mover, "available", at, "Mara Mover", "E2E"),
            WireEvents.AgentQueues(mover, at.AddMilliseconds(1), From),
            WireEvents.AgentState(stayer, "available", at, "Stan Stayer", "E2E"),
            WireEvents.AgentQueues(stayer, at.AddMilliseconds(1), From),
            WireEvents.AgentState(techie, "available", at, "Tia Tech", "E2E"),
            WireEvents.AgentQueues(techie, at.AddMilliseconds(1), To),
        ]);
        await host.App.WaitUntilAppliedAsync();
        var (fromServing, _) = await ServingAsync(From);
        var (toServing, toAvailable) = await ServingAsync(To);
        output.WriteLine($"before: {From} serving {fromServing}, {To} serving {toServing} ({toAvailable} available)");
        Assert.True(fromServing >= 2 && toServing >= 1, $"the agents did not arrive: {From} {fromServing}, {To} {toServing}");

        // The shift manager's console.
        var manager = await host.AccountAsync("ShiftManager");
        var console = await host.Chromium.NewPageAsync(1920, 1080);
        await console.SignInAndOpenInteractiveAsync(host.Url("/console"), manager);
        await Expect(console).ToHaveURLAsync(new Regex("/console$"));
        await Expect(console.Locator(".console-user")).ToHaveTextAsync("Signed in as " + manager.UserName);
        var row = console.Locator($"tr.agent-row[data-agent='{mover}']");
        await Expect(row.Locator("td.agent-queues")).ToHaveTextAsync("Sales");
        await Expect(row.Locator(".agent-display")).ToHaveTextAsync("Mara Mover");
        var fromCard = console.Locator($"article.qs-card[data-queue='{From}'] .qs-serving");
        var toCard = console.Locator($"article.qs-card[data-queue='{To}'] .qs-serving");
        await Expect(fromCard).ToHaveTextAsync(N(fromServing));
        await Expect(toCard).ToHaveTextAsync(N(toServing));
        await console.MarkDocumentAsync();

        // The tech team's wallboard in a second tab of the shift manager's browser (same session).
        var wallboard = await console.Context.NewPageAsync();
        await wallboard.OpenInteractiveAsync(host.Url("/wallboard/tech-compact"));
        var boardAvailable = wallboard.Locator("article.tile.metric-agents .agent-available .agent-n");
        await Expect(boardAvailable).ToHaveTextAsync(N(toAvailable));
        await wallboard.MarkDocumentAsync();
        await wallboard.ScreenshotAsync("tech-compact-before-move-1080p");

        // Select the agent; Move to: tech.
        var panel = console.Locator("section.realloc");
        await row.Locator("input.select-agent").CheckAsync();
        await Expect(row).ToHaveClassAsync(new Regex(@"\bis-selected\b"));
        await Expect(panel.Locator(".realloc-count")).ToHaveTextAsync("1 agent selected");
        await panel.Locator("input[name='realloc-mode'][value='Replace']").CheckAsync();
        await panel.Locator($".realloc-queues input[data-queue='{To}']").CheckAsync();
        await console.ScreenshotAsync("console-before-1080p");

        // Preview: the what-if of both queues, without and with the move.
        await panel.Locator("button.realloc-preview").ClickAsync();
        var projections = panel.Locator("table.projection");
        await Expect(projections).ToHaveCountAsync(2);
        var fromProjection = panel.Locator($"table.projection[data-queue='{From}']");
        var toProjection = panel.Locator($"table.projection[data-queue='{To}']");
        await Expect(fromProjection.Locator("tr.proj-agents td.without")).ToHaveTextAsync(N(fromServing));
        await Expect(fromProjection.Locator("tr.proj-agents td.with")).ToHaveTextAsync(N(fromServing - 1));
        await Expect(fromProjection.Locator("tr.proj-agents td.delta")).ToHaveTextAsync("−1");
        await Expect(toProjection.Locator("tr.proj-agents td.without")).ToHaveTextAsync(N(toServing));
        await Expect(toProjection.Locator("tr.proj-agents td.with")).ToHaveTextAsync(N(toServing + 1));
        await Expect(toProjection.Locator("tr.proj-agents td.delta")).ToHaveTextAsync("+1");
        await Expect(toProjection.Locator(".proj-name")).ToHaveTextAsync(ToName);
        await Expect(panel.Locator(".preview-outdated")).ToHaveCountAsync(0);
        await Expect(panel.Locator("button.realloc-confirm")).ToHaveTextAsync("Confirm");
        await console.ScreenshotAsync("console-preview-1080p");

        // Confirm: the change is listed, and the board, the queue strip and the TV follow without a reload.
        await panel.Locator("button.realloc-confirm").ClickAsync();
        var change = panel.Locator($".realloc-result li[data-agent='{mover}']");
        await Expect(change.Locator(".change-before")).ToHaveTextAsync("Sales");
        await Expect(change.Locator(".change-after")).ToHaveTextAsync(ToName);
        await Expect(panel.Locator(".realloc-error")).ToHaveCountAsync(0);
        await Expect(row.Locator("td.agent-queues")).ToHaveTextAsync(ToName);
        await Expect(console.Locator($"tr.agent-row[data-agent='{stayer}'] td.agent-queues")).ToHaveTextAsync("Sales");
        await Expect(fromCard).ToHaveTextAsync(N(fromServing - 1));
        await Expect(toCard).ToHaveTextAsync(N(toServing + 1));
        await Expect(boardAvailable).ToHaveTextAsync(N(toAvailable + 1));
        Assert.True(await console.IsSameDocumentAsync(), "the console was reloaded; the move must show over the live circuit");
        Assert.True(await wallboard.IsSameDocumentAsync(), "the wallboard was reloaded; the move must show over the live circuit");
        await console.ScreenshotAsync("console-after-1080p");
        await wallboard.ScreenshotAsync("tech-compact-after-move-1080p");

        // The read API agrees, and the audit log names the shift manager and the address the change came from.
        var agent = await AgentAsync(mover);
        Assert.Equal([To], agent["queues"]!.AsArray().Select(q => (string)q!));
        var audit = await host.App.AuditAsync($"action=agent.queues&actor={Uri.EscapeDataString(manager.UserName)}");
        var entry = Assert.Single(audit, e => ((string?)e!["target"] ?? "").Contains(mover, StringComparison.Ordinal))!;
        output.WriteLine($"audit: {entry.ToJsonString()}");
        Assert.Equal("agent.queues", (string?)entry["action"]);
        Assert.Equal(manager.UserName, (string?)entry["actor"]);
        Assert.True((bool)entry["success"]!, "the audit entry says the change failed");
        Assert.Contains($"{From} → {To}", (string?)entry["detail"] ?? "", StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace((string?)entry["address"]), $"the audit entry has no address: {entry.ToJsonString()}");

        await console.Context.CloseAsync();
    }

    /// <summary>Agents serving the queue (available + on contact + wrap-up) and available, by the read API.</summary>
    private async Task<(int Serving, int Available)> ServingAsync(string queue)
    {
        var agents = (await host.App.QueueAsync(queue))["agents"]!;
        var available = (int)agents["available"]!;
        return (available + (int)agents["onContact"]! + (int)agents["wrapUp"]!, available);
    }

    private async Task<JsonNode> AgentAsync(string id)
    {
        using var response = await host.App.Http.GetAsync("/api/v1/agents");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /api/v1/agents: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsArray().Single(a => (string?)a!["id"] == id)!;
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
