namespace FlowTrace.Contracts.Requests;

/// <summary>
/// A trace request as it crosses the network (JSON API and hub). Only <see cref="Url"/> is required;
/// everything else falls back to the tracer's defaults.
/// </summary>
public sealed record TraceRequestMessage
{
    /// <summary>The absolute http or https URL to trace.</summary>
    public string? Url { get; init; }

    /// <summary>GET (default) or HEAD.</summary>
    public string? Method { get; init; }

    /// <summary>A DNS server as <c>host:port</c>; null for the server's default resolvers.</summary>
    public string? DnsServer { get; init; }

    /// <summary>Which address families to use.</summary>
    public AddressFamilyPreference? AddressFamily { get; init; }

    /// <summary>What to send as SNI.</summary>
    public SniMode? Sni { get; init; }

    /// <summary>The SNI name when <see cref="Sni"/> is custom.</summary>
    public string? SniName { get; init; }

    /// <summary>Then send the same request again on the connection the first one kept alive (warm against cold: no DNS,
    /// TCP or TLS the second time). Default false.</summary>
    public bool? AgainOnSameConnection { get; init; }

    /// <summary>Then send the same request again on a new connection to the same address, offering the first
    /// connection's TLS session back (cold against resumed: no DNS, a TCP handshake, an abbreviated TLS handshake when
    /// the server takes the session). Not with <see cref="AgainOnSameConnection"/>. Default false.</summary>
    public bool? AgainResumingSession { get; init; }

    /// <summary>Resolve the name from the root as <c>dig +trace</c> does (root, top-level domain, the zone's server, each
    /// query timed) instead of asking a resolver; lab names start from the lab's own root. Default false.</summary>
    public bool? ResolveFromRoot { get; init; }

    /// <summary>Which HTTP to speak: HTTP/2 where the server agrees (the default, as browsers), HTTP/1.1 only, HTTP/2
    /// only, or HTTP/2 with prior knowledge on plain http://.</summary>
    public HttpVersionPreference? HttpVersion { get; init; }

    /// <summary>Whether to follow redirects (default true).</summary>
    public bool? FollowRedirects { get; init; }

    /// <summary>How many redirects to follow at most (default 10).</summary>
    public int? MaxRedirects { get; init; }

    /// <summary>Connect to this <c>host:port</c> instead, keeping SNI and Host from the URL.</summary>
    public string? ConnectTo { get; init; }

    /// <summary>CA certificates (PEM text, at most 64 KiB and 16 certificates) to trust for this trace only, as curl's
    /// <c>--cacert</c>: a workshop's or a company's own CA.</summary>
    public string? TrustedRoots { get; init; }

    /// <summary>Extra request headers.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Pause after each step until the caller says to continue (hub only).</summary>
    public bool? StepMode { get; init; }

    /// <summary>Trace this many times (1 to 100, default 1), each on a new connection, then sum the runs up per step.</summary>
    public int? Repeat { get; init; }
}
