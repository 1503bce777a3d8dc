namespace FlowTrace.Contracts.Events;

/// <summary>The request exactly as written to the connection.</summary>
/// <param name="RequestLine">e.g. <c>GET /path HTTP/1.1</c>.</param>
/// <param name="Headers">Header lines in the order sent.</param>
/// <param name="Bytes">Bytes written (head only; requests carry no body).</param>
/// <param name="WriteTime">Time taken to hand the bytes to the connection (TLS encryption included).</param>
/// <param name="Wire">HTTP/2: the bytes the request went out in (on a new connection the preface, SETTINGS and a PING
/// first), before TLS; null for HTTP/1.1, whose head is exactly its request line and headers.</param>
/// <param name="WireFields">HTTP/2: <paramref name="Wire"/> field by field, explained.</param>
public sealed record HttpRequestDetails(string RequestLine, IReadOnlyList<HttpHeader> Headers, int Bytes, TimeSpan WriteTime,
    byte[]? Wire = null, IReadOnlyList<ByteField>? WireFields = null) : TraceEventDetails;
