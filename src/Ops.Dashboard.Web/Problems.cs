namespace Ops.Dashboard.Web;

/// <summary>The API's problem answers in one place: a bad field names itself, a refused command says why.</summary>
public static class Problems
{
    /// <summary>400 with <c>field: message</c>.</summary>
    public static IResult Invalid(string field, string message, string title = "Invalid request") =>
        Results.Problem(title: title, detail: $"{field}: {message}", statusCode: StatusCodes.Status400BadRequest);

    /// <summary>
    /// Runs an endpoint's work and answers a <see cref="CommandRejectedException"/> as 404 (unknown thing) or
    /// 400, or as <paramref name="refusal"/> decides for refusals of its own kind.
    /// </summary>
    public static async Task<IResult> RejectionsAsync(Func<Task<IResult>> action, Func<CommandRejectedException, (string Title, int Status)?>? refusal = null)
    {
        try
        {
            return await action();
        }
        catch (CommandRejectedException e)
        {
            var (title, status) = e.NotFound ? ("Not found", 404) : refusal?.Invoke(e) ?? ("Invalid request", 400);
            return Results.Problem(title: title, detail: e.Message, statusCode: status);
        }
    }
}
