namespace FlowTrace.Tracer.Tls;

/// <summary>A finished handshake: the session to speak HTTP over, or null when the handshake failed.</summary>
internal sealed record TlsHandshakeResult(TlsSession? Session);
