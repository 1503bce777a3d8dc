namespace FlowTrace.Contracts.Events;

/// <summary>One chunk of a chunked response body, once all its data arrived.</summary>
/// <param name="Number">Its place in the body, from 1.</param>
/// <param name="Size">Its decoded size in bytes.</param>
public sealed record BodyChunkDetails(int Number, long Size) : TraceEventDetails;
