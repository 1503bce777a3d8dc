namespace FlowTrace.Contracts.Events;

/// <summary>One certificate of a chain.</summary>
/// <param name="Subject">Subject distinguished name.</param>
/// <param name="Issuer">Issuer distinguished name.</param>
/// <param name="SubjectAlternativeNames">DNS names and IP addresses the certificate covers.</param>
/// <param name="NotBefore">Start of validity (UTC).</param>
/// <param name="NotAfter">End of validity (UTC).</param>
/// <param name="KeyType">RSA, ECDSA, Ed25519, ...</param>
/// <param name="KeySize">Key size in bits.</param>
/// <param name="SerialNumber">Serial number in hex.</param>
/// <param name="Sha256Fingerprint">SHA-256 of the DER encoding, hex, upper case, colon separated.</param>
public sealed record CertificateInfo(
    string Subject,
    string Issuer,
    IReadOnlyList<string> SubjectAlternativeNames,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string KeyType,
    int KeySize,
    string SerialNumber,
    string Sha256Fingerprint);
