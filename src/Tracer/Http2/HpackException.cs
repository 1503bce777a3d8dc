namespace FlowTrace.Tracer.Http2;

/// <summary>A header block HPACK cannot decode (RFC 7541 calls it a decoding error; HTTP/2 makes it COMPRESSION_ERROR).</summary>
internal sealed class HpackException(string message) : Exception(message);
