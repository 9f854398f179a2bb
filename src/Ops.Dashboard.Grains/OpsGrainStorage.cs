namespace Ops.Dashboard.Grains;

/// <summary>The name of the grain storage provider every persistent grain uses.</summary>
public static class OpsGrainStorage
{
    public const string Name = "ops";
}
