using Org.BouncyCastle.Tls;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// What a finished TLS 1.2 handshake leaves for resuming it on a new connection: the session's parameters (its own
/// copy of the master secret, so that closing the first connection does not destroy it) and how the server let the
/// client come back, with a session ticket (RFC 5077) or by its session ID.
/// </summary>
/// <param name="SessionId">The session ID to offer: the server's, or one the client made up to go with a ticket
/// (RFC 5077 3.4: a server that accepts the ticket echoes it, which is how the client knows).</param>
/// <param name="Ticket">The session ticket the server issued, or null when it resumes by session ID.</param>
/// <param name="Parameters">The negotiated session: version, cipher suite, master secret, certificates.</param>
/// <param name="Findings">What checking the certificate found on the first connection: a resumed handshake sends none,
/// and the session stands on that check.</param>
internal sealed record ResumableTlsSession(byte[] SessionId, byte[]? Ticket, SessionParameters Parameters, IReadOnlyList<FlowTrace.Contracts.Events.ValidationFinding>? Findings = null)
{
    /// <summary>How the session is offered again, in words.</summary>
    public string Means => Ticket is null ? "session ID" : "session ticket";
}
