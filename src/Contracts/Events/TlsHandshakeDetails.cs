namespace FlowTrace.Contracts.Events;

/// <summary>The negotiated result of a TLS handshake.</summary>
/// <param name="ServerName">SNI sent, or null when none was sent.</param>
/// <param name="Version">Negotiated version, e.g. TLSv1.3.</param>
/// <param name="CipherSuite">Cipher suite name, e.g. TLS_AES_128_GCM_SHA256.</param>
/// <param name="KeyExchangeGroup">Key-exchange group name, e.g. x25519, when known.</param>
/// <param name="Alpn">Negotiated application protocol, or null.</param>
/// <param name="NetworkTime">From the ClientHello leaving to the arrival of the last bytes the handshake needed.</param>
/// <param name="ClientProcessingTime">Time the client's TLS engine spent computing during the handshake (building it included).</param>
/// <param name="ClientHello">Raw bytes of the ClientHello record(s) as sent.</param>
/// <param name="ServerHello">Raw bytes of the record(s) carrying the ServerHello as received.</param>
/// <param name="Certificates">The certificate chain as the server sent it, leaf first.</param>
/// <param name="Findings">Validation findings; an empty list means a browser would accept the certificate.</param>
/// <param name="CertificateValidationTime">Time spent checking the certificate chain, name and dates.</param>
/// <param name="RoundTrips">How many times the client waited for a flight from the server (TLS 1.3: 1; TLS 1.2: 2; one
/// more after a HelloRetryRequest).</param>
/// <param name="HelloRetryGroup">The key-exchange group a HelloRetryRequest asked for, or null when there was none.</param>
/// <param name="ClientCertificateRequested">True when the server asked for a client certificate (CertificateRequest); FlowTrace sends none.</param>
/// <param name="StapledOcsp">The OCSP response stapled to the certificate, or null when the server sent none.</param>
/// <param name="KeyExchangeSignature">The signature scheme of a TLS 1.2 ServerKeyExchange (e.g. rsa_pss_rsae_sha256), or
/// null (TLS 1.3 signs in CertificateVerify, which travels encrypted; RSA key exchange signs nothing).</param>
/// <param name="ClientHelloFields">The ClientHello's bytes (<paramref name="ClientHello"/>) field by field, explained.</param>
/// <param name="ServerHelloFields">The bytes of the ServerHello's record (<paramref name="ServerHello"/>; the
/// HelloRetryRequest's when there was one) field by field, explained, with whatever else that record carries (TLS
/// 1.2's ServerKeyExchange when the server sent its flight in one record).</param>
/// <param name="Resumption">For a handshake that tried to resume an earlier connection's session: what it offered and
/// whether the server took it; null for an ordinary handshake.</param>
public sealed record TlsHandshakeDetails(
    string? ServerName,
    string Version,
    string CipherSuite,
    string? KeyExchangeGroup,
    string? Alpn,
    TimeSpan NetworkTime,
    TimeSpan ClientProcessingTime,
    byte[] ClientHello,
    byte[] ServerHello,
    IReadOnlyList<CertificateInfo> Certificates,
    IReadOnlyList<ValidationFinding> Findings,
    TimeSpan CertificateValidationTime = default,
    int RoundTrips = 0,
    string? HelloRetryGroup = null,
    bool ClientCertificateRequested = false,
    StapledOcspResponse? StapledOcsp = null,
    string? KeyExchangeSignature = null,
    IReadOnlyList<ByteField>? ClientHelloFields = null,
    IReadOnlyList<ByteField>? ServerHelloFields = null,
    TlsResumption? Resumption = null) : TraceEventDetails
{
    /// <summary>True when no finding is an error: a browser would accept this certificate.</summary>
    public bool CertificateAccepted => Findings.All(f => f.Severity != FindingSeverity.Error);
}
