using System.Globalization;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

/// <summary>
/// Reads a staffing calculation's inputs from text (query string or form), so that the API and the /staffing page
/// accept and refuse exactly the same things, naming the parameter.
/// </summary>
public static class StaffingRequest
{
    /// <summary>The parameters in the order of the form; the first four are required.</summary>
    public static readonly string[] Parameters =
        ["contacts", "intervalSeconds", "ahtSeconds", "targetSeconds", "agents", "patienceSeconds", "slTargetPercent", "shrinkagePercent", "maxOccupancyPercent"];

    /// <summary>Builds the input from <paramref name="value"/> (by parameter name) and checks it; throws <see cref="StaffingInputException"/>.</summary>
    public static StaffingInput Parse(Func<string, string?> value)
    {
        var input = new StaffingInput(
            Required(value, "contacts"),
            Required(value, "intervalSeconds"),
            Required(value, "ahtSeconds"),
            Required(value, "targetSeconds"),
            Optional(value, "slTargetPercent") ?? 80,
            OptionalInt(value, "agents"),
            Optional(value, "patienceSeconds"),
            Optional(value, "shrinkagePercent") ?? 0,
            Optional(value, "maxOccupancyPercent") ?? 100);
        StaffingCalculator.Validate(input);
        return input;
    }

    private static double Required(Func<string, string?> value, string name) =>
        Optional(value, name) ?? throw new StaffingInputException(name, "required");

    private static double? Optional(Func<string, string?> value, string name)
    {
        var text = value(name);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d
            : throw new StaffingInputException(name, $"'{text}' is not a number");
    }

    private static int? OptionalInt(Func<string, string?> value, string name)
    {
        var text = value(name);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new StaffingInputException(name, $"'{text}' is not a whole number");
    }
}

/// <summary>The staffing calculator over HTTP for planners (Management, Admin).</summary>
public static class StaffingEndpoints
{
    public const string ErlangPath = "/api/v1/erlang";

    public static IEndpointRouteBuilder MapOpsStaffing(this IEndpointRouteBuilder app)
    {
        app.MapGet(ErlangPath, Erlang).RequireAuthorization(Policies.Planning);
        return app;
    }

    /// <summary>
    /// GET /api/v1/erlang?contacts=&amp;intervalSeconds=&amp;ahtSeconds=&amp;targetSeconds=[&amp;agents=][&amp;patienceSeconds=]
    /// [&amp;slTargetPercent=80][&amp;shrinkagePercent=0][&amp;maxOccupancyPercent=100]: one interval's figures.
    /// </summary>
    private static IResult Erlang(HttpRequest request)
    {
        try
        {
            // Read as text, not bound as numbers: a bad number must be a problem naming the parameter, not a bare 400.
            var input = StaffingRequest.Parse(name => request.Query[name].ToString());
            return Results.Ok(StaffingCalculator.Calculate(input));
        }
        catch (StaffingInputException e)
        {
            return Results.Problem(title: "Invalid request", detail: e.Message, statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["field"] = e.Field });
        }
    }
}
