using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;

namespace FlowTrace.Tracer.Tracing;

/// <summary>Everything one trace needs to know. Immutable; validated by <see cref="TraceRequestValidator"/>.</summary>
public sealed record TraceRequest
{
    /// <summary>The absolute http or https URL to trace.</summary>
    public required string Url { get; init; }

    /// <summary>GET or HEAD.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Extra request headers, sent after the tracer's own, in this order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The DNS server to ask, as <c>host:port</c> (or an IP); null means the system's resolvers.</summary>
    public string? DnsServer { get; init; }

    /// <summary>Which address families may be used.</summary>
    public AddressFamilyPreference AddressFamily { get; init; } = AddressFamilyPreference.Any;

    /// <summary>What to send as SNI.</summary>
    public SniMode Sni { get; init; } = SniMode.UrlHost;

    /// <summary>The SNI name to send when <see cref="Sni"/> is <see cref="SniMode.Custom"/>.</summary>
    public string? SniName { get; init; }

    /// <summary>ALPN protocols to offer, in order of preference; HTTP/2 is spoken when the server chooses h2.</summary>
    public IReadOnlyList<string> Alpn { get; init; } = HttpVersions.Alpn(HttpVersionPreference.Http2OrHttp11);

    /// <summary>Speak HTTP/2 on a plain http:// connection without asking first ("prior knowledge", as curl's
    /// --http2-prior-knowledge): for servers known to speak it in the clear.</summary>
    public bool Http2PriorKnowledge { get; init; }

    /// <summary>TLS versions to offer: "1.2" and/or "1.3".</summary>
    public IReadOnlyList<string> TlsVersions { get; init; } = ["1.3", "1.2"];

    /// <summary>Narrows the client's TLS offer (groups, suites, signatures); the warm-up uses it, users never need it.</summary>
    internal Tls.TlsOffer? Offer { get; init; }

    /// <summary>After the last hop, send the same request again on the connection it kept alive (a hop of its own, with
    /// no DNS, TCP or TLS); when the server does not keep the connection, the trace says why and ends.</summary>
    public bool AgainOnSameConnection { get; init; }

    /// <summary>After the last hop, send the same request again on a new connection to the same address, offering the
    /// first connection's TLS session (a TLS 1.2 session ticket or session ID) so that the handshake can be abbreviated;
    /// the trace says what was offered and whether the server took it. Not with <see cref="AgainOnSameConnection"/>.</summary>
    public bool AgainResumingSession { get; init; }

    /// <summary>Resolve the name from the root, as <c>dig +trace</c> does: ask a root server, follow each referral (with
    /// its glue) down to the zone's own server, every query timed, instead of asking a recursive resolver.</summary>
    public bool ResolveFromRoot { get; init; }

    /// <summary>The root servers to start from ("address:port"; every server of the walk is asked on that port, as
    /// dig's -p), for names in <see cref="DnsServerZones"/> when it lists zones (for every name when it is empty); other
    /// names, and every name when this is null, start from the root hints of <see cref="TracerOptions.RootHintsPath"/>
    /// on port 53.</summary>
    public IReadOnlyList<string>? RootServers { get; init; }

    /// <summary>Whether to follow redirects.</summary>
    public bool FollowRedirects { get; init; } = true;

    /// <summary>How many redirects to follow at most.</summary>
    public int MaxRedirects { get; init; } = 10;

    /// <summary>Per-step time limits.</summary>
    public StepTimeouts Timeouts { get; init; } = new();

    /// <summary>Body bytes to read at most; the trace says when it stopped reading.</summary>
    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>Like curl's --connect-to: connect here (<c>host:port</c>) instead of the URL's host and port,
    /// while SNI and Host stay those of the URL.</summary>
    public string? ConnectTo { get; init; }

    /// <summary>Extra trust anchors (DER-encoded certificates) besides the system's roots, e.g. the lab's CA.</summary>
    public IReadOnlyList<byte[]> ExtraTrustedRoots { get; init; } = [];

    /// <summary>Step mode: awaited after each step completes, before the next begins (for example until a teacher
    /// presses "Next step"). Arrival times are stamped while paused, so wire timings stay true.</summary>
    public Func<TraceStep, CancellationToken, ValueTask>? PauseAfterStep { get; init; }

    /// <summary>DNS suffixes (e.g. <c>lab.test</c>) that go to <see cref="DnsServer"/>; others use the system
    /// resolvers. Empty means every name goes to <see cref="DnsServer"/>.</summary>
    public IReadOnlyList<string> DnsServerZones { get; init; } = [];
}

/// <summary>Time limits per step.</summary>
public sealed record StepTimeouts
{
    /// <summary>DNS resolution.</summary>
    public TimeSpan Dns { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>TCP connection, the whole race.</summary>
    public TimeSpan Connect { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>TLS handshake.</summary>
    public TimeSpan Tls { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>One write waiting for the peer to take the bytes (a peer that stops reading).</summary>
    public TimeSpan Write { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>From the request sent to the first response byte.</summary>
    public TimeSpan FirstByte { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Reading the response after its first byte.</summary>
    public TimeSpan Download { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The whole trace.</summary>
    public TimeSpan Total { get; init; } = TimeSpan.FromSeconds(60);
}
