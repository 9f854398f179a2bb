namespace Ops.Dashboard.Web.Components.Console;

/// <summary>The agent board's sortable columns.</summary>
public enum AgentSort
{
    Name,
    Team,
    State,
    TimeInState,
    HandledToday,
}
