namespace Ops.Dashboard.Web;

/// <summary>The authorisation policies, by what they protect. Registered in <see cref="AccessExtensions"/>.</summary>
public static class Policies
{
    /// <summary>Any signed-in person (not a kiosk, not a source).</summary>
    public const string SignedIn = "signed-in";
    /// <summary>Wallboards: TeamLead and above, or a kiosk token bound to that board.</summary>
    public const string Wallboard = "wallboard";
    /// <summary>The read API and the hub: API keys (sources, tools) and TeamLead and above.</summary>
    public const string Read = "read";
    /// <summary>The hub: what <see cref="Read"/> admits, and kiosk tokens (their own board only).</summary>
    public const string Live = "live";
    /// <summary>Ingestion: API keys only.</summary>
    public const string Ingest = "ingest";
    /// <summary>Acknowledging alarms, running incidents: TeamLead and above (signed in).</summary>
    public const string Acknowledge = "acknowledge";
    /// <summary>Console, reallocation, agent state: ShiftManager and above.</summary>
    public const string Console = "console";
    /// <summary>Forecast and staffing: Management and Admin.</summary>
    public const string Planning = "planning";
    /// <summary>Users, keys, kiosk tokens, the audit log, /orleans: Admin.</summary>
    public const string Admin = "admin";
}
