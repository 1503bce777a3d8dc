using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tls;
using Bc = Org.BouncyCastle.Tls;

namespace FlowTrace.Tracer.Tracing;

/// <summary>
/// Runs every code path of a trace once against throw-away loopback servers before the first real trace,
/// so that JIT compilation and first-use initialisation do not land in a user's numbers: the paths real servers take,
/// not only the lab's (ECDSA P-256 and P-384 and RSA certificates, RSA-PSS and PKCS#1 signatures, X25519, P-256 and
/// P-384 key shares, AES-GCM and ChaCha20, TLS 1.3 and TLS 1.2 ECDHE, bodies by length and chunked).
/// </summary>
internal static class TracerWarmUp
{
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static readonly CipherSuitesPolicy ServerSuites = new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);

    /// <summary>One warm-up trace: the server's key and the client's narrowed offer.</summary>
    /// <param name="Version">The versions offered: "1.3", "1.2", or null for both, as real traces offer them.</param>
    /// <param name="Key">The server certificate's key: p256, p384 or rsa2048.</param>
    /// <param name="Group">The only key-exchange group offered, or 0 for BouncyCastle's default offer.</param>
    /// <param name="CipherSuite">The only cipher suite offered (with <paramref name="Group"/>).</param>
    /// <param name="Pkcs1Only">Offer RSA PKCS#1 signatures only (TLS 1.2 servers that still sign that way).</param>
    /// <param name="Chunked">The response body is chunked rather than sized.</param>
    /// <param name="ServerTls12Only">The server speaks TLS 1.2 only.</param>
    /// <param name="Http2">The client offers h2 and the server speaks HTTP/2 (frames, HPACK, SETTINGS and PING answered).</param>
    internal sealed record Path(string? Version, string Key, int Group, int CipherSuite, bool Pkcs1Only, bool Chunked, bool ServerTls12Only = false, bool Http2 = false);

    /// <summary>The paths warmed, each by one trace.</summary>
    internal static IReadOnlyList<Path> Paths { get; } =
    [
        new("1.3", "p256", Bc.NamedGroup.x25519, Bc.CipherSuite.TLS_AES_128_GCM_SHA256, false, false),
        new("1.3", "p384", Bc.NamedGroup.secp256r1, Bc.CipherSuite.TLS_AES_256_GCM_SHA384, false, true),
        new("1.3", "rsa2048", Bc.NamedGroup.secp384r1, Bc.CipherSuite.TLS_CHACHA20_POLY1305_SHA256, false, false),
        new("1.2", "rsa2048", Bc.NamedGroup.x25519, Bc.CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, true, true),
        new("1.2", "p256", Bc.NamedGroup.secp256r1, Bc.CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, false, false),
        new("1.2", "rsa2048", Bc.NamedGroup.secp384r1, Bc.CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, false, true),
        // The default offer (both versions, every group and suite, two key shares), as every real trace makes it.
        new(null, "rsa2048", 0, 0, false, false),
        new(null, "p256", 0, 0, false, true, ServerTls12Only: true),
        new(null, "rsa2048", 0, 0, false, false, ServerTls12Only: true),
        // HTTP/2, as a trace offering h2 meets it (its frames, HPACK and the connection's own messages).
        new(null, "p256", 0, 0, false, false, Http2: true),
    ];

    /// <summary>
    /// The paths warmed in this process. Where code is compiled on first use (JIT), every path. In a native binary
    /// (Native AOT) nothing is compiled, only first-use initialisation is left (BouncyCastle's tables, the system's
    /// trusted certificates, the socket machinery), which two P-256 paths meet, TLS 1.3 and TLS 1.2 (measured: the first
    /// real trace's split then matches a warm one's against TLS 1.3 and 1.2, ECDSA and RSA servers): generating RSA keys
    /// and tracing the other paths would cost a command-line run more than it saves.
    /// </summary>
    internal static IReadOnlyList<Path> PathsToWarm { get; } =
        System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled ? Paths : [.. Paths.Where(p => p.Key == "p256" && p.Version != "1.2")];

    /// <summary>Asks <paramref name="policy"/> about the kinds of destination traces meet (loopback, private, public,
    /// IPv6, IPv4-mapped), so that its code and tables are ready before a real trace asks.</summary>
    public static void AskPolicy(Policy.DestinationPolicy policy)
    {
        foreach (var address in new[] { "127.0.0.1", "10.1.2.3", "192.0.2.10", "203.0.113.7", "8.8.8.8", "::1", "fd00::1", "2001:db8::1", "2606:4700::1111", "::ffff:10.0.0.1" })
        {
            _ = policy.Check(new IPEndPoint(IPAddress.Parse(address), 443));
            _ = policy.Check(new IPEndPoint(IPAddress.Parse(address), 1));
        }
    }

    /// <summary>Warms the tracer; whatever goes wrong, real traces still run.</summary>
    public static async Task RunAsync(FlowTracer tracer, Action<TraceEvent>? observer)
    {
        try
        {
            await RunPathsAsync(tracer, observer).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Warm-up is an optimisation: whatever goes wrong, real traces still run.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        // Start real traces on a tidy heap: the warm-up's garbage is collected now, not in the middle of a step.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        GC.WaitForPendingFinalizers();
    }

    /// <summary>Traces every path once; returns, per path, the failure that stopped its trace (null: it completed).</summary>
    internal static async Task<IReadOnlyList<string?>> RunPathsAsync(FlowTracer tracer, Action<TraceEvent>? observer = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var resolver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var resolverTask = AnswerQueriesAsync(resolver, timeout.Token);
        // Leaves issued by a CA and sent with it, as real servers send their chains: building a chain through an issuer
        // is other code than accepting a self-signed certificate (~1.3 ms of the first real trace when only that was warm).
        // A CA per key, as servers bring CAs the process has not seen.
        var keys = new Dictionary<string, Func<AsymmetricAlgorithm>>
        {
            ["p256"] = () => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            ["p384"] = () => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            ["rsa2048"] = () => RSA.Create(2048),
        }.Where(k => PathsToWarm.Any(p => p.Key == k.Key)).ToDictionary();
        var authorities = keys.ToDictionary(k => k.Key, _ => CreateAuthority());
        var leaves = keys.ToDictionary(k => k.Key, k => Issue(k.Value(), authorities[k.Key]));
        // The CA goes out as the chain's second certificate (its private key is never sent).
        var certificates = leaves.ToDictionary(l => l.Key, l => SslStreamCertificateContext.Create(l.Value, [authorities[l.Key]], offline: true));
        var failures = new List<string?>();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        try
        {
            foreach (var path in PathsToWarm)
            {
                var server = path.Http2
                    ? ServeHttp2OnceAsync(listener, certificates[path.Key], timeout.Token)
                    : ServeOnceAsync(listener, certificates[path.Key], path.Chunked, path.ServerTls12Only, timeout.Token);
                var request = new TraceRequest
                {
                    Url = $"https://warm-up.invalid:{port}/",
                    DnsServer = resolver.Client.LocalEndPoint!.ToString(),
                    TlsVersions = path.Version is { } version ? [version] : ["1.3", "1.2"],
                    Alpn = HttpVersions.Alpn(path.Http2 ? FlowTrace.Contracts.Requests.HttpVersionPreference.Http2OrHttp11 : FlowTrace.Contracts.Requests.HttpVersionPreference.Http11),
                    // Half the paths trust the server's certificate as an extra root (as --cacert and the lab do),
                    // half judge it against the system's roots only.
                    // Hosts hand roots over as arrays (the command line) or one-element lists (the server's lab CA).
                    ExtraTrustedRoots = !path.Chunked ? [] : path.Version == "1.2" ? new[] { authorities[path.Key].RawData } : [authorities[path.Key].RawData],
                    // Half reach the server by name through the resolver, half as curl's --connect-to does.
                    ConnectTo = path.Chunked ? $"127.0.0.1:{port}" : null,
                    Offer = path.Group == 0 ? null : new TlsOffer([path.Group], [path.CipherSuite],
                        path.Pkcs1Only ? [Bc.SignatureAndHashAlgorithm.GetInstance(Bc.HashAlgorithm.sha256, Bc.SignatureAlgorithm.rsa)] : null),
                };
                string? failure = null;
                // Through the repeat runner, which runs the trace itself: hosts consume traces through both.
                await foreach (var update in tracer.RepeatAsync(request, 1, timeout.Token).ConfigureAwait(false))
                {
                    var traceEvent = update.Event!;
                    if (traceEvent.Kind == TraceEventKind.Failed)
                        failure ??= $"{traceEvent.Step}: {traceEvent.Message}";
                    Observe(observer, traceEvent);
                }

                failures.Add(failure);
                // If the trace failed before connecting, nobody will connect: do not wait for the server. A server
                // that refused the handshake is one path's failure, not the end of the warm-up.
                try
                {
                    await server.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The trace already reported what went wrong on the wire.
                catch (Exception e) when (e is not OperationCanceledException || !timeout.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    failures[^1] ??= $"server: {e.Message}";
                }
            }
        }
        finally
        {
            foreach (var certificate in leaves.Values.Concat(authorities.Values))
                certificate.Dispose();
            await timeout.CancelAsync().ConfigureAwait(false);
            await resolverTask.ConfigureAwait(false);
        }

        return failures;
    }

    private static void Observe(Action<TraceEvent>? observer, TraceEvent traceEvent)
    {
        try
        {
            observer?.Invoke(traceEvent);
        }
#pragma warning disable CA1031 // A host's warm-up consumer is an optimisation too.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>A throw-away resolver: answers A queries with 127.0.0.1 and everything else with no records.</summary>
    private static async Task AnswerQueriesAsync(UdpClient responder, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var query = await responder.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                var reply = WarmAnswer(query.Buffer);
                await responder.SendAsync(reply, query.RemoteEndPoint, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private static byte[] WarmAnswer(byte[] query)
    {
        var questionEnd = 12;
        while (questionEnd < query.Length && query[questionEnd] != 0)
            questionEnd += query[questionEnd] + 1;
        questionEnd += 5;
        var isA = questionEnd <= query.Length && query[questionEnd - 4] == 0 && query[questionEnd - 3] == 1;
        var reply = new List<byte>(query.AsSpan(0, questionEnd).ToArray());
        reply[2] = (byte)(reply[2] | 0x84);
        reply[7] = (byte)(isA ? 1 : 0);
        reply[11] = 0; // drop any EDNS record of the query
        if (isA)
            reply.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 127, 0, 0, 1]);
        return [.. reply];
    }

    private static async Task ServeOnceAsync(TcpListener listener, SslStreamCertificateContext certificate, bool chunked, bool tls12Only, CancellationToken cancellationToken)
    {
        using var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
        await using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            // Half the paths choose HTTP/1.1 by ALPN, as most real servers do; half choose nothing.
            ApplicationProtocols = chunked ? [SslApplicationProtocol.Http11] : null,
            EnabledSslProtocols = tls12Only ? System.Security.Authentication.SslProtocols.Tls12 : System.Security.Authentication.SslProtocols.None,
            // .NET's default server list on Linux leaves out TLS 1.2 ChaCha20, which real servers choose for clients
            // without AES instructions.
            CipherSuitesPolicy = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? ServerSuites : null,
        }, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[4096];
        var read = 0;
        while (read < 4 || !buffer.AsSpan(0, read).EndsWith("\r\n\r\n"u8))
        {
            var n = await tls.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
                return;
            read += n;
        }

        var response = chunked
            ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer-Timing: warm;dur=1\r\n\r\n2\r\nok\r\n0\r\n\r\n"u8.ToArray()
            : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nServer-Timing: warm;dur=1\r\nConnection: close\r\n\r\nok"u8.ToArray();
        await tls.WriteAsync(response, cancellationToken).ConfigureAwait(false);
        if (!chunked)
            return;
        // A keep-alive server, as real ones are: the client closes (close_notify, then FIN), and that path is warmed too.
        while (await tls.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <summary>One HTTP/2 exchange as a server answers it: its SETTINGS, the client's acknowledged, the PING echoed, a
    /// header block and a body; then it waits for the client's GOAWAY and close.</summary>
    private static async Task ServeHttp2OnceAsync(TcpListener listener, SslStreamCertificateContext certificate, CancellationToken cancellationToken)
    {
        using var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
        await using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            CipherSuitesPolicy = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? ServerSuites : null,
        }, cancellationToken).ConfigureAwait(false);
        await tls.ReadExactlyAsync(new byte[Http2.Http2Connection.Preface.Length], cancellationToken).ConfigureAwait(false);
        var answer = new List<byte>();
        answer.AddRange(new Http2.Http2Frame(Http2.Http2Frame.Settings, 0, 0, []).ToBytes());
        while (true)
        {
            var header = new byte[Http2.Http2Frame.HeaderLength];
            await tls.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            var payload = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
            await tls.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
            if (header[3] == Http2.Http2Frame.Settings && (header[4] & Http2.Http2Frame.Ack) == 0)
                answer.AddRange(new Http2.Http2Frame(Http2.Http2Frame.Settings, Http2.Http2Frame.Ack, 0, []).ToBytes());
            else if (header[3] == Http2.Http2Frame.Ping)
                answer.AddRange(new Http2.Http2Frame(Http2.Http2Frame.Ping, Http2.Http2Frame.Ack, 0, payload).ToBytes());
            else if (header[3] == Http2.Http2Frame.Headers)
                break;
        }

        // :status 200 from the static table, a Server-Timing literal (Huffman-coded), then the body.
        var block = new Http2.HpackEncoder().Encode([(":status", "200"), ("server-timing", "warm;dur=1")]);
        answer.AddRange(new Http2.Http2Frame(Http2.Http2Frame.Headers, Http2.Http2Frame.EndHeaders, 1, block).ToBytes());
        answer.AddRange(new Http2.Http2Frame(Http2.Http2Frame.Data, Http2.Http2Frame.EndStream, 1, "ok"u8.ToArray()).ToBytes());
        await tls.WriteAsync(answer.ToArray(), cancellationToken).ConfigureAwait(false);
        var buffer = new byte[4096];
        while (await tls.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <summary>A throw-away CA (ECDSA P-256, as many private CAs are).</summary>
    private static X509Certificate2 CreateAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Name("FlowTrace warm-up CA"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }

    /// <summary>A leaf for warm-up.invalid with <paramref name="key"/>, issued by <paramref name="authority"/>.</summary>
    private static X509Certificate2 Issue(AsymmetricAlgorithm key, X509Certificate2 authority)
    {
        using (key)
        {
            var request = key switch
            {
                ECDsa ec => new CertificateRequest(Name("warm-up.invalid"), ec, HashAlgorithmName.SHA256),
                RSA rsa => new CertificateRequest(Name("warm-up.invalid"), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                _ => throw new ArgumentException("ECDSA or RSA keys only", nameof(key)),
            };
            // The extensions real certificates carry, so that reading them is warm too.
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("warm-up.invalid");
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
            // Signed by the CA's ECDSA key whatever the leaf's key is (an RSA leaf under an ECDSA CA is common).
            using var authorityKey = authority.GetECDsaPrivateKey()!;
            using var issued = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(authorityKey),
                DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1), RandomNumberGenerator.GetBytes(8));
            using var withKey = key switch
            {
                ECDsa ec => issued.CopyWithPrivateKey(ec),
                _ => issued.CopyWithPrivateKey((RSA)key),
            };
            // Export and reload so that the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
    }

    /// <summary>A subject name written as UTF8String, as OpenSSL and most CAs write them.</summary>
    private static X500DistinguishedName Name(string commonName)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddOrganizationName("FlowTrace warm-up");
        name.AddCommonName(commonName);
        return name.Build();
    }
}
