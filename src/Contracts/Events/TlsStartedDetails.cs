namespace FlowTrace.Contracts.Events;

/// <summary>What the client offers in its ClientHello.</summary>
/// <param name="ServerName">The SNI name sent, or null when no SNI is sent.</param>
/// <param name="OfferedVersions">TLS versions offered, highest first.</param>
/// <param name="OfferedAlpn">ALPN protocols offered.</param>
public sealed record TlsStartedDetails(
    string? ServerName,
    IReadOnlyList<string> OfferedVersions,
    IReadOnlyList<string> OfferedAlpn) : TraceEventDetails;
