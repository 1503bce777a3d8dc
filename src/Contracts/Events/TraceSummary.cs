namespace FlowTrace.Contracts.Events;

/// <summary>The last event of every trace: each step's own duration and where it began.</summary>
/// <param name="Succeeded">True when the trace reached an answer (whatever the HTTP status): every step completed, but
/// for a refused HTTP/2 stream the trace sent again on a new connection.</param>
/// <param name="Steps">Each step of each hop, in order; durations are the step's own, not cumulative.</param>
/// <param name="Total">From the start of the trace to its end.</param>
/// <param name="FinalUrl">The URL of the last hop.</param>
/// <param name="FinalStatusCode">The status code of the last response, if one arrived.</param>
/// <param name="Failure">The failure that ended the trace, if any.</param>
/// <param name="Intervals">Named intervals between steps (step-mode pauses, redirects).</param>
/// <param name="Unaccounted">The part of <paramref name="Total"/> that lies in no step and no named interval.</param>
public sealed record TraceSummary(
    bool Succeeded,
    IReadOnlyList<StepTiming> Steps,
    TimeSpan Total,
    string FinalUrl,
    int? FinalStatusCode,
    StepFailureDetails? Failure,
    IReadOnlyList<TraceInterval> Intervals,
    TimeSpan Unaccounted) : TraceEventDetails;

/// <summary>One step's timing.</summary>
/// <param name="Hop">Redirect hop.</param>
/// <param name="Step">The step.</param>
/// <param name="Start">Offset from the trace start at which the step began.</param>
/// <param name="Duration">The step's own duration.</param>
/// <param name="Split">The duration split into network and client time, the client time by what it was spent on.</param>
/// <param name="Succeeded">False when the step failed.</param>
public sealed record StepTiming(int Hop, TraceStep Step, TimeSpan Start, TimeSpan Duration, StepTimeSplit Split, bool Succeeded);
