using Ops.Dashboard.Contracts;
using Ops.Dashboard.Storage;

namespace Ops.Dashboard.Web;

/// <summary>Acknowledging alarms, from the API and from the console alike, with the audit entry.</summary>
public interface IAlarmCommands
{
    /// <summary>The acknowledged alarm (already acknowledged: unchanged); null for an unknown or cleared one.</summary>
    Task<AlarmView?> AcknowledgeAsync(string id, Actor actor);
}

public sealed class AlarmCommandService(IGrainFactory grains, AuditLog audit, TimeProvider time) : IAlarmCommands
{
    public async Task<AlarmView?> AcknowledgeAsync(string id, Actor actor)
    {
        var before = await grains.GetGrain<IAlarmGrain>(0).GetAsync(id);
        if (before is not { Active: true }) return null;
        var alarm = await grains.GetGrain<IAlarmGrain>(0).AcknowledgeAsync(id, actor.Name);
        if (alarm is not null && before.AcknowledgedAt is null)
            await audit.AppendAsync(time.GetUtcNow(), actor.Name, AuditActions.AlarmAcknowledge, id, alarm.Message, actor.Address);
        return alarm;
    }
}
