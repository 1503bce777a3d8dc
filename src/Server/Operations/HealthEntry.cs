namespace FlowTrace.Server.Operations;

/// <summary>One health check's answer.</summary>
/// <param name="Name">The check: <c>storage</c> or <c>redis</c>.</param>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Description">What was checked, or why it failed.</param>
/// <param name="DurationMs">How long the check took.</param>
public sealed record HealthEntry(string Name, string Status, string? Description, double DurationMs);
