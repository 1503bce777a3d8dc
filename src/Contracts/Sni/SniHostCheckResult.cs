using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Sni;

/// <summary>A request whose SNI and Host header deliberately differ: which virtual host answered?</summary>
/// <param name="ServerName">The SNI name sent (chooses the certificate).</param>
/// <param name="HostHeader">The Host header sent (chooses the virtual host on most servers).</param>
/// <param name="CertificateSubject">The subject of the certificate the SNI name selected.</param>
/// <param name="StatusCode">The response status.</param>
/// <param name="BodyPreview">The first bytes of the answer, which usually name the virtual host.</param>
/// <param name="Failure">Why the request failed, if it did (some servers refuse a Host that differs from SNI).</param>
public sealed record SniHostCheckResult(
    string ServerName, string HostHeader, string? CertificateSubject, int? StatusCode, string? BodyPreview, StepFailureDetails? Failure) : SniComparisonUpdate;
