using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;

namespace Ops.Dashboard.Forecasting;

/// <summary>A fitted point forecaster: features in, expected count out (closed hours are handled by the caller).</summary>
internal interface IPointModel
{
    ForecastTrainer Trainer { get; }

    double[] Predict(IReadOnlyList<HourFeatures> rows);

    /// <summary>Writes model.zip (an ML.NET model, or an empty archive for the baselines).</summary>
    void Save(string path);
}

internal sealed class BaselineModel(ForecastTrainer trainer) : IPointModel
{
    public ForecastTrainer Trainer { get; } = trainer;

    public double[] Predict(IReadOnlyList<HourFeatures> rows) =>
        rows.Select(f => Trainer == ForecastTrainer.SeasonalNaive
            ? (double.IsNaN(f.SameHourLastWeek) ? 0 : f.SameHourLastWeek)
            : (double.IsNaN(f.SameHourMean4) ? 0 : f.SameHourMean4)).ToArray();

    public void Save(string path)
    {
        using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create);
        using var w = new StreamWriter(zip.CreateEntry("baseline.txt").Open());
        w.Write(Trainer.ToString());
    }
}

internal sealed class PoissonRow
{
    public const int Size = 168 + 9;

    public float Label { get; set; }

    [VectorType(Size)]
    public float[] Features { get; set; } = new float[Size];

    public static PoissonRow From(HourFeatures f, double label = 0)
    {
        var x = new float[Size];
        x[f.HourOfWeek] = 1;
        var i = 168;
        x[i++] = f.IsHoliday ? 1 : 0;
        x[i++] = f.IsDayBeforeHoliday ? 1 : 0;
        x[i++] = f.IsDayAfterHoliday ? 1 : 0;
        x[i++] = f.LastWeekWasHoliday ? 1 : 0;
        x[i++] = (float)Math.Log(1 + f.LastWeekOrFallback);
        x[i++] = (float)Math.Log(1 + f.Mean4OrFallback);
        x[i++] = (float)Math.Log(1 + f.LevelOrFallback);
        x[i++] = f.LeadDays / 14f;
        x[i++] = f.SameHourPresent4 / 4f;
        return new PoissonRow { Label = (float)label, Features = x };
    }
}

internal sealed class TreeRow
{
    public const int Size = 11;

    public float Label { get; set; }

    [VectorType(Size)]
    public float[] Features { get; set; } = new float[Size];

    public static TreeRow From(HourFeatures f, double label = 0)
    {
        var level = f.LevelOrFallback;
        var x = new float[]
        {
            f.HourOfDay, f.Weekday, f.HourOfWeek,
            f.IsHoliday ? 1 : 0, f.IsDayBeforeHoliday ? 1 : 0, f.IsDayAfterHoliday ? 1 : 0, f.LastWeekWasHoliday ? 1 : 0,
            (float)(level > 0 ? f.LastWeekOrFallback / level : 0),
            (float)(level > 0 ? f.Mean4OrFallback / level : 0),
            f.LeadDays, f.SameHourPresent4,
        };
        return new TreeRow { Label = (float)(level > 0 ? label / level : 0), Features = x };
    }
}

internal sealed class ScoreRow
{
    public float Score { get; set; }
}

/// <summary>An ML.NET model over <see cref="PoissonRow"/> or <see cref="TreeRow"/> features.</summary>
internal sealed class MlModel : IPointModel
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly DataViewSchema _schema;

    private MlModel(ForecastTrainer trainer, MLContext ml, ITransformer model, DataViewSchema schema)
    {
        Trainer = trainer;
        _ml = ml;
        _model = model;
        _schema = schema;
    }

    public ForecastTrainer Trainer { get; }

    public static MlModel Fit(ForecastTrainer trainer, IReadOnlyList<(HourFeatures Features, double Actual)> rows, int seed)
    {
        var ml = new MLContext(seed);
        IDataView data;
        IEstimator<ITransformer> pipeline;
        if (trainer == ForecastTrainer.PoissonRegression)
        {
            data = ml.Data.LoadFromEnumerable(rows.Select(r => PoissonRow.From(r.Features, r.Actual)).ToList());
            pipeline = ml.Regression.Trainers.LbfgsPoissonRegression(new LbfgsPoissonRegressionTrainer.Options
            {
                L1Regularization = 0f,
                L2Regularization = 0.01f,
                OptimizationTolerance = 1e-7f,
                MaximumNumberOfIterations = 500,
            });
        }
        else if (trainer == ForecastTrainer.FastTreeRatio)
        {
            // rows whose level is 0 have no defined ratio; they are left out
            data = ml.Data.LoadFromEnumerable(rows.Where(r => r.Features.LevelOrFallback > 0).Select(r => TreeRow.From(r.Features, r.Actual)).ToList());
            pipeline = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
            {
                NumberOfTrees = 150,
                NumberOfLeaves = 24,
                MinimumExampleCountPerLeaf = 10,
                LearningRate = 0.1,
                NumberOfThreads = 1,
            });
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "Not an ML.NET trainer.");
        }
        var model = pipeline.Fit(data);
        return new MlModel(trainer, ml, model, data.Schema);
    }

    public static MlModel Load(ForecastTrainer trainer, string path, int seed)
    {
        var ml = new MLContext(seed);
        var model = ml.Model.Load(path, out var schema);
        return new MlModel(trainer, ml, model, schema);
    }

    public double[] Predict(IReadOnlyList<HourFeatures> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }
        var data = Trainer == ForecastTrainer.PoissonRegression
            ? _ml.Data.LoadFromEnumerable(rows.Select(f => PoissonRow.From(f)).ToList())
            : _ml.Data.LoadFromEnumerable(rows.Select(f => TreeRow.From(f)).ToList());
        var scores = _ml.Data.CreateEnumerable<ScoreRow>(_model.Transform(data), reuseRowObject: false).Select(s => (double)s.Score).ToArray();
        var result = new double[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var s = double.IsFinite(scores[i]) ? scores[i] : 0;
            result[i] = Math.Max(0, Trainer == ForecastTrainer.FastTreeRatio ? s * rows[i].LevelOrFallback : s);
        }
        return result;
    }

    public void Save(string path) => _ml.Model.Save(_model, _schema, path);
}

internal static class PointModels
{
    /// <summary>Fits a trainer on training rows (present hours only); baselines need no fitting.</summary>
    public static IPointModel Fit(ForecastTrainer trainer, IReadOnlyList<(HourFeatures Features, double Actual)> rows, int seed) =>
        trainer is ForecastTrainer.SeasonalNaive or ForecastTrainer.SameWeekdayMean4
            ? new BaselineModel(trainer)
            : MlModel.Fit(trainer, rows, seed);

    public static IPointModel Load(ForecastTrainer trainer, string path, int seed) =>
        trainer is ForecastTrainer.SeasonalNaive or ForecastTrainer.SameWeekdayMean4
            ? new BaselineModel(trainer)
            : MlModel.Load(trainer, path, seed);
}
