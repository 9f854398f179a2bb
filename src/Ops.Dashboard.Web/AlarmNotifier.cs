using Ops.Dashboard.Contracts;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

/// <summary>
/// Alarm notifications as webhooks: every change to the targets config/alarms.json names in
/// <c>notifyTargets</c>, escalations also to its <c>escalationTargets</c>. Queued, never blocking the alarm grain.
/// </summary>
public sealed class AlarmNotifier(WebhookSender webhooks, OpsOptions options) : IAlarmNotifier
{
    public const string WebhookKind = "alarm";

    public void Notify(AlarmUpdate change)
    {
        var payload = new AlarmNotification(change.Change, change.At, AlarmDto.From(change.Alarm));
        var names = change.Change == AlarmChanges.Escalated
            ? options.Alarms.NotifyTargets.Union(options.Alarms.EscalationTargets, StringComparer.Ordinal)
            : options.Alarms.NotifyTargets;
        var targets = names.Select(options.Webhooks.FindTarget).OfType<WebhookTargetOptions>().ToList();
        if (targets.Count > 0) webhooks.Enqueue(WebhookKind, targets, payload);
    }
}

/// <summary>The body of an alarm webhook.</summary>
public sealed record AlarmNotification(string Change, DateTimeOffset At, AlarmDto Alarm);
