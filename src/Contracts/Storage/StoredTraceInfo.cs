using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Storage;

/// <summary>What the history lists of a stored trace, without its events.</summary>
/// <param name="Id">The unguessable id: 128 random bits, URL-safe base64 (22 characters).</param>
/// <param name="CreatedAt">When the trace ended and was stored.</param>
/// <param name="Kind">A trace or an SNI comparison.</param>
/// <param name="Url">The URL traced (for an SNI comparison, its target as <c>https://host:port/</c>).</param>
/// <param name="Host">The URL's host, for filtering.</param>
/// <param name="Outcome">Completed, failed or cancelled.</param>
/// <param name="FinalStatus">The last hop's HTTP status, if a response arrived.</param>
/// <param name="FailingStep">The step that failed, if one did.</param>
/// <param name="Total">The whole trace's time, if it ended with a summary.</param>
/// <param name="EventCount">How many events (or SNI updates) it holds.</param>
public sealed record StoredTraceInfo(
    string Id,
    DateTimeOffset CreatedAt,
    StoredTraceKind Kind,
    string Url,
    string Host,
    StoredTraceOutcome Outcome,
    int? FinalStatus,
    TraceStep? FailingStep,
    TimeSpan? Total,
    int EventCount);
