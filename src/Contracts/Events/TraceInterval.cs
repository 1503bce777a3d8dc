namespace FlowTrace.Contracts.Events;

/// <summary>A named interval of a trace that belongs to no step, such as a pause in step mode.</summary>
/// <param name="Hop">Redirect hop.</param>
/// <param name="Name"><c>paused</c> (step mode: waiting for "Next step"), <c>redirect</c> (between two hops) or
/// <c>finishing</c> (after the last step); see <see cref="TraceIntervalNames"/>.</param>
/// <param name="Start">Offset from the trace start.</param>
/// <param name="Duration">How long it lasted.</param>
public sealed record TraceInterval(int Hop, string Name, TimeSpan Start, TimeSpan Duration);
