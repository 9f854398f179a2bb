using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Ops.Dashboard.Forecasting;

namespace Ops.Dashboard.Web;

/// <summary>The body of POST /api/v1/forecast/backtest.</summary>
public sealed record BacktestRequest(string? Queue, int? HoldoutDays, string? Horizon);

/// <summary>Forecasts, backtests, training, staffing and the 24/7 decision over HTTP, for planners (Management, Admin).</summary>
public static class ForecastEndpoints
{
    public const string ForecastPath = "/api/v1/forecast";
    public const string StaffingPlanPath = "/api/v1/staffing";
    public const string DecisionPath = "/api/v1/decision/24x7";
    public const string AccuracyPath = ForecastPath + "/accuracy";

    public static WebApplicationBuilder AddOpsForecast(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Forecast").Get<ForecastSettings>() ?? new ForecastSettings();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ForecastService>(sp,
            Path.Combine(Path.GetDirectoryName(OpsHostExtensions.StoragePath(builder.Configuration)) ?? ".", "models")));
        builder.Services.AddSingleton<IForecasts>(sp => sp.GetRequiredService<ForecastService>());
        builder.Services.AddSingleton<IForecastAccuracy>(sp => sp.GetRequiredService<ForecastService>());
        builder.Services.AddSingleton<ShiftPlanService>();
        builder.Services.AddOpsNightlyRetrain(settings);
        return builder;
    }

    public static IEndpointRouteBuilder MapOpsForecast(this IEndpointRouteBuilder app)
    {
        app.MapPost(ForecastPath + "/backtest", BacktestAsync).RequireAuthorization(Policies.Planning);
        app.MapPost(ForecastPath + "/train", ([FromQuery] string? queue, ForecastService service) =>
            Run(() => Task.FromResult(Results.Accepted($"{ForecastPath}/status?queue={Uri.EscapeDataString(queue ?? "")}", service.Train(queue!)))))
            .RequireAuthorization(Policies.Planning);
        app.MapGet(ForecastPath + "/status", ([FromQuery] string? queue, ForecastService service) =>
            Run(() => Task.FromResult(Results.Ok(service.Status(queue!))))).RequireAuthorization(Policies.Planning);
        app.MapGet(ForecastPath, ForecastAsync).RequireAuthorization(Policies.Planning);
        app.MapGet(AccuracyPath, AccuracyAsync).RequireAuthorization(Policies.Planning);
        app.MapGet(StaffingPlanPath, StaffingAsync).RequireAuthorization(Policies.Planning);
        app.MapGet(DecisionPath, ([FromQuery] string? weeks, ForecastService service, CancellationToken ct) =>
            Run(async () => Results.Ok(await service.TwentyFourSevenAsync(Int("weeks", weeks) ?? 6, ct)))).RequireAuthorization(Policies.Planning);
        return app;
    }

    private static Task<IResult> BacktestAsync(BacktestRequest? body, ForecastService service, CancellationToken ct) => Run(async () =>
    {
        if (body is null) throw new ForecastInputException("body", "a JSON object {queue, holdoutDays, horizon} is required");
        if (!ForecastService.TryParseHorizon(body.Horizon, out var horizon))
            throw new ForecastInputException("horizon", $"'{body.Horizon}' is not dayAhead or 14days");
        if (body.HoldoutDays is null) throw new ForecastInputException("holdoutDays", "required");
        return Results.Ok(await service.BacktestAsync(body.Queue!, body.HoldoutDays.Value, horizon, ct));
    });

    private static Task<IResult> ForecastAsync([FromQuery] string? queue, [FromQuery] string? days, [FromQuery] string? format,
        ForecastService service, CancellationToken ct) => Run(async () =>
    {
        var csv = IsCsv(format);
        var forecast = await service.ForecastDtoAsync(queue!, Int("days", days), ct);
        if (!csv) return Results.Ok(forecast);
        var text = new StringBuilder("start,p10,p50,p90,closed\r\n");
        foreach (var h in forecast.Hours)
            text.Append(CultureInfo.InvariantCulture, $"{Time(h.Start)},{ForecastService.Csv(h.P10)},{ForecastService.Csv(h.P50)},{ForecastService.Csv(h.P90)},{(h.Closed ? "true" : "false")}\r\n");
        return CsvFile(text, $"forecast-{queue}.csv");
    });

    /// <summary>
    /// GET /api/v1/forecast/accuracy?queue=Q[&amp;format=csv]: the model's out-of-sample forecast vs actual (<see cref="AccuracyDto"/>).
    /// The CSV has one row per hour, columns <c>start,actual,p10,p50,p90,closed</c>: start with the site's offset, actual
    /// empty when the hour had no data (closed, not scored), closed true when the model forecast it closed.
    /// </summary>
    private static Task<IResult> AccuracyAsync([FromQuery] string? queue, [FromQuery] string? format, ForecastService service, Ops.Dashboard.Domain.OpsOptions options,
        CancellationToken ct) => Run(async () =>
    {
        var csv = IsCsv(format);
        var accuracy = await service.AccuracyAsync(queue!, ct);
        if (!csv) return Results.Ok(accuracy);
        var text = new StringBuilder("start,actual,p10,p50,p90,closed\r\n");
        foreach (var h in accuracy.Hours)
            text.Append(CultureInfo.InvariantCulture, $"{Time(TimeZoneInfo.ConvertTime(h.Start, options.Site.TimeZone))},{(h.Actual is { } a ? ForecastService.Csv(a) : "")},{ForecastService.Csv(h.P10)},{ForecastService.Csv(h.P50)},{ForecastService.Csv(h.P90)},{(h.Closed ? "true" : "false")}\r\n");
        return CsvFile(text, $"accuracy-{queue}.csv");
    });

    private static Task<IResult> StaffingAsync([FromQuery] string? queue, [FromQuery] string? days, [FromQuery] string? format,
        ForecastService service, CancellationToken ct) => Run(async () =>
    {
        var csv = IsCsv(format);
        var plan = await service.StaffingAsync(queue!, Int("days", days), ct);
        if (!csv) return Results.Ok(plan);
        var text = new StringBuilder("start,closed,forecast,requiredAgents,scheduledAgents\r\n");
        foreach (var h in plan.Hours)
            text.Append(CultureInfo.InvariantCulture, $"{Time(h.Start)},{(h.Closed ? "true" : "false")},{ForecastService.Csv(h.Forecast)},{h.RequiredAgents},{h.ScheduledAgents}\r\n");
        return CsvFile(text, $"staffing-{queue}.csv");
    });

    private static async Task<IResult> Run(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (ForecastInputException e)
        {
            return Invalid(e.Field, e.Message);
        }
        catch (Ops.Dashboard.Domain.StaffingInputException e)
        {
            return Invalid(e.Field, e.Message);
        }
    }

    private static bool IsCsv(string? format) => format?.Trim().ToLowerInvariant() switch
    {
        null or "" or "json" => false,
        "csv" => true,
        _ => throw new ForecastInputException("format", $"'{format}' is not json or csv"),
    };

    private static int? Int(string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ForecastInputException(field, $"'{text}' is not a whole number");
    }

    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static IResult CsvFile(StringBuilder text, string name) =>
        Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", name);

    private static IResult Invalid(string field, string message) =>
        Results.Problem(title: "Invalid request", detail: message, statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["field"] = field });
}
