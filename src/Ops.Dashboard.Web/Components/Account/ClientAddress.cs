namespace Ops.Dashboard.Web;

/// <summary>The browser's address as the host saw it when serving the page; cascaded to every component.</summary>
public sealed record ClientAddress(string? Address);
