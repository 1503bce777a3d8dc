using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Storage;

/// <summary><c>POST /api/traces</c>'s answer: the trace's events and where it is kept (also in the Location header).</summary>
/// <param name="Id">The stored trace's id, or null when storing it failed (<paramref name="StorageError"/> says why);
/// the trace itself is complete either way.</param>
/// <param name="Permalink">The page that shows it (<c>/t/{id}</c>), or null when it was not stored.</param>
/// <param name="Events">The trace's events in order.</param>
/// <param name="StorageError">Why the trace was not stored, if it was not.</param>
public sealed record TraceStoredResult(string? Id, string? Permalink, IReadOnlyList<TraceEvent> Events, string? StorageError);
