namespace FlowTrace.Tracer.Tls;

/// <summary>A fatal TLS alert from the server after the handshake, with what it means for this connection.</summary>
internal sealed class TlsAlertException(string message, short alert, Exception inner) : IOException(message, inner)
{
    /// <summary>The alert's code (RFC 8446 §6).</summary>
    public short Alert { get; } = alert;

    /// <summary>A stable failure code for the step the alert ended.</summary>
    public string Code { get; init; } = "tls-alert";
}
