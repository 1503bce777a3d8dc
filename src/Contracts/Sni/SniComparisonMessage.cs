namespace FlowTrace.Contracts.Sni;

/// <summary>An SNI comparison request as it crosses the network. <see cref="Target"/> and <see cref="Names"/> are required.</summary>
public sealed record SniComparisonMessage
{
    /// <summary><c>host[:port]</c> or <c>[ipv6]:port</c>; the port defaults to 443.</summary>
    public string? Target { get; init; }

    /// <summary>The names to send as SNI (at most 32).</summary>
    public IReadOnlyList<string>? Names { get; init; }

    /// <summary>Also handshake without SNI (default true), to find the default certificate.</summary>
    public bool? IncludeNoSni { get; init; }

    /// <summary>A DNS server for the target's name; null for the server's default.</summary>
    public string? DnsServer { get; init; }

    /// <summary>Optional: send this SNI name together with <see cref="HostCheckHost"/> as Host header.</summary>
    public string? HostCheckSni { get; init; }

    /// <summary>Optional: the Host header of the SNI/Host check.</summary>
    public string? HostCheckHost { get; init; }
}
