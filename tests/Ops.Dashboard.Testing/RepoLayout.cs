using System.Reflection;
using System.Text.Json.Nodes;

namespace Ops.Dashboard.Testing;

/// <summary>The repository layout: its root, the web app's build output, the ingestion key.</summary>
public static class RepoLayout
{
    /// <summary>
    /// The directory holding Ops.Dashboard.sln, walking up from each of <paramref name="starts"/> in turn
    /// (the running assembly's directory when none are given).
    /// </summary>
    public static string FindRoot(params string[] starts)
    {
        if (starts.Length == 0) starts = [AppContext.BaseDirectory];
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Ops.Dashboard.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Ops.Dashboard.sln not found above " + string.Join(" or ", starts));
    }

    /// <summary>The build configuration <paramref name="assembly"/> was compiled in (Debug when unknown).</summary>
    public static string ConfigurationOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>src/Ops.Dashboard.Web/bin/&lt;configuration&gt;/net10.0/Ops.Dashboard.Web.dll (it may not exist).</summary>
    public static string WebDll(string root, string configuration) =>
        Path.Combine(root, "src", "Ops.Dashboard.Web", "bin", configuration, "net10.0", "Ops.Dashboard.Web.dll");

    /// <summary>The first key of config/ingestion.json under <paramref name="root"/>.</summary>
    public static string ApiKey(string root)
    {
        var file = Path.Combine(root, "config", "ingestion.json");
        return (string)JsonNode.Parse(File.ReadAllText(file))!["ingestion"]!["apiKeys"]![0]!["key"]!;
    }
}
