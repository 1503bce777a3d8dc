using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Sni;

/// <summary>Which certificate does one server hand out for which name? Validated by <see cref="SniComparer"/>.</summary>
public sealed record SniComparisonRequest
{
    /// <summary>The most names one comparison may ask about.</summary>
    public const int MaxNames = 32;

    /// <summary><c>host[:port]</c>, <c>ip[:port]</c> or <c>[ipv6]:port</c>; port 443 when left out.</summary>
    public required string Target { get; init; }

    /// <summary>The names to send as SNI, one handshake each.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>Also handshake without SNI, to find the server's default certificate.</summary>
    public bool IncludeNoSni { get; init; } = true;

    /// <summary>The DNS server for the target's name (<c>host:port</c>); null for the system's resolvers.</summary>
    public string? DnsServer { get; init; }

    /// <summary>Zones routed to <see cref="DnsServer"/>; empty means every name.</summary>
    public IReadOnlyList<string> DnsServerZones { get; init; } = [];

    /// <summary>Extra trust anchors (DER), e.g. the lab CA.</summary>
    public IReadOnlyList<byte[]> ExtraTrustedRoots { get; init; } = [];

    /// <summary>Optional SNI/Host check: SNI name and Host header that deliberately differ.</summary>
    public (string ServerName, string HostHeader)? HostCheck { get; init; }

    /// <summary>Per-step limits of each handshake.</summary>
    public StepTimeouts Timeouts { get; init; } = new();

    /// <summary>How many handshakes run at once.</summary>
    public int MaxConcurrency { get; init; } = 4;
}
