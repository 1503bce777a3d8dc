namespace FlowTrace.Tracer.Tracing;

/// <summary>A validated, normalised URL of one hop.</summary>
/// <param name="Uri">The absolute URI.</param>
/// <param name="Host">The host as written (Unicode for IDNs), without brackets.</param>
/// <param name="AsciiHost">The host in ASCII (punycode), without brackets.</param>
/// <param name="Port">Destination port.</param>
/// <param name="IsHttps">True for https.</param>
internal sealed record TraceTarget(Uri Uri, string Host, string AsciiHost, int Port, bool IsHttps)
{
    /// <summary>Path and query as sent in the request line.</summary>
    public string PathAndQuery => string.IsNullOrEmpty(Uri.PathAndQuery) ? "/" : Uri.PathAndQuery;

    /// <summary>The Host header value: default ports are left out, IPv6 literals bracketed.</summary>
    public string HostHeader
    {
        get
        {
            var host = AsciiHost.Contains(':') ? $"[{AsciiHost}]" : AsciiHost;
            var defaultPort = IsHttps ? 443 : 80;
            return Port == defaultPort ? host : $"{host}:{Port}";
        }
    }

    /// <summary>True when scheme, host and port match.</summary>
    public bool SameOrigin(TraceTarget other) =>
        IsHttps == other.IsHttps && Port == other.Port &&
        string.Equals(AsciiHost, other.AsciiHost, StringComparison.OrdinalIgnoreCase);
}
