using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Sni;

/// <summary>What the server answered to one handshake, with one SNI name or none.</summary>
/// <param name="ServerName">The SNI name sent; null for the handshake without SNI.</param>
/// <param name="Address">The address and port connected to (the same for every probe).</param>
/// <param name="Certificate">The leaf certificate returned, or null when the handshake failed.</param>
/// <param name="ChainLength">How many certificates the server sent.</param>
/// <param name="CoversName">Whether the certificate covers the name asked for (null without SNI).</param>
/// <param name="Version">Negotiated TLS version.</param>
/// <param name="CipherSuite">Negotiated cipher suite.</param>
/// <param name="Alpn">Negotiated ALPN protocol.</param>
/// <param name="Findings">Certificate validation findings for this name.</param>
/// <param name="ConnectTime">TCP three-way handshake time.</param>
/// <param name="NetworkTime">TLS handshake network time.</param>
/// <param name="ClientProcessingTime">TLS handshake client processing time.</param>
/// <param name="Alerts">TLS alerts sent or received (unrecognized_name, for example).</param>
/// <param name="Failure">Why this handshake failed, if it did.</param>
public sealed record SniProbeResult(
    string? ServerName,
    string Address,
    CertificateInfo? Certificate,
    int ChainLength,
    bool? CoversName,
    string? Version,
    string? CipherSuite,
    string? Alpn,
    IReadOnlyList<ValidationFinding> Findings,
    TimeSpan? ConnectTime,
    TimeSpan? NetworkTime,
    TimeSpan? ClientProcessingTime,
    IReadOnlyList<TlsAlertDetails> Alerts,
    StepFailureDetails? Failure) : SniComparisonUpdate;
