namespace FlowTrace.Contracts.Events;

/// <summary>
/// An OCSP response the server stapled to its certificate (the client asked for it with status_request): the CA's
/// signed word that the leaf is not revoked, delivered in the handshake so the browser need not ask the CA itself.
/// </summary>
/// <param name="ResponseStatus">The responder's status (successful, tryLater, unauthorized, …).</param>
/// <param name="CertificateStatus">good, revoked or unknown; null when the response carries no answer.</param>
/// <param name="ProducedAt">When the responder signed the response.</param>
/// <param name="ThisUpdate">The time at which the status was known to be correct.</param>
/// <param name="NextUpdate">When newer information will be available; a response past it is stale. Null when the responder gave none.</param>
/// <param name="RevokedAt">When the certificate was revoked, for a revoked one.</param>
/// <param name="ForLeaf">True when the answer is about the leaf certificate the server sent (same serial number).</param>
/// <param name="Length">Size of the DER-encoded response in bytes.</param>
public sealed record StapledOcspResponse(
    string ResponseStatus,
    string? CertificateStatus,
    DateTimeOffset? ProducedAt,
    DateTimeOffset? ThisUpdate,
    DateTimeOffset? NextUpdate,
    DateTimeOffset? RevokedAt,
    bool ForLeaf,
    int Length);
