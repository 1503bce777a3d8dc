using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Sni;

namespace FlowTrace.Contracts.Storage;

/// <summary>A stored trace as <c>GET /api/traces/{id}</c> returns it: what the history lists, the request as it was
/// asked, and its events (a trace) or updates (an SNI comparison).</summary>
/// <param name="Info">The listing's columns.</param>
/// <param name="Request">The trace request as the client sent it (null for an SNI comparison).</param>
/// <param name="SniRequest">The SNI comparison request (null for a trace).</param>
/// <param name="Events">The trace's events in order (empty for an SNI comparison).</param>
/// <param name="SniUpdates">The SNI comparison's updates in order (empty for a trace).</param>
public sealed record StoredTrace(
    StoredTraceInfo Info,
    TraceRequestMessage? Request,
    SniComparisonMessage? SniRequest,
    IReadOnlyList<TraceEvent> Events,
    IReadOnlyList<SniComparisonUpdate> SniUpdates);
