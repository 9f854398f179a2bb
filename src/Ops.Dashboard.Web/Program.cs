using Ops.Dashboard.Web;

return await OpsConfigurationExtensions.RunOrExplainAsync(async () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddOpsConfiguration();
    builder.AddOpsStorage();
    builder.AddOpsOrleans();
    builder.AddOpsApi();
    builder.AddOpsLiveFeed();
    builder.AddOpsUi();
    builder.AddOpsSimulator();

    var app = builder.Build();
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapOpsApi();
    app.MapHub<WallboardHub>(WallboardHub.Path);
    app.MapOpsUi();
    app.MapOpsOrleansDashboard();
    await app.RunAsync();
});

public partial class Program;
