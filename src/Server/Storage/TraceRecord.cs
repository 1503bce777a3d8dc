using FlowTrace.Contracts.Storage;

namespace FlowTrace.Server.Storage;

/// <summary>A stored trace as the database holds it: the listing's columns, the request as JSON and the events as
/// NDJSON (one event per line, exactly what <c>flowtrace --json</c> prints).</summary>
/// <param name="Info">The listing's columns.</param>
/// <param name="ClientId">The browser that made it (its opaque client id cookie), if known; the history of a public
/// server lists a browser's own traces only.</param>
/// <param name="RequestJson">The request as the client sent it.</param>
/// <param name="EventsNdjson">The events (or SNI updates), one JSON document per line.</param>
public sealed record TraceRecord(StoredTraceInfo Info, string? ClientId, string RequestJson, string EventsNdjson);
