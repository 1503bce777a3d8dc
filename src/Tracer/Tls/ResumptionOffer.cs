namespace FlowTrace.Tracer.Tls;

/// <summary>What a new connection can offer to resume an earlier one's TLS session: the session, or why there is none.</summary>
/// <param name="Session">The session to offer, or null.</param>
/// <param name="Reason">Why there is no session to offer, in words, when <paramref name="Session"/> is null.</param>
internal sealed record ResumptionOffer(ResumableTlsSession? Session, string? Reason);
