using System.Net;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Export;

/// <summary>
/// "Copy as curl" and "copy as openssl": commands that make the traced request again with the tools everyone has. curl
/// repeats the first hop as it was sent (method, headers, the address connected to through <c>--resolve</c>, HTTP/1.1,
/// the SNI name); <c>openssl s_client</c> repeats its TLS handshake (address, SNI or none, ALPN).
/// </summary>
public static class ReproduceCommands
{
    /// <summary>The curl command, or null when the trace never got as far as choosing an address.</summary>
    /// <param name="events">The trace's events.</param>
    /// <param name="caFile">A file holding the CA certificates the trace trusted beyond the system's, if it did.</param>
    public static ShellCommand? Curl(IReadOnlyList<TraceEvent> events, string? caFile = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        var hop = First(events);
        if (hop.Started is not { } started || hop.Remote is not { } remote)
            return null;
        var tls = hop.Tls;
        // curl sends the URL's host as SNI: a custom SNI name goes in the URL, the traced Host in a header.
        var sni = tls?.ServerName;
        var urlHost = sni is not null && !sni.Equals(started.AsciiHost, StringComparison.OrdinalIgnoreCase) ? sni : started.AsciiHost;
        var url = new UriBuilder(started.Url) { Host = urlHost }.Uri.AbsoluteUri;
        // The HTTP the trace spoke: HTTP/2 where the server chose h2 (curl's --http2 offers it first, as the trace did).
        var http2 = events.Where(e => e.Hop == 0).Select(e => e.Details).OfType<TlsHandshakeDetails>().FirstOrDefault()?.Alpn == "h2";
        var priorKnowledge = tls is null && hop.Request?.RequestLine.EndsWith(" HTTP/2", StringComparison.Ordinal) == true;
        List<string> args = [priorKnowledge ? "--http2-prior-knowledge" : http2 ? "--http2" : "--http1.1", "--resolve", $"{urlHost}:{started.Port}:{Address(remote)}"];
        if (started.Method == "HEAD")
            args.Add("--head");
        else if (started.Method != "GET")
            args.AddRange(["-X", started.Method]);
        foreach (var header in hop.Request?.Headers ?? [])
        {
            // HTTP/2's pseudo-headers are curl's to write, from the URL and the method; an :authority other than the URL's
            // host goes as Host, which curl turns into :authority.
            if (header.Name == ":authority" && !header.Value.Equals(urlHost, StringComparison.OrdinalIgnoreCase) &&
                !header.Value.Equals($"{urlHost}:{started.Port}", StringComparison.OrdinalIgnoreCase))
                args.AddRange(["-H", $"Host: {header.Value}"]);
            if (header.Name.StartsWith(':'))
                continue;
            // curl writes Host from the URL; it is sent only where the traced one differs.
            if (header.Name.Equals("Host", StringComparison.OrdinalIgnoreCase) && urlHost.Equals(started.AsciiHost, StringComparison.OrdinalIgnoreCase))
                continue;
            args.AddRange(["-H", $"{header.Name}: {header.Value}"]);
        }

        if (caFile is not null)
            args.AddRange(["--cacert", caFile]);
        args.AddRange(["-o", "/dev/null", "-w", "%{http_code} %{remote_ip}\\n", url]);
        var note = tls is not null && sni is null ? "curl always sends SNI for a name: this trace sent none (copy as openssl shows the handshake without it)." : null;
        return new ShellCommand("curl", args, note);
    }

    /// <summary>The <c>openssl s_client</c> command for the first hop's TLS handshake, or null for plain HTTP or a trace
    /// that never reached TLS.</summary>
    public static ShellCommand? Openssl(IReadOnlyList<TraceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var hop = First(events);
        if (hop.Remote is not { } remote || hop.Tls is not { } tls)
            return null;
        List<string> args = ["s_client", "-connect", remote.ToString()];
        args.AddRange(tls.ServerName is { } name ? ["-servername", name] : ["-noservername"]);
        if (tls.OfferedAlpn.Count > 0)
            args.AddRange(["-alpn", string.Join(',', tls.OfferedAlpn)]);
        args.Add("-showcerts");
        return new ShellCommand("openssl", args);
    }

    private static (TraceStartedDetails? Started, IPEndPoint? Remote, TlsStartedDetails? Tls, HttpRequestDetails? Request) First(IReadOnlyList<TraceEvent> events)
    {
        var hop = events.Where(e => e.Hop == 0).Select(e => e.Details).ToList();
        var connected = hop.OfType<TcpConnectedDetails>().FirstOrDefault();
        return (hop.OfType<TraceStartedDetails>().FirstOrDefault(),
            connected is not null && IPEndPoint.TryParse(connected.Remote, out var remote) ? remote : null,
            hop.OfType<TlsStartedDetails>().FirstOrDefault(),
            hop.OfType<HttpRequestDetails>().FirstOrDefault());
    }

    private static string Address(IPEndPoint remote) =>
        remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{remote.Address}]" : remote.Address.ToString();
}
