using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;
using Ops.Dashboard.Testing;
using Ops.Dashboard.Web.Components.Pages;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// The console page rendered by bUnit against a running dashboard (its live feed, console commands,
/// grains and audit log): a reallocation made on the page lands in the live state and the audit log.
/// </summary>
[Collection(AccessHostCollection.Name)]
public sealed class UiConsoleHostTests(AccessTestHost host) : BunitContext
{
    [Fact]
    public async Task A_move_confirmed_on_the_console_changes_the_agent_and_is_audited_with_the_supervisor_and_address()
    {
        var agent = WireEvents.NewId("ui-");
        var at = DateTimeOffset.UtcNow.AddMinutes(-2);
        await host.Api.IngestAsync([WireEvents.AgentState(agent, "available", at, name: "Console Test"), WireEvents.AgentQueues(agent, at, "billing")]);
        var feed = host.Service<ILiveFigures>();
        var until = DateTime.UtcNow.AddSeconds(20);
        while (feed.Agents.All(a => a.Id != agent) && DateTime.UtcNow < until) await Task.Delay(50);

        // What the page injects, taken from the running dashboard.
        Services.AddSingleton(host.Service<ILiveFigures>());
        Services.AddSingleton(host.Service<IConsoleCommands>());
        Services.AddSingleton(host.Service<IAlarmCommands>());
        Services.AddSingleton(host.Service<AuditLog>());
        Services.AddSingleton(host.Service<TimeProvider>());
        Services.AddSingleton(host.Service<SiteClock>());
        Services.AddSingleton(host.Service<OpsOptions>());
        Services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(Microsoft.Extensions.Logging.Abstractions.NullLogger<>));
        JSInterop.Mode = JSRuntimeMode.Loose;
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var user = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "console-sm"), new Claim(ClaimTypes.Role, nameof(Role.ShiftManager))], AccessExtensions.CookieScheme));
        RenderTree.Add<CascadingValue<Task<AuthenticationState>>>(p => p.Add(x => x.Value, Task.FromResult(new AuthenticationState(user))));
        RenderTree.Add<CascadingValue<ClientAddress>>(p => p.Add(x => x.Value, new ClientAddress("192.0.2.44")));

        var cut = Render<ConsolePage>();
        cut.Find("input.filter-text").Input(agent);
        cut.WaitForAssertion(() => cut.Find($"tr.agent-row[data-agent='{agent}'] input.select-agent"));
        cut.Find($"tr.agent-row[data-agent='{agent}'] input.select-agent").Change(true);
        cut.Find(".realloc-mode input[value='Replace']").Change(true);
        cut.Find(".realloc-queues input[data-queue='tech']").Change(true);
        await cut.Find("button.realloc-preview").ClickAsync(new());
        cut.WaitForAssertion(() => cut.Find("table.projection[data-queue='tech']"), TimeSpan.FromSeconds(20));
        await cut.Find("button.realloc-confirm").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("1 agent", cut.Find(".realloc-result").TextContent), TimeSpan.FromSeconds(20));
        var agents = await host.Api.Http.GetFromJsonAsync<JsonElement>("/api/v1/agents");
        var row = agents.EnumerateArray().Single(a => a.GetProperty("id").GetString() == agent);
        Assert.Equal(["tech"], row.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
        var audit = host.Service<AuditLog>();
        var entry = Assert.Single(await audit.QueryAsync(new AuditQuery(Action: AuditActions.AgentQueues, Text: agent)));
        Assert.Equal("console-sm", entry.Actor);
        Assert.Equal("192.0.2.44", entry.Address);
        Assert.Contains("billing → tech", entry.Detail);
        Assert.Contains(await audit.QueryAsync(new AuditQuery(Action: AuditActions.ViewConsole, Actor: "console-sm")), e => e.Address == "192.0.2.44");
    }
}
