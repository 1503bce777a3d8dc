namespace FlowTrace.Contracts.Events;

/// <summary>A handshake that tried to resume the TLS session of an earlier connection (trace again, resuming).</summary>
/// <param name="Offered">How the session was offered: "session ticket" or "session ID"; null when there was nothing to
/// offer (see <paramref name="Reason"/>).</param>
/// <param name="Accepted">True when the server resumed the session: an abbreviated handshake, with no certificate and no
/// key exchange.</param>
/// <param name="Reason">Why the handshake was full, in words, when it was.</param>
public sealed record TlsResumption(string? Offered, bool Accepted, string? Reason);
