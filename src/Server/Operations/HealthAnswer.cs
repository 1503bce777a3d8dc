namespace FlowTrace.Server.Operations;

/// <summary>What <c>/healthz</c> answers: the overall status and each check's.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy: the worst of the checks.</param>
/// <param name="Checks">Each check: the trace store, and Redis when configured.</param>
public sealed record HealthAnswer(string Status, IReadOnlyList<HealthEntry> Checks);
