using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ops.Dashboard.Domain;

/// <summary>What a wallboard tile shows.</summary>
public enum TileMetric
{
    Waiting,
    LongestWait,
    ServiceLevel,
    Asa,
    AbandonRate,
    Agents,
    Offered,
    Answered,
    Aht,
    /// <summary>Today's contacts offered per interval (and the forecast, once there is one).</summary>
    TodayChart,
}

/// <summary>Amber and red limits of a tile; which way is worse follows from the metric (see <see cref="Thresholds.Rate"/>).</summary>
public sealed class Thresholds
{
    public double? Amber { get; set; }
    public double? Red { get; set; }

    public static bool HigherIsBetter(TileMetric metric) => metric is TileMetric.ServiceLevel or TileMetric.Answered;

    /// <summary>Green, amber or red for a value; null (no colour) when the value or the limits are missing.</summary>
    public TileStatus? Rate(TileMetric metric, double? value)
    {
        if (value is not { } v || (Amber is null && Red is null)) return null;
        if (HigherIsBetter(metric))
            return Red is { } r && v < r ? TileStatus.Red : Amber is { } a && v < a ? TileStatus.Amber : TileStatus.Green;
        return Red is { } r2 && v >= r2 ? TileStatus.Red : Amber is { } a2 && v >= a2 ? TileStatus.Amber : TileStatus.Green;
    }
}

public enum TileStatus { Green, Amber, Red }

public sealed class TileDefinition
{
    public TileMetric Metric { get; set; }
    /// <summary>One queue, or several shown together (figures recomputed from their summed counters).</summary>
    public List<string> Queues { get; set; } = [];
    public string? Label { get; set; }
    public Thresholds? Thresholds { get; set; }
    /// <summary>Grid columns the tile spans (1–4).</summary>
    public int Span { get; set; } = 1;
}

public sealed class BoardPage
{
    public string? Title { get; set; }
    public int Columns { get; set; } = 4;
    public List<TileDefinition> Tiles { get; set; } = [];
}

/// <summary>A wallboard layout from <c>dashboards/{name}.json</c>.</summary>
public sealed class BoardDefinition
{
    public string Title { get; set; } = "";
    /// <summary>Seconds per page when the board has several; 0 = no rotation.</summary>
    public int RotationSeconds { get; set; }
    public List<BoardPage> Pages { get; set; } = [];

    /// <summary>Every queue the board shows.</summary>
    public IReadOnlySet<string> QueueIds() => Pages.SelectMany(p => p.Tiles).SelectMany(t => t.Queues).ToHashSet(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>
    /// Reads and validates a board file's text. Every problem is named with its JSON path
    /// (e.g. <c>pages[0].tiles[2].queues[0]: unknown queue 'biling'</c>), never a bare exception.
    /// </summary>
    public static (BoardDefinition? Board, IReadOnlyList<string> Errors) Parse(string json, Func<string, bool> queueExists)
    {
        BoardDefinition? board;
        try
        {
            board = JsonSerializer.Deserialize<BoardDefinition>(json, Json);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } p ? $"{p.TrimStart('$', '.')}: " : "";
            return (null, [$"{where}{ex.Message.Split(" Path:")[0]} (line {ex.LineNumber + 1})"]);
        }
        if (board is null) return (null, ["the file is empty (null)"]);

        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(board.Title)) errors.Add("title: is required");
        if (board.RotationSeconds is < 0 or > 3600) errors.Add($"rotationSeconds: {board.RotationSeconds} must be 0–3600");
        if (board.Pages.Count == 0) errors.Add("pages: at least one page is required");
        for (var p = 0; p < board.Pages.Count; p++)
        {
            var page = board.Pages[p];
            if (page.Columns is < 1 or > 8) errors.Add($"pages[{p}].columns: {page.Columns} must be 1–8");
            if (page.Tiles.Count == 0) errors.Add($"pages[{p}].tiles: at least one tile is required");
            for (var t = 0; t < page.Tiles.Count; t++)
            {
                var tile = page.Tiles[t];
                var at = $"pages[{p}].tiles[{t}]";
                if (tile.Queues.Count == 0) errors.Add($"{at}.queues: at least one queue is required");
                for (var q = 0; q < tile.Queues.Count; q++)
                    if (!queueExists(tile.Queues[q])) errors.Add($"{at}.queues[{q}]: unknown queue '{tile.Queues[q]}'");
                if (tile.Span < 1 || tile.Span > page.Columns) errors.Add($"{at}.span: {tile.Span} must be 1–{page.Columns} (the page's columns)");
                if (tile.Thresholds is { Amber: { } amber, Red: { } red })
                {
                    var ordered = Thresholds.HigherIsBetter(tile.Metric) ? red <= amber : red >= amber;
                    if (!ordered)
                        errors.Add($"{at}.thresholds: red {red} must be {(Thresholds.HigherIsBetter(tile.Metric) ? "at most" : "at least")} amber {amber} for {tile.Metric}");
                }
            }
        }
        return errors.Count == 0 ? (board, errors) : (null, errors);
    }
}
