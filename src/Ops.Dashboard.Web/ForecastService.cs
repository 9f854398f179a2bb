using System.Collections.Concurrent;
using System.Globalization;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Forecasting;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>A bad forecast request; <see cref="Field"/> is the parameter's name as the API spells it.</summary>
public sealed class ForecastInputException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}

/// <summary>The settings of the forecast service (section <c>Forecast</c>).</summary>
public sealed class ForecastSettings
{
    /// <summary>Days forecast when the caller does not say.</summary>
    public int Days { get; set; } = 14;

    public double ShrinkagePercent { get; set; } = 30;

    public double MaxOccupancyPercent { get; set; } = 85;

    /// <summary>
    /// Mean caller patience when the history cannot tell (fewer than <see cref="MinAbandonsForPatience"/> abandons in 4 weeks);
    /// with a patience, phone/chat/messenger queues are staffed with Erlang A instead of Erlang C.
    /// </summary>
    public double? PatienceSeconds { get; set; }

    /// <summary>Abandons in the last 4 weeks needed before the patience measured from them is trusted over <see cref="PatienceSeconds"/>.</summary>
    public int MinAbandonsForPatience { get; set; } = 30;

    /// <summary>AHT when the last 4 weeks of intervals handled nothing.</summary>
    public double DefaultAhtSeconds { get; set; } = 300;

    /// <summary>Days at the end of the history that a training compares the candidates on, at most (shorter histories use less, down to 14).</summary>
    public int TrainingHoldoutDays { get; set; } = 28;

    /// <summary>How far back the history is read.</summary>
    public int HistoryDays { get; set; } = 730;

    /// <summary>Local hour of the nightly retrain.</summary>
    public int NightlyRetrainHour { get; set; } = 2;

    public bool NightlyRetrain { get; set; } = true;
}

public enum TrainingStatus { Idle, Running, Done, Failed }

/// <summary>The training state of one queue: Idle, Running (since <see cref="StartedAt"/>), Done (at <see cref="FinishedAt"/>) or Failed.</summary>
public sealed record TrainingState(string Queue, TrainingStatus Status, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Message, string? Trainer);

public sealed record ScoresDto(string Name, int Hours, double Mae, double Rmse, double Mape, double Wape)
{
    public static ScoresDto From(string name, ForecastScores s) => new(name, s.Hours, Round(s.Mae), Round(s.Rmse), Round(s.Mape), Round(s.Wape));

    internal static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 4) : 0;
}

public sealed record BacktestDto(string Queue, string Horizon, int HoldoutDays, int Hours, DateOnly HoldoutFirstDay, DateOnly HoldoutLastDay,
    ScoresDto Model, ScoresDto SeasonalNaive, ScoresDto SameWeekdayMean4, double WapeImprovementPercent, IReadOnlyList<ScoresDto> Candidates);

public sealed record ModelInfoDto(string Trainer, DateTimeOffset TrainedAt, DateOnly DataFrom, DateOnly DataTo, string Horizon, int HoldoutDays,
    ScoresDto Backtest, ScoresDto SeasonalNaive, ScoresDto SameWeekdayMean4);

public sealed record ForecastHourDto(DateTimeOffset Start, double P10, double P50, double P90, bool Closed);

public sealed record ForecastDto(string Queue, ModelInfoDto Model, IReadOnlyList<ForecastHourDto> Hours);

public sealed record StaffingHourDto(DateTimeOffset Start, bool Closed, double Forecast, int RequiredAgents, int ScheduledAgents, double? ServiceLevel, double? Occupancy);

public sealed record StaffingPlanDto(string Queue, string Channel, string Model, double AhtSeconds, bool AhtMeasured, double ShrinkagePercent,
    double MaxOccupancyPercent, double SlTargetPercent, int SlThresholdSeconds, ModelInfoDto ForecastModel, IReadOnlyList<StaffingHourDto> Hours,
    double? PatienceSeconds = null, bool PatienceMeasured = false);

/// <summary>A queue's handling over the last 4 weeks: AHT and mean patience (null: unknown, so Erlang C), each measured or configured.</summary>
public sealed record QueueHandling(double AhtSeconds, bool AhtMeasured, double? PatienceSeconds, bool PatienceMeasured);

public sealed record TwentyFourSevenDto(int Weeks, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TwentyFourSevenVerdict> Queues, TwentyFourSevenVerdict Overall);

/// <summary>
/// Contact-volume forecasts per queue: the history (imported hours plus the live system's intervals for hours not
/// imported; an absent hour is a closed one), backtests, training in the background (one at a time per queue, saved
/// under <c>&lt;data dir&gt;/models</c>), hourly p10/p50/p90, the staffing they need and the 24/7 decision.
/// </summary>
public sealed class ForecastService : IForecasts, IForecastAccuracy
{
    /// <summary>Days a backtest needs before its holdout (4 same-weekday lags + 1 week).</summary>
    public const int WarmUpDays = 35;

    public const int MaxHoldoutDays = 90;

    /// <summary>
    /// Days a 14-days-ahead training needs before its holdout: the warm-up of the lags before the origin of the first
    /// 14-day block of training rows, plus that block.
    /// </summary>
    public const int TrainingWarmUpDays = 42;

    public const int MinTrainingHoldoutDays = 14;

    private readonly OpsOptions _options;
    private readonly ForecastSettings _settings;
    private readonly VolumeHistoryStore _volumes;
    private readonly IntervalStore _intervals;
    private readonly SiteClock _clock;
    private readonly TimeProvider _time;
    private readonly ILogger<ForecastService> _log;
    private readonly ConcurrentDictionary<string, TrainingState> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<ForecastModel>> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ForecastModel> _models = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ForecastService(OpsOptions options, ForecastSettings settings, VolumeHistoryStore volumes, IntervalStore intervals, SiteClock clock,
        TimeProvider time, string modelsDirectory, ILogger<ForecastService> log)
    {
        _options = options;
        _settings = settings;
        _volumes = volumes;
        _intervals = intervals;
        _clock = clock;
        _time = time;
        ModelsDirectory = modelsDirectory;
        _log = log;
    }

    public string ModelsDirectory { get; }

    public ForecastSettings Settings => _settings;

    /// <summary>Days of history a training needs: the shortest holdout plus the warm-up.</summary>
    public static int TrainingMinimumDays => MinTrainingHoldoutDays + TrainingWarmUpDays;

    /// <summary>The configured holdout, shortened to what the history allows.</summary>
    public int TrainingHoldoutDays(int historyDays) =>
        Math.Max(MinTrainingHoldoutDays, Math.Min(_settings.TrainingHoldoutDays, historyDays - TrainingWarmUpDays));

    /// <summary>The hourly series of a queue: imported hours, plus the live 15-minute intervals summed to hours that were not imported.</summary>
    public async Task<HourlySeries> HistoryAsync(string queue, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken ct = default)
    {
        var imported = await _volumes.ReadAsync(queue, fromUtc, toUtc, ct);
        var importedHours = imported.Select(h => h.HourStartUtc.ToUniversalTime()).ToHashSet();
        var live = await _intervals.ReadAsync(queue, fromUtc, toUtc, ct);
        var points = imported.Select(h => (h.HourStartUtc, (double)h.Count)).ToList();
        foreach (var group in live.GroupBy(i => _clock.LocalHourStart(i.StartUtc)))
        {
            if (!importedHours.Contains(group.Key))
            {
                points.Add((group.Key, group.Sum(i => (double)i.Counters.Offered)));
            }
        }
        return HourlySeries.FromSite(queue, points, _options.Site);
    }

    /// <summary>The history up to the start of today (site time): a day still running is not a complete day.</summary>
    public Task<HourlySeries> HistoryToDateAsync(string queue, CancellationToken ct = default)
    {
        var today = TodayStartUtc();
        return HistoryAsync(queue, today.AddDays(-_settings.HistoryDays), today, ct);
    }

    /// <summary>Backtests every candidate and reports the one with the lowest WAPE, with both baselines over the same hours.</summary>
    public async Task<BacktestDto> BacktestAsync(string queue, int holdoutDays, ForecastHorizon horizon, CancellationToken ct = default)
    {
        RequireQueue(queue);
        if (holdoutDays is < 1 or > MaxHoldoutDays) throw new ForecastInputException("holdoutDays", $"must be 1 to {MaxHoldoutDays}, not {holdoutDays}");
        var series = await HistoryToDateAsync(queue, ct);
        var days = DaysOf(series);
        if (days < holdoutDays + WarmUpDays)
            throw new ForecastInputException("holdoutDays",
                $"queue {queue} has {days} days of history; the backtest needs at least holdoutDays + {WarmUpDays} = {holdoutDays + WarmUpDays}");
        var candidates = new ForecastOptions().Candidates;
        var results = await Task.Run(() => candidates.Select(t => Backtest.Run(series, holdoutDays, horizon, t)).ToList(), ct);
        var best = results.OrderBy(r => double.IsNaN(r.Model.Wape) ? double.MaxValue : r.Model.Wape).First();
        var improvement = best.WapeImprovementPercent;
        return new BacktestDto(queue, HorizonName(horizon), holdoutDays, best.Model.Hours, best.HoldoutFirstDay, best.HoldoutLastDay,
            ScoresDto.From(best.Trainer.ToString(), best.Model),
            ScoresDto.From(nameof(ForecastTrainer.SeasonalNaive), best.SeasonalNaive),
            ScoresDto.From(nameof(ForecastTrainer.SameWeekdayMean4), best.SameWeekdayMean4),
            double.IsFinite(improvement) ? Math.Round(improvement, 2) : 0,
            [.. results.Select(r => ScoresDto.From(r.Trainer.ToString(), r.Model))]);
    }

    public TrainingState Status(string queue)
    {
        RequireQueue(queue);
        return _states.GetValueOrDefault(queue) ?? new TrainingState(queue, TrainingStatus.Idle, null, null, null, null);
    }

    /// <summary>Starts a training of the queue on a background thread unless one is running; returns the state.</summary>
    public TrainingState Train(string queue)
    {
        StartTraining(queue);
        return Status(queue);
    }

    /// <summary>Trains the queue (or joins the running training) and returns the new model.</summary>
    public Task<ForecastModel> TrainAsync(string queue) => StartTraining(queue);

    private Task<ForecastModel> StartTraining(string queue)
    {
        RequireQueue(queue);
        lock (_gate)
        {
            if (_running.TryGetValue(queue, out var running)) return running;
            var started = _time.GetUtcNow();
            _states[queue] = new TrainingState(queue, TrainingStatus.Running, started, null, null, null);
            var task = Task.Run(() => RunTrainingAsync(queue, started));
            _running[queue] = task;
            return task;
        }
    }

    private async Task<ForecastModel> RunTrainingAsync(string queue, DateTimeOffset started)
    {
        try
        {
            var series = await HistoryToDateAsync(queue);
            var days = DaysOf(series);
            if (days < TrainingMinimumDays)
                throw new ForecastInputException("queue", $"queue {queue} has {days} days of history; a forecast needs at least {TrainingMinimumDays}");
            var model = Forecaster.Train(series, new ForecastOptions { HoldoutDays = TrainingHoldoutDays(days), TimeProvider = _time });
            model.Save(ModelsDirectory);
            _models[queue] = model;
            _states[queue] = new TrainingState(queue, TrainingStatus.Done, started, _time.GetUtcNow(), null, model.Trainer.ToString());
            _log.LogInformation("Forecast model for {Queue} trained: {Trainer}, {Days} days of history", queue, model.Trainer, days);
            return model;
        }
        catch (Exception e)
        {
            _states[queue] = new TrainingState(queue, TrainingStatus.Failed, started, _time.GetUtcNow(), e.Message, null);
            _log.LogWarning(e, "Forecast training for {Queue} failed", queue);
            throw;
        }
        finally
        {
            lock (_gate)
            {
                _running.TryRemove(queue, out _);
            }
        }
    }

    /// <summary>Whether the queue has enough history to train.</summary>
    public async Task<bool> CanTrainAsync(string queue, CancellationToken ct = default) =>
        DaysOf(await HistoryToDateAsync(queue, ct)) >= TrainingMinimumDays;

    /// <summary>The latest saved model (trained first when there is none and the history suffices) and its hourly forecast from today's start.</summary>
    public async Task<(ForecastModel Model, IReadOnlyList<HourForecast> Hours)> ForecastAsync(string queue, int? days = null, CancellationToken ct = default)
    {
        RequireQueue(queue);
        var n = days ?? _settings.Days;
        if (n is < 1 or > 60) throw new ForecastInputException("days", $"must be 1 to 60, not {n}");
        var model = await ModelAsync(queue, ct);
        return (model, await PredictAsync(model, queue, TodayStartUtc(), n * 24, ct));
    }

    private async Task<IReadOnlyList<HourForecast>> PredictAsync(ForecastModel model, string queue, DateTimeOffset fromUtc, int hours, CancellationToken ct) =>
        Predict(model, await HistoryToDateAsync(queue, ct), fromUtc, hours);

    private static IReadOnlyList<HourForecast> Predict(ForecastModel model, HourlySeries series, DateTimeOffset fromUtc, int hours)
    {
        // Newer actuals than the model's own history feed the lags, once they cover the 5 weeks the features read.
        HourlySeries? recent = !series.IsEmpty && DaysOf(series) >= WarmUpDays && series.LastDay > model.Meta.DataLastDay ? series : null;
        lock (model)
        {
            return model.Predict(fromUtc, hours, recent);
        }
    }

    /// <summary>
    /// Today's hourly forecast (site day, 23–25 hours) from the latest saved model, or null when the queue is unknown,
    /// no model has been saved yet or the model cannot forecast. Never starts a training (for the wallboards).
    /// </summary>
    /// <summary>When the model in memory for <paramref name="queue"/> was trained (null: none loaded yet); changes when a training saves a new one.</summary>
    public DateTimeOffset? LoadedModelTrainedAt(string queue) => _models.TryGetValue(queue, out var model) ? model.TrainedAtUtc : null;

    public async Task<ForecastDto?> TryTodayAsync(string queue, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(queue) || _options.FindQueue(queue) is null) return null;
        if (!_models.TryGetValue(queue, out var model))
        {
            var saved = await Task.Run(() => ForecastModel.LoadLatest(ModelsDirectory, queue), ct);
            if (saved is null) return null;
            model = _models.GetOrAdd(queue, saved);
        }
        var (startUtc, endUtc) = _clock.DayBounds(_clock.LocalDate(_time.GetUtcNow()));
        try
        {
            var hours = await PredictAsync(model, queue, startUtc, (int)Math.Round((endUtc - startUtc).TotalHours), ct);
            return new ForecastDto(queue, ModelInfo(model),
                [.. hours.Select(h => new ForecastHourDto(h.HourStart, Math.Round(h.P10, 3), Math.Round(h.P50, 3), Math.Round(h.P90, 3), h.Closed))]);
        }
        catch (ForecastInputException)
        {
            return null;
        }
    }

    /// <summary>The forecast as the API and the page show it: figures rounded to 3 decimals, with the model's metadata.</summary>
    public async Task<ForecastDto> ForecastDtoAsync(string queue, int? days = null, CancellationToken ct = default)
    {
        var (model, hours) = await ForecastAsync(queue, days, ct);
        return new ForecastDto(queue, ModelInfo(model),
            [.. hours.Select(h => new ForecastHourDto(h.HourStart, Math.Round(h.P10, 3), Math.Round(h.P50, 3), Math.Round(h.P90, 3), h.Closed))]);
    }

    Task<ForecastDto> IForecasts.ForecastAsync(string queue, int? days, CancellationToken ct) => ForecastDtoAsync(queue, days, ct);

    public const string RetrainNote = "This model was saved without its backtest's hours: retrain to see forecast vs actual.";

    /// <summary>
    /// Forecast vs actual of the queue's model (trained first like <see cref="ForecastAsync"/> when there is none): every
    /// hour of its backtest holdout, each forecast from data before its day (or 14-day block), then today's complete hours
    /// so far against the model's forecast for today; per day the model's WAPE next to the better baseline's.
    /// </summary>
    public async Task<AccuracyDto> AccuracyAsync(string queue, CancellationToken ct = default)
    {
        RequireQueue(queue);
        var model = await ModelAsync(queue, ct);
        if (model.Meta.HoldoutHours is not { Count: > 0 } holdout)
            return new AccuracyDto(queue, ModelInfo(model), false, RetrainNote, [], []);
        var now = _time.GetUtcNow();
        var todayDate = _clock.LocalDate(now);
        var today = await TodaySoFarAsync(model, queue, now, ct);
        var zone = _options.Site.TimeZone;
        List<BacktestHour> hours = [.. holdout.Where(h => h.LocalHour < todayDate.ToDateTime(TimeOnly.MinValue)), .. today];
        return new AccuracyDto(queue, ModelInfo(model), true, null,
            [.. hours.Where(h => !zone.IsInvalidTime(h.LocalHour)).Select(h =>
            {
                var (p10, p90) = h.KnownClosed ? (0, 0) : model.Meta.Intervals.Apply(h.LocalHour.Hour, h.Forecast);
                var start = new DateTimeOffset(h.LocalHour, zone.GetUtcOffset(h.LocalHour)).ToUniversalTime();
                return new AccuracyHourDto(start, h.Actual is { } a ? Math.Round(a, 3) : null, Math.Round(p10, 3), Math.Round(h.Forecast, 3), Math.Round(p90, 3), h.KnownClosed);
            })],
            [.. ForecastAccuracy.ByDay(hours).Select(d => new AccuracyDayDto(d.Day, d.Day == todayDate, d.Hours, Math.Round(d.Actual, 3),
                Math.Round(d.Forecast, 3), Rounded(d.Model.Mae), Rounded(d.Model.Wape), d.BetterBaseline.ToString(), Rounded(d.BetterBaselineScores.Wape)))]);

        static double? Rounded(double v) => double.IsFinite(v) ? Math.Round(v, 4) : null;
    }

    /// <summary>
    /// Today's complete hours (a running hour would look short) with their actuals, the model's forecast from today's start
    /// and both baselines, all from the history before today as in the backtest.
    /// </summary>
    private async Task<List<BacktestHour>> TodaySoFarAsync(ForecastModel model, string queue, DateTimeOffset now, CancellationToken ct)
    {
        var todayDate = _clock.LocalDate(now);
        var startUtc = _clock.DayBounds(todayDate).StartUtc;
        var passed = (int)Math.Floor((now - startUtc).TotalHours);
        if (passed <= 0) return [];
        var history = await HistoryToDateAsync(queue, ct);
        var actual = await HistoryAsync(queue, startUtc, startUtc.AddHours(passed), ct);
        var forecast = Predict(model, history, startUtc, passed);
        var origin = todayDate.ToDateTime(TimeOnly.MinValue);
        // The repeated hour of a DST fall-back is one local hour in the series (its count summed), so once here too.
        return [.. forecast.DistinctBy(f => f.LocalHour)
            .Select(f => BacktestHour.From(FeatureBuilder.Compute(history, f.LocalHour, origin), actual.At(f.LocalHour), f.P50) with { KnownClosed = f.Closed })];
    }

    private async Task<ForecastModel> ModelAsync(string queue, CancellationToken ct)
    {
        if (_models.TryGetValue(queue, out var cached)) return cached;
        var saved = await Task.Run(() => ForecastModel.LoadLatest(ModelsDirectory, queue), ct);
        if (saved is not null) return _models.GetOrAdd(queue, saved);
        var series = await HistoryToDateAsync(queue, ct);
        var days = DaysOf(series);
        if (days < TrainingMinimumDays)
            throw new ForecastInputException("queue", $"queue {queue} has {days} days of history and no trained model; a forecast needs at least {TrainingMinimumDays} days");
        return await TrainAsync(queue);
    }

    /// <summary>Agents needed per forecast hour from p50: Erlang C (or A) for real-time channels, the workload model for asynchronous ones.</summary>
    public async Task<StaffingPlanDto> StaffingAsync(string queue, int? days = null, CancellationToken ct = default)
    {
        var q = RequireQueue(queue);
        var (model, hours) = await ForecastAsync(queue, days, ct);
        var handling = await HandlingAsync(queue, ct);
        var (aht, measured) = (handling.AhtSeconds, handling.AhtMeasured);
        var patience = handling.PatienceSeconds;
        var shrinkage = _settings.ShrinkagePercent;
        var maxOccupancy = _settings.MaxOccupancyPercent;
        var realTime = q.ChannelKind is Channel.Phone or Channel.Chat or Channel.Messenger;
        var rows = new List<StaffingHourDto>(hours.Count);
        string modelName;
        if (realTime)
        {
            modelName = patience is null ? StaffingCalculator.ErlangCModel : StaffingCalculator.ErlangAModel;
            foreach (var h in hours)
            {
                if (h.Closed || h.P50 <= 0)
                {
                    rows.Add(new StaffingHourDto(h.HourStart, h.Closed, Math.Round(h.P50, 2), 0, 0, null, null));
                    continue;
                }
                var r = StaffingCalculator.Calculate(new StaffingInput(h.P50, 3600, aht, q.SlThresholdSeconds, Math.Min(q.SlTargetPercent, 99.9),
                    PatienceSeconds: patience, ShrinkagePercent: shrinkage, MaxOccupancyPercent: maxOccupancy));
                rows.Add(new StaffingHourDto(h.HourStart, false, Math.Round(h.P50, 2), r.Agents, r.ScheduledAgents,
                    Math.Round(r.ServiceLevel, 4), Math.Round(r.Occupancy, 4)));
            }
        }
        else
        {
            modelName = "Workload";
            // A business-hours queue is worked only in business hours; what comes in outside them waits for the next open hour.
            var work = WorkloadModel.Hours([.. hours.Select(h => h.Closed ? 0 : Math.Max(0, h.P50))], aht, maxOccupancy / 100,
                worked: q.IsAlwaysOpen ? null : [.. hours.Select(h => _clock.IsBusinessHour(h.HourStart))]);
            for (var i = 0; i < hours.Count; i++)
            {
                var required = work[i].RequiredAgents;
                rows.Add(new StaffingHourDto(hours[i].HourStart, hours[i].Closed, Math.Round(hours[i].P50, 2), required,
                    StaffingCalculator.Scheduled(required, shrinkage), null, null));
            }
        }
        return new StaffingPlanDto(queue, q.Channel, modelName, Math.Round(aht, 1), measured, shrinkage, maxOccupancy, q.SlTargetPercent,
            q.SlThresholdSeconds, ModelInfo(model), rows, patience is { } p ? Math.Round(p, 1) : null, handling.PatienceMeasured);
    }

    /// <summary>
    /// From the last 4 weeks of intervals: the average handle time (the configured fallback when nothing was handled) and the
    /// customers' mean patience measured from abandonment (the configured one, or none, when too few abandoned to tell).
    /// </summary>
    public async Task<QueueHandling> HandlingAsync(string queue, CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        var intervals = await _intervals.ReadAsync(queue, now.AddDays(-28), now, ct);
        var sum = intervals.Aggregate(IntervalCounters.Zero, (acc, i) => acc + i.Counters);
        var (aht, ahtMeasured) = sum is { Handled: > 0, HandleMs: > 0 }
            ? (sum.HandleMs / 1000.0 / sum.Handled, true)
            : (_settings.DefaultAhtSeconds, false);
        var measuredPatience = sum.Abandoned >= _settings.MinAbandonsForPatience
            ? WhatIf.MeanPatienceSeconds((sum.AnswerWaitMs + sum.AbandonWaitMs) / 1000.0, sum.Abandoned)
            : null;
        return new QueueHandling(aht, ahtMeasured, measuredPatience ?? _settings.PatienceSeconds, measuredPatience is not null);
    }

    /// <summary>The handbook's 24/7 decision over the last <paramref name="weeks"/> complete weeks of every queue's history.</summary>
    public async Task<TwentyFourSevenDto> TwentyFourSevenAsync(int weeks = 6, CancellationToken ct = default)
    {
        if (weeks is < 1 or > 104) throw new ForecastInputException("weeks", $"must be 1 to 104, not {weeks}");
        var to = TodayStartUtc();
        var from = to.AddDays(-7 * weeks);
        var rows = new List<(string, bool, DateTimeOffset, long)>();
        foreach (var q in _options.Queues)
        {
            var series = await HistoryAsync(q.Id, from, to, ct);
            foreach (var p in series.Points)
            {
                rows.Add((q.Id, q.Critical, new DateTimeOffset(p.LocalHour, series.TimeZone.GetUtcOffset(p.LocalHour)), (long)Math.Round(p.Count)));
            }
        }
        var report = TwentyFourSevenDecision.Decide(rows, _options.Site);
        return new TwentyFourSevenDto(weeks, from, to, report.Queues, report.Overall);
    }

    public static ModelInfoDto ModelInfo(ForecastModel model)
    {
        var b = model.ChosenBacktest;
        return new ModelInfoDto(model.Trainer.ToString(), model.TrainedAtUtc, model.Meta.DataFirstDay, model.Meta.DataLastDay,
            HorizonName(model.Meta.Horizon), model.Meta.HoldoutDays,
            ScoresDto.From(model.Trainer.ToString(), b.Model),
            ScoresDto.From(nameof(ForecastTrainer.SeasonalNaive), b.SeasonalNaive),
            ScoresDto.From(nameof(ForecastTrainer.SameWeekdayMean4), b.SameWeekdayMean4));
    }

    public static string HorizonName(ForecastHorizon horizon) => horizon == ForecastHorizon.DayAhead ? "dayAhead" : "14days";

    public static bool TryParseHorizon(string? text, out ForecastHorizon horizon)
    {
        horizon = ForecastHorizon.DayAhead;
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "dayahead":
                return true;
            case "14days" or "fourteendaysahead":
                horizon = ForecastHorizon.FourteenDaysAhead;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Local days from the first to the last day with data, both included.</summary>
    public static int DaysOf(HourlySeries series) => series.IsEmpty ? 0 : series.LastDay.DayNumber - series.FirstDay.DayNumber + 1;

    private DateTimeOffset TodayStartUtc() => _clock.DayBounds(_clock.LocalDate(_time.GetUtcNow())).StartUtc;

    private QueueOptions RequireQueue(string? queue)
    {
        if (string.IsNullOrEmpty(queue)) throw new ForecastInputException("queue", "required");
        return _options.FindQueue(queue) ?? throw new ForecastInputException("queue", $"unknown queue '{queue}'");
    }

    internal static string Csv(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
