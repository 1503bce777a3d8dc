namespace FlowTrace.Contracts.Events;

/// <summary>The step of a trace an event belongs to, in the order a request travels.</summary>
public enum TraceStep
{
    /// <summary>The trace as a whole: its start, redirects and the closing summary.</summary>
    Trace,
    /// <summary>Turning the host name into addresses.</summary>
    Dns,
    /// <summary>Opening the TCP connection (one attempt per address tried).</summary>
    Tcp,
    /// <summary>The TLS handshake (https only).</summary>
    Tls,
    /// <summary>Writing the HTTP request.</summary>
    HttpRequest,
    /// <summary>Waiting for the first response byte while the server works.</summary>
    ServerProcessing,
    /// <summary>Reading the response head and body.</summary>
    HttpResponse,
    /// <summary>Keep-alive or close, and who closed the connection.</summary>
    Connection,
}
