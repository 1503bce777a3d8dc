namespace FlowTrace.Contracts.Events;

/// <summary>The trace sends the same request again on a new connection to the address the first one used, offering the
/// first connection's TLS session: the next hop has no DNS lookup, a TCP handshake of its own and, when the server takes
/// the session, an abbreviated TLS handshake.</summary>
/// <param name="Url">The URL asked for again.</param>
/// <param name="Address">The address connected to again (the first connection's).</param>
/// <param name="Offered">How the session is offered ("session ticket" or "session ID"), or null when the first
/// connection left nothing to offer.</param>
/// <param name="Reason">Why nothing is offered, when <paramref name="Offered"/> is null.</param>
public sealed record ResumedAgainDetails(string Url, string Address, string? Offered, string? Reason) : TraceEventDetails;
