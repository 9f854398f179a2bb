namespace Ops.Dashboard.Web;

/// <summary>
/// <c>Ops.Dashboard.Web create-admin &lt;user&gt;</c>: creates an administrator (or makes an existing
/// user an active Admin with a new password) without starting the dashboard. The password comes
/// from OPS_ADMIN_PASSWORD or, when that is not set, from the first line of standard input.
/// </summary>
public static class AdminCommand
{
    public const string Name = "create-admin";

    public static bool Matches(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || args[1].StartsWith('-'))
        {
            await Console.Error.WriteLineAsync($"usage: {Name} <user name> [--Storage:Path=…]  (password from {AccessBootstrap.AdminPasswordVariable} or standard input)");
            return 2;
        }
        return await OpsConfigurationExtensions.RunOrExplainAsync(async () =>
        {
            var builder = WebApplication.CreateBuilder(args[2..]);
            builder.AddOpsConfiguration();
            builder.AddOpsStorage();
            builder.Services.AddSingleton<UserAccounts>();
            await using var services = builder.Services.BuildServiceProvider();

            var password = builder.Configuration[AccessBootstrap.AdminPasswordVariable];
            if (string.IsNullOrEmpty(password))
            {
                if (!Console.IsInputRedirected) await Console.Out.WriteAsync("Password: ");
                password = await Console.In.ReadLineAsync() ?? "";
            }
            try
            {
                var user = await services.GetRequiredService<UserAccounts>().EnsureAdminAsync(args[1], password, new Actor("create-admin command", "console"));
                await Console.Out.WriteLineAsync($"Administrator '{user.UserName}' is ready; sign in at /account/login.");
            }
            catch (CommandRejectedException e)
            {
                throw new OpsConfigurationException("The administrator cannot be created.", [e.Message]);
            }
        });
    }
}
