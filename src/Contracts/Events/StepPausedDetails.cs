namespace FlowTrace.Contracts.Events;

/// <summary>Step mode: the trace waits after <paramref name="AfterStep"/> until the user asks for the next step.</summary>
/// <param name="AfterStep">The step that just finished.</param>
/// <param name="NextStep">The step that runs when the user continues.</param>
public sealed record StepPausedDetails(TraceStep AfterStep, TraceStep NextStep) : TraceEventDetails;
