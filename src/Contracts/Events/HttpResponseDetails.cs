namespace FlowTrace.Contracts.Events;

/// <summary>The response as received.</summary>
/// <param name="StatusLine">The status line as received.</param>
/// <param name="Version">HTTP/1.1 or HTTP/1.0.</param>
/// <param name="StatusCode">Status code.</param>
/// <param name="ReasonPhrase">Reason phrase.</param>
/// <param name="Headers">Header lines in the order received.</param>
/// <param name="HeadBytes">Size of the status line and headers.</param>
/// <param name="BodyBytes">Body bytes read (after de-chunking).</param>
/// <param name="Framing">How the body's end was found.</param>
/// <param name="BodyTruncated">True when the tracer stopped reading at its body cap.</param>
/// <param name="DownloadTime">From the first response byte to the last body byte.</param>
/// <param name="BodyPreview">The first bytes of the body (at most <see cref="BodyPreviewMaxBytes"/>), decoded as UTF-8;
/// show it as text only.</param>
public sealed record HttpResponseDetails(
    string StatusLine,
    string Version,
    int StatusCode,
    string ReasonPhrase,
    IReadOnlyList<HttpHeader> Headers,
    int HeadBytes,
    long BodyBytes,
    BodyFraming Framing,
    bool BodyTruncated,
    TimeSpan DownloadTime,
    string? BodyPreview = null) : TraceEventDetails
{
    /// <summary>The most body bytes a trace keeps (and so the most characters their UTF-8 decoding can have).</summary>
    public const int BodyPreviewMaxBytes = 512;
}

/// <summary>How the end of a response body is found.</summary>
public enum BodyFraming
{
    /// <summary>No body (HEAD, 204, 304, 1xx).</summary>
    None,
    /// <summary>By Content-Length.</summary>
    ContentLength,
    /// <summary>By chunked transfer coding.</summary>
    Chunked,
    /// <summary>By the server closing the connection.</summary>
    UntilClose,
    /// <summary>HTTP/2: by the END_STREAM flag on the stream's last frame.</summary>
    EndStream,
}
