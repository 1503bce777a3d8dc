using Org.BouncyCastle.Tls;

namespace FlowTrace.Tracer.Tls;

/// <summary>The non-blocking client protocol, opened up to report every handshake message it processes,
/// including those TLS 1.3 encrypts, and the lifetime of each session ticket (which the engine reads and drops).</summary>
internal sealed class TracingTlsProtocol(Action<short> onHandshakeMessage, Action<TimeSpan> onSessionTicket) : TlsClientProtocol
{
    protected override void HandleHandshakeMessage(short type, HandshakeMessageInput buf)
    {
        onHandshakeMessage(type);
        if (type == HandshakeType.new_session_ticket && buf.Length - buf.Position >= 4)
        {
            // Both versions start the message with the lifetime in seconds (TLS 1.2: a hint; TLS 1.3: at most 7 days).
            var start = buf.Position;
            var seconds = TlsUtilities.ReadUint32(buf);
            buf.Position = start;
            onSessionTicket(TimeSpan.FromSeconds(seconds));
        }

        base.HandleHandshakeMessage(type, buf);
    }
}
