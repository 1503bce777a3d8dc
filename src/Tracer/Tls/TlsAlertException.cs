namespace FlowTrace.Tracer.Tls;

/// <summary>A fatal TLS alert from the server after the handshake, with what it means for this connection.</summary>
internal sealed class TlsAlertException(string message, Exception inner) : IOException(message, inner)
{
    /// <summary>A stable failure code for the step the alert ended.</summary>
    public string Code { get; init; } = "tls-alert";
}
