using Ops.Dashboard.Web.Components;

namespace Ops.Dashboard.Web;

/// <summary>The Blazor Server screens (start page, wallboards), one call each from Program.cs.</summary>
public static class UiHostExtensions
{
    /// <summary>Razor components with interactive server rendering, over this node's live feed.</summary>
    public static WebApplicationBuilder AddOpsUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddSingleton<ILiveFigures>(sp => sp.GetRequiredService<LiveFeed>());
        builder.Services.AddSingleton<IIntervalStats, ReadModelIntervalStats>();
        return builder;
    }

    /// <summary>Static assets (wwwroot, with apexcharts copied in by the build) and the component endpoints.</summary>
    public static WebApplication MapOpsUi(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
