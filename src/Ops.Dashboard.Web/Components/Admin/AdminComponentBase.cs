using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web.Components.Admin;

/// <summary>
/// What the administrators' screens share: who is acting (the signed-in user and the address the host saw, as the
/// audit log records them) and running a change so that a refusal becomes a message instead of a broken circuit.
/// </summary>
public abstract class AdminComponentBase : ComponentBase
{
    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    [CascadingParameter] private ClientAddress? ClientAddress { get; set; }

    [Inject] protected SiteClock Clock { get; set; } = default!;

    protected async Task<Actor> ActorAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        return new Actor(user?.Identity?.Name is { Length: > 0 } name ? name : "anonymous", ClientAddress?.Address);
    }

    /// <summary>Runs a change as the current actor; the refusal's message (for the user), or null when it went through.</summary>
    protected async Task<string?> RunAsync(Func<Actor, Task> change)
    {
        try
        {
            await change(await ActorAsync());
            return null;
        }
        catch (CommandRejectedException e)
        {
            return e.Message;
        }
    }

    /// <summary>A stored instant in the site's time zone, as people on site read their clocks.</summary>
    protected string Local(DateTimeOffset? at) =>
        at is { } t ? Clock.ToLocal(t).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "—";
}
