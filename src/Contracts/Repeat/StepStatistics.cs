using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Repeat;

/// <summary>One step over repeated runs.</summary>
/// <param name="Hop">Redirect hop.</param>
/// <param name="Step">The step.</param>
/// <param name="Runs">In how many runs the step happened.</param>
/// <param name="Duration">The step's duration.</param>
/// <param name="Network">Its network and server time.</param>
/// <param name="Client">Its client time.</param>
public sealed record StepStatistics(int Hop, TraceStep Step, int Runs, DurationStatistics Duration, DurationStatistics Network, DurationStatistics Client);
