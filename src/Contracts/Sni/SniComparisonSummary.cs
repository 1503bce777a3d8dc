using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Sni;

/// <summary>The comparison across names, sent last.</summary>
/// <param name="Target">The server compared, as given.</param>
/// <param name="Address">The address every handshake went to, or null when it could not be resolved.</param>
/// <param name="DefaultFingerprint">Fingerprint of the certificate handed out without SNI (the default certificate).</param>
/// <param name="Groups">Certificates grouped by fingerprint, with the names that got each.</param>
/// <param name="FallThroughNames">Names that got the default certificate.</param>
/// <param name="MismatchedNames">Names that got a certificate not covering them (errors).</param>
/// <param name="FailedNames">Names whose handshake failed ("(no SNI)" for the handshake without SNI).</param>
/// <param name="Failure">Why the comparison could not run at all (bad input, DNS failure), if so.</param>
public sealed record SniComparisonSummary(
    string Target,
    string? Address,
    string? DefaultFingerprint,
    IReadOnlyList<SniCertificateGroup> Groups,
    IReadOnlyList<string> FallThroughNames,
    IReadOnlyList<string> MismatchedNames,
    IReadOnlyList<string> FailedNames,
    StepFailureDetails? Failure) : SniComparisonUpdate;

/// <summary>One certificate and every name that received it.</summary>
/// <param name="Fingerprint">SHA-256 fingerprint.</param>
/// <param name="Certificate">The certificate.</param>
/// <param name="Names">The SNI names that got it; null stands for the handshake without SNI.</param>
/// <param name="IsDefault">True when this is the certificate handed out without SNI.</param>
public sealed record SniCertificateGroup(string Fingerprint, CertificateInfo Certificate, IReadOnlyList<string?> Names, bool IsDefault);
