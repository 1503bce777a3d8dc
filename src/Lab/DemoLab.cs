using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using FlowTrace.Contracts.Lab;
using FlowTrace.Lab.Certificates;
using FlowTrace.Lab.Dns;
using FlowTrace.Lab.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace FlowTrace.Lab;

/// <summary>
/// The offline demo lab: an authoritative DNS server for a zone under .test and HTTP(S) sites on loopback that
/// each show one thing worth seeing in a trace (SNI certificates, redirects, slow servers, broken certificates...).
/// </summary>
public sealed class DemoLab : IAsyncDisposable
{
    private readonly LabCertificates _certificates;
    private readonly LabDnsHierarchy _dns;
    private readonly WebApplication _web;
    private readonly Http10Server _http10;
    private readonly Hostile.HostileHttpServer _hostileHttp;
    private readonly Hostile.HostileTlsServer _hostileTls;
    private readonly Hostile.HostileHttp2Server _hostileHttp2;

    private DemoLab(LabOptions options, LabCertificates certificates, LabDnsHierarchy dns, WebApplication web, Http10Server http10,
        Hostile.HostileHttpServer hostileHttp, Hostile.HostileTlsServer hostileTls, Hostile.HostileHttp2Server hostileHttp2, LabPorts ports)
    {
        _hostileHttp2 = hostileHttp2;
        _hostileHttp = hostileHttp;
        _hostileTls = hostileTls;
        Options = options;
        _certificates = certificates;
        _dns = dns;
        _web = web;
        _http10 = http10;
        Ports = ports;
        Sites = BuildSites(options.Zone, ports);
    }

    /// <summary>The options the lab was started with.</summary>
    public LabOptions Options { get; }

    /// <summary>The ports the lab really listens on.</summary>
    public LabPorts Ports { get; }

    /// <summary>The lab's DNS server.</summary>
    public IPEndPoint DnsEndPoint => _dns.EndPoint;

    /// <summary>The lab's root servers, for resolving from the root (its own root and top-level domain, on the DNS
    /// server's port).</summary>
    public IReadOnlyList<IPEndPoint> RootServers => _dns.RootServers;

    /// <summary>The lab's root servers as a trace request names them (<c>address:port</c>), or null when it has none:
    /// lab names are walked down from the lab's own root, which the Internet's knows nothing of.</summary>
    public IReadOnlyList<string>? RootServerAddresses => RootServers.Count > 0 ? [.. RootServers.Select(r => r.ToString())] : null;

    /// <summary>The lab's zone, e.g. <c>lab.test</c>.</summary>
    public string Zone => Options.Zone;

    /// <summary>The lab CA (DER): trust it to see the lab's good certificates as valid.</summary>
    public byte[] CaCertificate => _certificates.CaDer;

    /// <summary>Every site, with its URL and what it demonstrates.</summary>
    public IReadOnlyList<LabSite> Sites { get; }

    /// <summary>Every endpoint the lab listens on (and its closed port), on IPv4 and IPv6 loopback: a destination
    /// policy lets these through whatever its mode, so the lab works on a public server too.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints =>
    [
        .. new[] { Ports.Dns, Ports.Https, Ports.Tls12, Ports.Http, Ports.Http10, Ports.Closed, Ports.HostileHttp, Ports.HostileTls, Ports.Http2, Ports.HostileHttp2 }
            .SelectMany(port => new[] { new IPEndPoint(IPAddress.Loopback, port), new IPEndPoint(IPAddress.IPv6Loopback, port) }),
        .. RootServers.Count == 0 ? [] : new[] { new IPEndPoint(LabDnsHierarchy.RootAddress, Ports.Dns), new IPEndPoint(LabDnsHierarchy.TopLevelAddress, Ports.Dns) },
    ];

    /// <summary>Finds a site by its short name.</summary>
    public LabSite Site(string name) => Sites.First(s => s.Name == name);

    /// <summary>Starts the lab. Throws with a clear message when a port is taken.</summary>
    public static async Task<DemoLab> StartAsync(LabOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LabOptions();
        options.Validate();
        // A free port is picked before the web server binds it, so another process can take it in between: then the lab
        // picks again. Ports given explicitly are not retried (their clash is for the caller to see).
        var picksFree = options.HttpsPort == 0 || options.Tls12Port == 0 || options.HttpPort == 0 || options.ClosedPort == 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e) when (picksFree && attempt < 5 && e.InnerException is IOException or SocketException)
            {
            }
        }
    }

    private static async Task<DemoLab> StartOnceAsync(LabOptions options, CancellationToken cancellationToken)
    {
        var zone = options.Zone.Trim('.');
        var certificates = new LabCertificates(zone);
        LabDnsHierarchy? dns = null;
        Http10Server? http10 = null;
        Hostile.HostileHttpServer? hostileHttp = null;
        Hostile.HostileTlsServer? hostileTls = null;
        Hostile.HostileHttp2Server? hostileHttp2 = null;
        try
        {
            dns = LabDnsHierarchy.Start(BuildZone(zone), options.DnsPort);
            http10 = new Http10Server(options.Http10Port);
            hostileHttp = new Hostile.HostileHttpServer(options.HostileHttpPort);
            hostileTls = new Hostile.HostileTlsServer(options.HostileTlsPort);
            hostileHttp2 = new Hostile.HostileHttp2Server(options.HostileHttp2Port, certificates, TimeProvider.System);
            // Kestrel does not report which listener got which ephemeral port, so free ports are picked here.
            var ports = new LabPorts(dns.EndPoint.Port, OrFree(options.HttpsPort), OrFree(options.Tls12Port), OrFree(options.HttpPort), http10.Port, OrFree(options.ClosedPort), hostileHttp.Port, hostileTls.Port,
                OrFree(options.Http2Port), hostileHttp2.Port);

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                // The lessons' sites speak HTTP/1.1 (each listener says so itself: endpoint defaults apply only to
                // listeners made after them); HTTP/2 has a listener of its own, speaking nothing else.
                void ListenHttps(int port, HttpProtocols protocols, SslProtocols versions) => kestrel.Listen(IPAddress.Loopback, port, listen =>
                {
                    listen.Protocols = protocols;
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificateSelector = (_, name) => certificates.Select(name),
                        SslProtocols = versions,
                    });
                });
                ListenHttps(ports.Https, HttpProtocols.Http1, SslProtocols.Tls12 | SslProtocols.Tls13);
                ListenHttps(ports.Tls12, HttpProtocols.Http1, SslProtocols.Tls12);
                ListenHttps(ports.Http2, HttpProtocols.Http2, SslProtocols.Tls12 | SslProtocols.Tls13);
                kestrel.Listen(IPAddress.Loopback, ports.Http, listen => listen.Protocols = HttpProtocols.Http1);
            });
            var web = builder.Build();
            var handler = new LabSiteHandler(zone, label => $"https://{label}.{zone}:{ports.Https}/", TimeProvider.System);
            web.Run(handler.HandleAsync);
            await web.StartAsync(cancellationToken).ConfigureAwait(false);
            await WarmUpAsync(ports, zone, cancellationToken).ConfigureAwait(false);
            return new DemoLab(options, certificates, dns, web, http10, hostileHttp, hostileTls, hostileHttp2, ports);
        }
        catch (IOException e)
        {
            await DisposeQuietly(dns, http10, hostileHttp, hostileTls, hostileHttp2).ConfigureAwait(false);
            certificates.Dispose();
            throw new InvalidOperationException($"The lab could not start: {e.Message} (is another lab or FlowTrace server already running? Ports can be changed in the lab options).", e);
        }
        catch (SocketException e)
        {
            await DisposeQuietly(dns, http10, hostileHttp, hostileTls, hostileHttp2).ConfigureAwait(false);
            certificates.Dispose();
            throw new InvalidOperationException($"The lab could not start: {e.Message} (is another lab or FlowTrace server already running? Ports can be changed in the lab options).", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync().ConfigureAwait(false);
        await _web.DisposeAsync().ConfigureAwait(false);
        await _dns.DisposeAsync().ConfigureAwait(false);
        await _http10.DisposeAsync().ConfigureAwait(false);
        await _hostileHttp.DisposeAsync().ConfigureAwait(false);
        await _hostileTls.DisposeAsync().ConfigureAwait(false);
        await _hostileHttp2.DisposeAsync().ConfigureAwait(false);
        _certificates.Dispose();
    }

    private static async Task DisposeQuietly(LabDnsHierarchy? dns, Http10Server? http10, Hostile.HostileHttpServer? hostileHttp, Hostile.HostileTlsServer? hostileTls,
        Hostile.HostileHttp2Server? hostileHttp2)
    {
        if (hostileHttp2 is not null)
            await hostileHttp2.DisposeAsync().ConfigureAwait(false);
        if (hostileHttp is not null)
            await hostileHttp.DisposeAsync().ConfigureAwait(false);
        if (hostileTls is not null)
            await hostileTls.DisposeAsync().ConfigureAwait(false);
        if (dns is not null)
            await dns.DisposeAsync().ConfigureAwait(false);
        if (http10 is not null)
            await http10.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One request per listener, so the first user's trace does not measure Kestrel's own start-up.</summary>
    private static async Task WarmUpAsync(LabPorts ports, string zone, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler();
        // The lab's own CA is not in the system store; this request only wakes the server up.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        handler.SslOptions.TargetHost = $"www.{zone}";
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var url in new[] { $"https://127.0.0.1:{ports.Https}/", $"https://127.0.0.1:{ports.Tls12}/", $"http://127.0.0.1:{ports.Http}/" })
        {
            try
            {
                using var response = await client.GetAsync(url, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException)
            {
                // Warm-up only: a failure here shows up, clearly, in the first real trace.
            }
        }

        try
        {
            // The HTTP/2 listener speaks nothing else: asked in HTTP/2, as its lesson's traces will.
            using var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{ports.Http2}/")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
        }
    }

    private static int OrFree(int port) => port != 0 ? port : FreePort();

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static LabZone BuildZone(string zone)
    {
        var lab = new LabZone(zone) { NameServer = $"ns.{zone}" };
        lab.Address($"ns.{zone}", IPAddress.Loopback);
        foreach (var name in new[] { "www", "api", "default", "unknown", "redirect", "slow", "stream", "close", "http10", "plain", "expired", "selfsigned", "wrongname", "tls12", "h2", "h2-big-headers", "error", "refused", "other-name", "metadata", "hostile-text", "hostile", "garbage", "huge-record", "alert", "silent", "many-sans" })
            lab.Address($"{name}.{zone}", IPAddress.Loopback);
        // race: IPv6 first (nothing listens on ::1 there) then IPv4, to show Happy Eyeballs falling back.
        lab.Address($"race.{zone}", IPAddress.IPv6Loopback, IPAddress.Loopback);
        // IPv6 only: a name whose A query finds nothing.
        lab.Address($"v6only.{zone}", IPAddress.IPv6Loopback);
        lab.Alias($"alias.{zone}", $"cdn.{zone}").Alias($"cdn.{zone}", $"www.{zone}");
        lab.Alias($"loop1.{zone}", $"loop2.{zone}").Alias($"loop2.{zone}", $"loop1.{zone}");
        foreach (var name in Hostile.HostileHttp2Server.Behaviours.Keys)
            lab.Address($"{name}.{zone}", IPAddress.Loopback);
        foreach (var name in new[] { "dns-garbage", "dns-wrongid", "dns-malformed", "dns-truncated" })
            lab.Address($"{name}.{zone}", IPAddress.Loopback);
        lab.Address($"dns-big.{zone}", [.. Enumerable.Range(1, 200).Select(i => new IPAddress([127, 0, (byte)(i / 250), (byte)(i % 250 + 1)]))]);
        return lab;
    }

    private static List<LabSite> BuildSites(string zone, LabPorts p) =>
    [
        new("www", $"https://www.{zone}:{p.Https}/", "A healthy HTTPS site", "Every step working: DNS, TCP, TLS 1.3 with a certificate from the lab CA chosen by SNI, HTTP/1.1 keep-alive.", Lesson: LabLesson.Start),
        new("api", $"https://api.{zone}:{p.Https}/", "A second name, its own certificate", "Same server and port as www, but SNI api.lab.test selects another certificate.", Lesson: LabLesson.Tls),
        new("alias", $"https://alias.{zone}:{p.Https}/", "A CNAME chain", "DNS follows alias → cdn → www before it finds an address; each record has its own TTL.", Lesson: LabLesson.Dns),
        new("redirect", $"https://redirect.{zone}:{p.Https}/", "A redirect chain", "301 to the same origin (the connection is reused), then 302 to another name (a new connection).", Lesson: LabLesson.Http),
        new("slow", $"https://slow.{zone}:{p.Https}/", "A slow server", "The first byte takes about 400 ms; the Server-Timing header says where the server spent it.", Lesson: LabLesson.Http),
        new("stream", $"https://stream.{zone}:{p.Https}/", "A slowly streamed body", "Chunked transfer coding: 8 chunks 100 ms apart, so the download step is long while the first byte is quick.", Lesson: LabLesson.Http),
        new("close", $"https://close.{zone}:{p.Https}/", "Server closes after the response", "Connection: close; the server closes first.", Lesson: LabLesson.Connection),
        new("http10", $"http://http10.{zone}:{p.Http10}/", "HTTP/1.0", "An HTTP/1.0 server: no keep-alive, it closes the connection after one response.", Lesson: LabLesson.Connection),
        new("plain", $"http://plain.{zone}:{p.Http}/", "Plain HTTP", "No TLS step at all: everything, headers included, crosses the network readable.", Lesson: LabLesson.Tls),
        new("h2", $"https://h2.{zone}:{p.Http2}/", "HTTP/2 only", "The server speaks only HTTP/2: it is met because the trace offers h2 in ALPN, as browsers do; the HTTP steps show its frames, streams and what HPACK saved.", Lesson: LabLesson.Http),
        new("h2-big-headers", $"https://h2-big-headers.{zone}:{p.Http2}/", "HTTP/2: headers too large for one frame", "The response's headers take about 30 KB, more than one 16 KB frame: the header block goes on in CONTINUATION frames, and HPACK's table cannot shrink what it has never seen.", Lesson: LabLesson.Http),
        new("tls12", $"https://tls12.{zone}:{p.Tls12}/", "TLS 1.2 only", "The server refuses TLS 1.3, so the handshake takes two round trips instead of one.", Lesson: LabLesson.Tls),
        new("error", $"https://error.{zone}:{p.Https}/", "A 500 error", "The trace completes: a 500 is an answer, not a network failure.", Lesson: LabLesson.Http),
        new("race", $"https://race.{zone}:{p.Https}/", "Happy Eyeballs fallback", "The name has IPv6 and IPv4 addresses; nothing listens on IPv6, so the race falls back to IPv4.", Lesson: LabLesson.Tcp),
        new("expired", $"https://expired.{zone}:{p.Https}/", "An expired certificate", "The handshake completes, but a browser would refuse the certificate: it expired.", null, Lesson: LabLesson.Tls),
        new("selfsigned", $"https://selfsigned.{zone}:{p.Https}/", "A self-signed certificate", "Nobody vouches for this certificate; a browser would refuse it.", null, Lesson: LabLesson.Tls),
        new("wrongname", $"https://wrongname.{zone}:{p.Https}/", "A certificate for the wrong name", "The server hands out a certificate for other-name.lab.test; a browser would refuse it.", null, Lesson: LabLesson.Tls),
        new("unknown", $"https://unknown.{zone}:{p.Https}/", "No certificate for this name", "The server has no certificate for this SNI name and falls back to its default certificate.", null, Lesson: LabLesson.Tls),
        new("refused", $"https://refused.{zone}:{p.Closed}/", "Connection refused", "Nothing listens on this port: the TCP step fails with a reset.", "Tcp", Lesson: LabLesson.Tcp),
        new("metadata", $"https://metadata.{zone}:{p.Https}/", "A redirect to a cloud metadata address", "The site redirects to 169.254.169.254; a FlowTrace server in public mode refuses to follow it.", null, Lesson: LabLesson.Http),
        new("hostile-text", $"https://hostile-text.{zone}:{p.Https}/", "Markup in headers and body", "The server sends <script> in a header and the body; FlowTrace shows it as text and never runs it.", Lesson: LabLesson.Hostile),
        .. Hostile.HostileHttpServer.Behaviours.Select(b => new LabSite($"hostile{b.Key.Replace('/', '-')}", $"http://hostile.{zone}:{p.HostileHttp}{b.Key}", $"Hostile: {b.Value}", b.Key == "/never-ends" ? "A body that never ends: FlowTrace stops reading at its cap and says so." : $"A server that {b.Value}: the trace fails cleanly, in bounded time.", b.Key == "/never-ends" ? null : "HttpResponse", LabLesson.Hostile)),
        .. Hostile.HostileHttp2Server.Behaviours.Select(b => new LabSite($"hostile-{b.Key}", $"https://{b.Key}.{zone}:{p.HostileHttp2}/", $"Hostile HTTP/2: {b.Value.Title}",
            b.Value.Demonstrates, b.Value.FailsAt, LabLesson.Hostile)),
        new("tls-garbage", $"https://garbage.{zone}:{p.HostileTls}/", "Hostile: not TLS at all", "The server answers the ClientHello with plain text.", "Tls", Lesson: LabLesson.Hostile),
        new("tls-huge-record", $"https://huge-record.{zone}:{p.HostileTls}/", "Hostile: a 16 MB handshake message", "The server announces a handshake message of 16 MB and sends nothing more.", "Tls", Lesson: LabLesson.Hostile),
        new("tls-alert", $"https://alert.{zone}:{p.HostileTls}/", "Hostile: an alert mid-handshake", "The server answers the ClientHello with a fatal handshake_failure alert.", "Tls", Lesson: LabLesson.Hostile),
        new("tls-silent", $"https://silent.{zone}:{p.HostileTls}/", "Hostile: no answer to the ClientHello", "The server accepts the connection and never answers: the TLS step times out.", "Tls", Lesson: LabLesson.Hostile),
        new("many-sans", $"https://many-sans.{zone}:{p.Https}/", "A certificate with 10,000 names", "The certificate lists 10,000 subject alternative names (260 KB): FlowTrace refuses a handshake message that large, with the size in the reason.", "Tls", Lesson: LabLesson.Hostile),
        new("dns-garbage", $"https://dns-garbage.{zone}:{p.Https}/", "Hostile DNS: garbage answer", "The DNS server answers with bytes that are not a DNS message.", "Dns", Lesson: LabLesson.Hostile),
        new("dns-wrongid", $"https://dns-wrongid.{zone}:{p.Https}/", "Hostile DNS: reply with the wrong ID", "The answer carries another query's ID: it is not the answer to this query (a spoofed or confused reply), and the DNS step says so.", "Dns", Lesson: LabLesson.Hostile),
        new("dns-malformed", $"https://dns-malformed.{zone}:{p.Https}/", "Hostile DNS: record longer than the message", "A record claims more data than the message holds.", "Dns", Lesson: LabLesson.Hostile),
        new("dns-truncated", $"https://dns-truncated.{zone}:{p.Https}/", "Hostile DNS: truncated, and TCP never answers", "The UDP answer has the TC bit; the retry over TCP gets nothing.", "Dns", Lesson: LabLesson.Hostile),
        new("dns-big", $"https://dns-big.{zone}:{p.Https}/", "Hostile DNS: 200 addresses", "An oversized answer (200 A records, 3 KB); none of the addresses listens, and the race gives up after a bounded number of attempts.", "Tcp", Lesson: LabLesson.Hostile),
        new("nxdomain", $"https://missing.{zone}:{p.Https}/", "A name that does not exist", "The lab's DNS server answers NXDOMAIN.", "Dns", Lesson: LabLesson.Dns),
        new("cname-loop", $"https://loop1.{zone}:{p.Https}/", "A CNAME loop", "loop1 → loop2 → loop1 …: the DNS step stops and says so.", "Dns", Lesson: LabLesson.Dns),
    ];
}
