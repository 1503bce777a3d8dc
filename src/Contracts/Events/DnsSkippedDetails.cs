namespace FlowTrace.Contracts.Events;

/// <summary>No DNS query was sent, and why.</summary>
/// <param name="Reason">The reason: an IP literal, a hosts-file entry, or a connect-to override.</param>
/// <param name="Source">Where the addresses came from (for example <c>/etc/hosts</c>).</param>
/// <param name="Addresses">The addresses that will be tried.</param>
public sealed record DnsSkippedDetails(DnsSkipReason Reason, string Source, IReadOnlyList<string> Addresses) : TraceEventDetails;

/// <summary>Why a DNS query was not needed.</summary>
public enum DnsSkipReason
{
    /// <summary>The host is already an IP address.</summary>
    IpLiteral,
    /// <summary>The hosts file names the host.</summary>
    HostsFile,
    /// <summary>The address is the one an earlier connection of the same trace used (trace again, resuming).</summary>
    EarlierConnection,
}
