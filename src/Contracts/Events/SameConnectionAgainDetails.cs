namespace FlowTrace.Contracts.Events;

/// <summary>The trace sends the same request again on the connection the first one kept alive: the next hop is that
/// second request, with no DNS lookup, no TCP connection and no TLS handshake of its own.</summary>
/// <param name="Url">The URL asked for again.</param>
public sealed record SameConnectionAgainDetails(string Url) : TraceEventDetails;
