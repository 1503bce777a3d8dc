namespace FlowTrace.Contracts.Requests;

/// <summary>Which HTTP the trace speaks.</summary>
public enum HttpVersionPreference
{
    /// <summary>HTTP/1.1 only (ALPN http/1.1), as curl's --http1.1.</summary>
    Http11,
    /// <summary>HTTP/2 where the server agrees, else HTTP/1.1 (ALPN h2, http/1.1), as browsers do: the default.</summary>
    Http2OrHttp11,
    /// <summary>HTTP/2 only (ALPN h2): a server that does not choose it is traced choosing nothing.</summary>
    Http2,
    /// <summary>HTTP/2 without asking, on plain http:// too ("prior knowledge", as curl's --http2-prior-knowledge).</summary>
    Http2PriorKnowledge,
}
