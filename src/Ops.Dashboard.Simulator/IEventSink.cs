using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Simulator;

/// <summary>Where generated events go: in-process ingestion (web host) or a remote dashboard (<see cref="HttpEventSink"/>).</summary>
public interface IEventSink
{
    /// <summary>Delivers a batch in order; returns once it is accepted, throws when it cannot be.</summary>
    Task SendAsync(IReadOnlyList<OpsEvent> events, CancellationToken ct);
}

/// <summary>A batch the sink could not deliver; <see cref="Problem"/> is the server's explanation when it gave one.</summary>
public sealed class EventSinkException(string message, int? statusCode = null, string? problem = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int? StatusCode { get; } = statusCode;

    public string? Problem { get; } = problem;
}
