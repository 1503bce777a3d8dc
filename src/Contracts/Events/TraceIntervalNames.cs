namespace FlowTrace.Contracts.Events;

/// <summary>The names of <see cref="TraceInterval"/>s.</summary>
public static class TraceIntervalNames
{
    /// <summary>Step mode: the trace waited for "Next step".</summary>
    public const string Paused = "paused";

    /// <summary>Between two hops of a redirect chain: deciding where to go next.</summary>
    public const string Redirect = "redirect";

    /// <summary>Between the first request and the same request again on the same connection.</summary>
    public const string Again = "again";

    /// <summary>Between the first request and the same request again on a new connection that resumes the TLS session.</summary>
    public const string Resumed = "resumed";

    /// <summary>Between a request whose HTTP/2 stream the server refused unprocessed and the same request on a new connection.</summary>
    public const string Retry = "retry";

    /// <summary>After the last step: closing what the trace opened (a connection whose handshake failed, say) and
    /// handing over the summary; when no step ran, checking the request and saying why it was refused.</summary>
    public const string Finishing = "finishing";
}
