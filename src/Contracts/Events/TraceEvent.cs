namespace FlowTrace.Contracts.Events;

/// <summary>
/// One immutable event of a trace. Every view of a trace (command line, web page, JSON API)
/// is built from a sequence of these and nothing else.
/// </summary>
/// <param name="Sequence">Position in the trace, starting at 0; events are delivered in this order.</param>
/// <param name="Hop">Which request of a redirect chain this event belongs to, starting at 0.</param>
/// <param name="Step">The step the event belongs to.</param>
/// <param name="Kind">Started, detail, completed or failed.</param>
/// <param name="Offset">Time since the trace started, from the trace's one monotonic clock.</param>
/// <param name="Message">A one-line human-readable summary of the event.</param>
/// <param name="Details">Typed details; null when the message says everything.</param>
/// <param name="Duration">On Completed and Failed events: the step's own duration (from its Started event).</param>
/// <param name="Split">On Completed and Failed events: the duration split into network and client time.</param>
public sealed record TraceEvent(
    int Sequence,
    int Hop,
    TraceStep Step,
    TraceEventKind Kind,
    TimeSpan Offset,
    string Message,
    TraceEventDetails? Details,
    TimeSpan? Duration = null,
    StepTimeSplit? Split = null);
