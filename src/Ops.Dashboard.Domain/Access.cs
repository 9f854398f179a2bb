namespace Ops.Dashboard.Domain;

/// <summary>
/// The roles of the support handbook, lowest first. Policies name the roles they admit; the order
/// only serves "this role and above" for the supervisory chain (TeamLead → ShiftManager → Management → Admin).
/// </summary>
public enum Role
{
    Agent,
    SeniorAgent,
    TrainerQA,
    TeamLead,
    ShiftManager,
    Management,
    Admin,
}

public static class Roles
{
    public static readonly IReadOnlyList<Role> All = Enum.GetValues<Role>();

    /// <summary>Parses a role name case-insensitively ("shiftmanager", "ShiftManager").</summary>
    public static bool TryParse(string? text, out Role role) =>
        Enum.TryParse(text?.Trim(), ignoreCase: true, out role) && Enum.IsDefined(role) && !int.TryParse(text, out _);

    public static string Names => string.Join(", ", All);
}
