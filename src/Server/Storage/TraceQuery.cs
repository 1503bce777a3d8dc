using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Storage;

namespace FlowTrace.Server.Storage;

/// <summary>What the history asks for: filters (all optional) and a page.</summary>
/// <param name="ClientId">Only this browser's traces (public mode), or everyone's when null.</param>
/// <param name="Host">Only traces of this host.</param>
/// <param name="Status">Only traces whose final HTTP status is this.</param>
/// <param name="FailingStep">Only traces that failed in this step.</param>
/// <param name="Outcome">Only traces that ended this way.</param>
/// <param name="Page">The page, from 1.</param>
/// <param name="PageSize">Traces per page.</param>
public sealed record TraceQuery(
    string? ClientId = null,
    string? Host = null,
    int? Status = null,
    TraceStep? FailingStep = null,
    StoredTraceOutcome? Outcome = null,
    int Page = 1,
    int PageSize = 50);
