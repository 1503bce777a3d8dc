namespace FlowTrace.Contracts.Requests;

/// <summary>What a FlowTrace server allows, for the page to show.</summary>
/// <param name="Mode">open, local or public.</param>
/// <param name="AllowedPorts">Ports traces may connect to, e.g. <c>80, 443, 8000-8999</c>.</param>
/// <param name="LabEnabled">Whether the demo lab runs.</param>
public sealed record ServerInfo(string Mode, string AllowedPorts, bool LabEnabled);
