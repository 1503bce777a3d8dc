namespace FlowTrace.Tracer.Http2;

/// <summary>A header block HPACK cannot decode (RFC 7541 calls it a decoding error; HTTP/2 makes it COMPRESSION_ERROR),
/// or one that decodes to more than the client's limit on a header list.</summary>
internal sealed class HpackException(string message, bool overListLimit = false) : Exception(message)
{
    /// <summary>True when the block was valid but its decoded header list exceeded the limit (a block of a few bytes can
    /// name a large table entry many times).</summary>
    public bool OverListLimit { get; } = overListLimit;
}
