using Ops.Dashboard.Web;

if (AdminCommand.Matches(args)) return await AdminCommand.RunAsync(args);
if (VolumeImportCommand.Matches(args)) return await VolumeImportCommand.RunAsync(args);

return await OpsConfigurationExtensions.RunOrExplainAsync(async () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddOpsConfiguration();
    builder.AddOpsHeapGovernor();
    builder.AddOpsStorage();
    builder.AddOpsOrleans();
    builder.AddOpsAccess();
    builder.AddOpsApi();
    builder.AddOpsLiveFeed();
    builder.AddOpsConsole();
    builder.AddOpsAlarms();
    builder.AddOpsIncidents();
    builder.AddOpsForecast();
    builder.AddOpsUi();
    builder.AddOpsSimulator();

    var app = builder.Build();
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapOpsApi();
    app.MapOpsAccess();
    app.MapOpsAlarms();
    app.MapOpsIncidents();
    app.MapOpsStaffing();
    app.MapOpsHistory();
    app.MapOpsForecast();
    app.MapOpsShiftPlan();
    app.MapHub<WallboardHub>(WallboardHub.Path);
    app.MapOpsUi();
    app.MapOpsOrleansDashboard();
    await app.RunAsync();
});

public partial class Program;
