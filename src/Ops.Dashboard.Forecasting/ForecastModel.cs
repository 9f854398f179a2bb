using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ops.Dashboard.Forecasting;

/// <summary>The backtest scores of one candidate, as stored with a model.</summary>
public sealed record BacktestSummary(ForecastTrainer Trainer, ForecastHorizon Horizon, DateOnly HoldoutFirstDay, DateOnly HoldoutLastDay, ForecastScores Model, ForecastScores SeasonalNaive, ForecastScores SameWeekdayMean4);

/// <summary>meta.json: everything about a trained model except the ML.NET transformer itself.</summary>
public sealed class ForecastModelMeta
{
    /// <summary>2 added <see cref="HoldoutHours"/>; version 1 files still load, without them.</summary>
    public const int CurrentFormatVersion = 2;

    public int FormatVersion { get; set; } = CurrentFormatVersion;
    public string Queue { get; set; } = "";
    public ForecastTrainer Trainer { get; set; }
    public ForecastHorizon Horizon { get; set; }
    public DateTimeOffset TrainedAtUtc { get; set; }
    public DateOnly DataFirstDay { get; set; }
    public DateOnly DataLastDay { get; set; }
    public string TimeZoneId { get; set; } = "UTC";
    public List<DateOnly> Holidays { get; set; } = [];
    public int Seed { get; set; } = 1;
    public int HoldoutDays { get; set; }
    public List<BacktestSummary> Backtests { get; set; } = [];
    public PredictionIntervals Intervals { get; set; } = new(new double[24], new double[24]);

    /// <summary>The last weeks of the training data: the lag features of a later forecast read them.</summary>
    public List<HourlyPoint> History { get; set; } = [];

    /// <summary>
    /// Every hour of the chosen trainer's backtest (out of sample: each forecast from data before its day or block),
    /// kept so that forecast vs actual can be shown per day; null in a version 1 file.
    /// </summary>
    public List<BacktestHour>? HoldoutHours { get; set; }
}

/// <summary>One forecast hour; a known-closed hour has 0 everywhere.</summary>
public sealed record HourForecast(DateTimeOffset HourStart, DateTime LocalHour, bool Closed, double P10, double P50, double P90);

/// <summary>
/// A trained, versioned forecast model of one queue. Saved as <c>{queue}/{yyyyMMddHHmmss}/model.zip</c>
/// (the ML.NET model; for a baseline an archive naming it) plus <c>meta.json</c>.
/// </summary>
public sealed class ForecastModel
{
    /// <summary>Days of history kept with the model for the lag features (4 same-weekday lags + level + margin).</summary>
    public const int HistoryDays = 42;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly IPointModel _model;
    private readonly HourlySeries _history;

    internal ForecastModel(ForecastModelMeta meta, IPointModel model)
    {
        Meta = meta;
        _model = model;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(meta.TimeZoneId);
        _history = new HourlySeries(meta.Queue, meta.History, zone, meta.Holidays);
    }

    public ForecastModelMeta Meta { get; }

    public string Queue => Meta.Queue;

    public ForecastTrainer Trainer => Meta.Trainer;

    public DateTimeOffset TrainedAtUtc => Meta.TrainedAtUtc;

    /// <summary>The backtest of the chosen trainer.</summary>
    public BacktestSummary ChosenBacktest => Meta.Backtests.First(b => b.Trainer == Meta.Trainer);

    /// <summary>
    /// Forecasts <paramref name="hours"/> hours from <paramref name="from"/> (truncated to the hour).
    /// The features' origin is the local start of the day of <paramref name="from"/>, but never later
    /// than the day after the newest data, and only data before it is used: the history stored with
    /// the model, or <paramref name="recent"/> when given (newer actuals, at least the last 5 weeks).
    /// An hour is known closed, and forecast 0, when the same weekday/hour had no rows in the last
    /// 4 weeks before the origin. p50 is the point forecast, p10/p90 come from <see cref="PredictionIntervals"/>.
    /// </summary>
    public IReadOnlyList<HourForecast> Predict(DateTimeOffset from, int hours, HourlySeries? recent = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hours);
        var history = recent ?? _history;
        var zone = history.TimeZone;
        var startUtc = from.ToUniversalTime();
        startUtc = new DateTimeOffset(startUtc.Year, startUtc.Month, startUtc.Day, startUtc.Hour, 0, 0, TimeSpan.Zero);
        var fromDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(startUtc, zone).DateTime);
        var originDay = history.IsEmpty || fromDay <= history.LastDay.AddDays(1) ? fromDay : history.LastDay.AddDays(1);
        var origin = originDay.ToDateTime(TimeOnly.MinValue);

        var slots = new List<(DateTimeOffset At, HourFeatures Features)>(hours);
        for (var i = 0; i < hours; i++)
        {
            var at = TimeZoneInfo.ConvertTime(startUtc.AddHours(i), zone);
            slots.Add((at, FeatureBuilder.Compute(history, at.DateTime, origin)));
        }
        var open = slots.Where(s => !s.Features.KnownClosed).Select(s => s.Features).ToList();
        var predicted = _model.Predict(open);
        var result = new List<HourForecast>(hours);
        var j = 0;
        foreach (var (at, f) in slots)
        {
            if (f.KnownClosed)
            {
                result.Add(new HourForecast(at, f.LocalHour, true, 0, 0, 0));
                continue;
            }
            var p50 = predicted[j++];
            var (p10, p90) = Meta.Intervals.Apply(f.HourOfDay, p50);
            result.Add(new HourForecast(at, f.LocalHour, false, p10, p50, p90));
        }
        return result;
    }

    /// <summary>Saves under <c>{root}/{queue}/{yyyyMMddHHmmss of the training time}</c>; returns that directory.</summary>
    public string Save(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var dir = Path.Combine(root, SafeName(Queue), TrainedAtUtc.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        var zip = Path.Combine(dir, "model.zip");
        File.Delete(zip);
        _model.Save(zip);
        File.WriteAllText(Path.Combine(dir, "meta.json"), JsonSerializer.Serialize(Meta, Json));
        return dir;
    }

    /// <summary>Loads one saved version (a directory holding model.zip and meta.json).</summary>
    public static ForecastModel Load(string versionDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(versionDirectory);
        var meta = JsonSerializer.Deserialize<ForecastModelMeta>(File.ReadAllText(Path.Combine(versionDirectory, "meta.json")), Json)
            ?? throw new InvalidDataException($"{versionDirectory}/meta.json is empty.");
        if (meta.FormatVersion is < 1 or > ForecastModelMeta.CurrentFormatVersion)
        {
            throw new InvalidDataException($"Unsupported model format version {meta.FormatVersion}.");
        }
        return new ForecastModel(meta, PointModels.Load(meta.Trainer, Path.Combine(versionDirectory, "model.zip"), meta.Seed));
    }

    /// <summary>The newest saved version of a queue, or null when there is none.</summary>
    public static ForecastModel? LoadLatest(string root, string queue)
    {
        var dir = Path.Combine(root, SafeName(queue));
        if (!Directory.Exists(dir))
        {
            return null;
        }
        var latest = Directory.GetDirectories(dir)
            .Where(d => File.Exists(Path.Combine(d, "meta.json")))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .LastOrDefault();
        return latest is null ? null : Load(latest);
    }

    private static string SafeName(string queue)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var name = new string(queue.Select(c => invalid.Contains(c) || c == '.' ? '_' : c).ToArray());
        return name.Length == 0 ? "_" : name;
    }
}
