using System.Net;

namespace FlowTrace.Tracer.Dns;

/// <summary>The addresses the DNS step produced, or null addresses when it failed.</summary>
internal sealed record DnsResolution(IReadOnlyList<IPAddress>? Addresses);
