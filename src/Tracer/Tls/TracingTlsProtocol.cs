using Org.BouncyCastle.Tls;

namespace FlowTrace.Tracer.Tls;

/// <summary>The non-blocking client protocol, opened up to report every handshake message it processes,
/// including those TLS 1.3 encrypts.</summary>
internal sealed class TracingTlsProtocol(Action<short> onHandshakeMessage) : TlsClientProtocol
{
    protected override void HandleHandshakeMessage(short type, HandshakeMessageInput buf)
    {
        onHandshakeMessage(type);
        base.HandleHandshakeMessage(type, buf);
    }
}
