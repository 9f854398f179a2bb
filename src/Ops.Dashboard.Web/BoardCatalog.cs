using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

/// <summary>A board file as read: the board, or the problems that keep it from showing.</summary>
public sealed record BoardLoad(string Name, string File, BoardDefinition? Board, IReadOnlyList<string> Errors)
{
    public bool Ok => Board is not null;
}

/// <summary>
/// The wallboard layouts in <c>dashboards/*.json</c> (<c>Ops:DashboardsDirectory</c>, else beside config/).
/// Files are re-read when they change, so a layout can be edited while boards are up.
/// </summary>
public sealed partial class BoardCatalog(string directory, OpsOptions options)
{
    private readonly ConcurrentDictionary<string, (DateTime Written, BoardLoad Load)> _cache = new();

    public string Directory { get; } = directory;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex ValidName();

    public IReadOnlyList<string> Names() => System.IO.Directory.Exists(Directory)
        ? [.. System.IO.Directory.EnumerateFiles(Directory, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Where(n => ValidName().IsMatch(n)).Order(StringComparer.Ordinal)]
        : [];

    public BoardLoad Load(string name)
    {
        var file = Path.Combine(Directory, name + ".json");
        var display = Path.Combine(Path.GetFileName(Directory), name + ".json");
        if (!ValidName().IsMatch(name))
            return new BoardLoad(name, display, null, [$"'{name}' is not a board name (lower-case letters, digits and '-')"]);
        if (!File.Exists(file))
            return new BoardLoad(name, display, null, [$"no board file {display}"]);
        var written = File.GetLastWriteTimeUtc(file);
        if (_cache.TryGetValue(name, out var cached) && cached.Written == written) return cached.Load;

        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (IOException ex)
        {
            return new BoardLoad(name, display, null, [$"cannot read {display}: {ex.Message}"]);
        }
        var (board, errors) = BoardDefinition.Parse(text, q => options.FindQueue(q) is not null);
        var load = new BoardLoad(name, display, board, errors);
        _cache[name] = (written, load);
        return load;
    }

    /// <summary>The boards (by name) that show a queue.</summary>
    public IEnumerable<string> BoardsShowing(string queue) =>
        Names().Where(n => Load(n).Board?.QueueIds().Contains(queue) == true);

    public static string Locate(IConfiguration configuration, string contentRoot)
    {
        if (configuration["Ops:DashboardsDirectory"] is { Length: > 0 } configured) return Path.GetFullPath(configured);
        var config = OpsConfigurationExtensions.FindConfigDirectory(configuration, contentRoot);
        return Path.Combine(Path.GetDirectoryName(config)!, "dashboards");
    }
}
