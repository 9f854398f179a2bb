using System.Diagnostics;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// `Ops.Dashboard.Web create-admin &lt;user&gt;` on a fresh install: the built app as a command, the
/// password from OPS_ADMIN_PASSWORD or standard input, the dashboard itself not started.
/// </summary>
public sealed class AdminCommandTests : IDisposable
{
    private readonly string _directory = SupportNet.NewTempDirectory("ops-admin-cmd-");

    private string DatabasePath => Path.Combine(_directory, "ops.db");

    private async Task<(int ExitCode, string Output)> RunAsync(string user, string? passwordEnv, string? stdin)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = SupportNet.RepositoryRoot(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { AppProcess.WebDll(), "create-admin", user, $"--Storage:Path={DatabasePath}" }) start.ArgumentList.Add(a);
        start.Environment.Remove("OPS_ADMIN_PASSWORD");
        if (passwordEnv is not null) start.Environment["OPS_ADMIN_PASSWORD"] = passwordEnv;
        using var process = Process.Start(start)!;
        if (stdin is not null) await process.StandardInput.WriteLineAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task Create_admin_makes_an_administrator_whose_password_verifies_and_refuses_a_short_password()
    {
        var (code, output) = await RunAsync("alice", passwordEnv: "alice-secret-123", stdin: null);
        Assert.True(code == 0, output);
        Assert.Contains("Administrator 'alice' is ready", output);

        var db = new OpsDatabase(DatabasePath);
        var alice = await new UserStore(db).FindByNameAsync("alice");
        Assert.NotNull(alice);
        Assert.Equal((Role.Admin, false), (alice.Role, alice.Disabled));
        Assert.NotEqual(Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed,
            new Microsoft.AspNetCore.Identity.PasswordHasher<UserRecord>().VerifyHashedPassword(alice, alice.PasswordHash, "alice-secret-123"));
        Assert.Contains(await new AuditLog(db).QueryAsync(new AuditQuery(Action: AuditActions.UserCreate)), e => e.Target == "alice" && e.Actor == "create-admin command");

        // From standard input, for a second administrator; a short password is refused with the rule.
        var (ok, _) = await RunAsync("bob", passwordEnv: null, stdin: "bob-secret-4567");
        Assert.Equal(0, ok);
        Assert.Equal(Role.Admin, (await new UserStore(db).FindByNameAsync("bob"))!.Role);
        var (refused, message) = await RunAsync("carol", passwordEnv: "short", stdin: null);
        Assert.Equal(1, refused);
        Assert.Contains("password: must have at least 10 characters", message);
        Assert.Null(await new UserStore(db).FindByNameAsync("carol"));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
