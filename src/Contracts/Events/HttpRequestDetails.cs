namespace FlowTrace.Contracts.Events;

/// <summary>The request exactly as written to the connection.</summary>
/// <param name="RequestLine">e.g. <c>GET /path HTTP/1.1</c>.</param>
/// <param name="Headers">Header lines in the order sent.</param>
/// <param name="Bytes">Bytes written (head only; requests carry no body).</param>
/// <param name="WriteTime">Time taken to hand the bytes to the connection (TLS encryption included).</param>
public sealed record HttpRequestDetails(string RequestLine, IReadOnlyList<HttpHeader> Headers, int Bytes, TimeSpan WriteTime) : TraceEventDetails;
