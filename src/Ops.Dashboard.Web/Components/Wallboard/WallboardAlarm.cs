using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web.Components.Wallboard;

/// <summary>An alarm as a board shows it (raised by the alarm rules of a later issue).</summary>
public sealed record WallboardAlarm(string Id, string Text, TileStatus Severity, DateTimeOffset RaisedAt, bool Acknowledged);
