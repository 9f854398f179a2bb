using Ops.Dashboard.Domain;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>
/// <c>Ops.Dashboard.Web import-volume --queue &lt;queue&gt; --file &lt;csv&gt; [--Storage:Path=…]</c>: imports a contact-volume
/// history file like <c>POST /api/v1/history/volume</c> does, without starting the dashboard. Exit 0 with a summary,
/// 1 with the row errors (nothing imported) or a configuration problem, 2 for a usage error.
/// </summary>
public static class VolumeImportCommand
{
    public const string Name = "import-volume";
    private const string Usage = $"usage: {Name} --queue <queue> --file <file.csv> [--Storage:Path=…]";

    public static bool Matches(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(string[] args)
    {
        string? queue = null, file = null;
        var rest = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (!TryOption(args, ref i, "--queue", ref queue) && !TryOption(args, ref i, "--file", ref file)) rest.Add(args[i]);
        }

        if (string.IsNullOrWhiteSpace(queue) || string.IsNullOrWhiteSpace(file))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        // Resolved before the host may change directory, so a relative path means the caller's working directory.
        var path = Path.GetFullPath(file);
        if (!File.Exists(path))
        {
            await Console.Error.WriteLineAsync($"{Name}: the file '{path}' does not exist");
            return 2;
        }

        var exitCode = 0;
        var configured = await OpsConfigurationExtensions.RunOrExplainAsync(async () =>
        {
            var builder = WebApplication.CreateBuilder(rest.ToArray());
            builder.AddOpsConfiguration();
            builder.AddOpsStorage();
            await using var services = builder.Services.BuildServiceProvider();

            var options = services.GetRequiredService<OpsOptions>();
            if (options.FindQueue(queue) is null)
            {
                await Console.Error.WriteLineAsync($"{Name}: unknown queue '{queue}'; configured: {string.Join(", ", options.Queues.Select(q => q.Id))}");
                exitCode = 2;
                return;
            }

            var outcome = await HistoryEndpoints.ImportAsync(queue, await File.ReadAllTextAsync(path), options.Site.TimeZone,
                new Actor($"{Name} command", "console"), services.GetRequiredService<VolumeHistoryStore>(),
                services.GetRequiredService<AuditLog>(), services.GetRequiredService<TimeProvider>(), CancellationToken.None);
            if (outcome.Stored is not { } stored)
            {
                await Console.Error.WriteLineAsync($"{Path.GetFileName(path)}: {outcome.Parsed.Errors.Count} error(s), nothing was imported:");
                foreach (var error in outcome.Parsed.Errors) await Console.Error.WriteLineAsync($"  {error}");
                exitCode = 1;
                return;
            }

            await Console.Out.WriteLineAsync(
                $"Imported {stored.Hours} hours of '{queue}' from {stored.RowsRead} rows ({outcome.Parsed.IntervalMinutes}-minute): " +
                $"{HistoryEndpoints.Utc(stored.From)} – {HistoryEndpoints.Utc(stored.To)}.");
        });
        return configured != 0 ? configured : exitCode;
    }

    /// <summary>Reads <c>--name value</c> or <c>--name=value</c> at <paramref name="i"/>, moving past the value.</summary>
    private static bool TryOption(string[] args, ref int i, string name, ref string? value)
    {
        if (args[i] == name && i + 1 < args.Length)
        {
            value = args[++i];
            return true;
        }

        if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
        {
            value = args[i][(name.Length + 1)..];
            return true;
        }

        return false;
    }
}
