using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web.Components.Wallboard;

/// <summary>An alarm as a board shows it: critical in red, warnings and notices in amber.</summary>
public sealed record WallboardAlarm(string Id, string Text, TileStatus Severity, DateTimeOffset RaisedAt, bool Acknowledged)
{
    public static WallboardAlarm From(Contracts.AlarmView a) => new(
        a.Id, a.Escalated ? $"{a.Message} — escalated" : a.Message,
        a.Severity == "critical" ? TileStatus.Red : TileStatus.Amber, a.RaisedAt, a.AcknowledgedAt is not null);
}
