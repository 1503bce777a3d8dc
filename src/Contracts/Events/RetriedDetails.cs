namespace FlowTrace.Contracts.Events;

/// <summary>The server refused the request's HTTP/2 stream without processing it (a GOAWAY naming an earlier stream as
/// its last, or RST_STREAM REFUSED_STREAM), so the trace sends the same request once more on a new connection to the
/// same address, as browsers do (RFC 9113 §8.7): the next hop has no DNS lookup, a TCP and TLS handshake of its own.</summary>
/// <param name="Url">The URL sent again.</param>
/// <param name="Address">The address connected to again.</param>
/// <param name="Reason">What the server said when it refused the stream.</param>
public sealed record RetriedDetails(string Url, string Address, string Reason) : TraceEventDetails;
