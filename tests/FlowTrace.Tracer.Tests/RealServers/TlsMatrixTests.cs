using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tracing;
using S = FlowTrace.Contracts.Events.TraceStep;

namespace FlowTrace.Tracer.Tests.RealServers;

/// <summary>
/// Real TLS stacks and key types from Debian's packages (OpenSSL's s_server, GnuTLS's gnutls-serv), each traced and
/// compared with what the stack's own client (openssl s_client, gnutls-cli) sees: version, cipher suite, group, chain.
/// </summary>
public sealed class TlsMatrixTests : IDisposable
{
    private const string Name = "matrix.test";
    private static readonly S[] HttpsSteps = [S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection];
    private readonly string _directory = Directory.CreateTempSubdirectory("flowtrace-matrix-").FullName;
    private readonly X509Certificate2 _ca;

    public TlsMatrixTests()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=FlowTrace Matrix CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(_directory, "ca.pem"), _ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory, "ca.key"), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Writes a leaf for <see cref="Name"/> with the given key, issued by the matrix CA (or by
    /// <paramref name="issuer"/>); returns the PEM paths and the leaf's SHA-256 fingerprint as a trace shows it.</summary>
    private (string Certificate, string Key, string Fingerprint) Leaf(AsymmetricAlgorithm key, string label, (X509Certificate2 Certificate, ECDsa Key)? issuer = null)
    {
        var request = key switch
        {
            RSA rsa => new CertificateRequest($"CN={Name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest($"CN={Name}", ec, HashAlgorithmName.SHA384),
            _ => throw new ArgumentException("RSA or ECDSA", nameof(key)),
        };
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(Name);
        request.CertificateExtensions.Add(names.Build());
        using var caKey = _ca.GetECDsaPrivateKey()!;
        var (issuerName, issuerKey) = issuer is { } given ? (given.Certificate.SubjectName, given.Key) : (_ca.SubjectName, caKey);
        using var leaf = request.Create(issuerName, X509SignatureGenerator.CreateForECDsa(issuerKey), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [7, 7, (byte)label.Length]);
        var certificate = Path.Combine(_directory, $"{label}.crt");
        var keyFile = Path.Combine(_directory, $"{label}.key");
        File.WriteAllText(certificate, leaf.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificate, keyFile, FlowTrace.Tracer.Tls.CertificateInspector.Fingerprint(leaf));
    }

    private async Task<IReadOnlyList<TraceEvent>> TraceAsync(int port, IReadOnlyList<string>? alpn = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = new TraceRequest
        {
            Url = $"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/",
            Sni = SniMode.Custom,
            SniName = Name,
            ExtraTrustedRoots = [_ca.RawData],
            Alpn = alpn ?? ["http/1.1"],
        };
        var events = new List<TraceEvent>();
        // What is compared is what was negotiated and sent, not how long it took: no warm-up (nine handshakes a trace).
        await foreach (var e in new FlowTracer(new TracerOptions { WarmUp = false }).TraceAsync(request, timeout.Token))
            events.Add(e);
        return events;
    }

    /// <summary>s_client's brief report on the server, the matrix CA trusted.</summary>
    private Task<string> SClientAsync(int port, params string[] options) => SClientFullAsync(port, ["-brief", .. options]);

    /// <summary>s_client's full report (certificates, OCSP, tickets), the matrix CA trusted; <paramref name="stdin"/> is
    /// what it sends once connected.</summary>
    private async Task<string> SClientFullAsync(int port, string[] options, string stdin = "")
    {
        var (_, stdout, stderr) = await ExternalProcess.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "-servername", Name, "-CAfile", Path.Combine(_directory, "ca.pem"), .. options], stdin: stdin);
        return stdout + stderr;
    }

    /// <summary>An OCSP response about <paramref name="certificate"/> signed by the matrix CA, as an OCSP responder
    /// would give it (openssl ocsp with an index of issued certificates); the leaf is listed revoked when asked.</summary>
    private async Task<string> OcspResponseAsync(string certificate, bool revoked)
    {
        using var leaf = X509CertificateLoader.LoadCertificateFromFile(certificate);
        var expiry = leaf.NotAfter.ToUniversalTime().ToString("yyMMddHHmmss'Z'", CultureInfo.InvariantCulture);
        var revokedAt = revoked ? DateTime.UtcNow.AddHours(-1).ToString("yyMMddHHmmss'Z'", CultureInfo.InvariantCulture) : "";
        var index = Path.Combine(_directory, "index.txt");
        await File.WriteAllTextAsync(index, $"{(revoked ? "R" : "V")}\t{expiry}\t{revokedAt}\t{leaf.SerialNumber}\tunknown\t/CN={Name}\n");
        var response = Path.Combine(_directory, revoked ? "revoked.ocsp" : "good.ocsp");
        var ca = Path.Combine(_directory, "ca.pem");
        var (code, stdout, stderr) = await ExternalProcess.RunAsync("openssl",
            ["ocsp", "-index", index, "-rsigner", ca, "-rkey", Path.Combine(_directory, "ca.key"), "-CA", ca, "-issuer", ca, "-cert", certificate, "-respout", response, "-ndays", "7"]);
        Assert.True(code == 0, stdout + stderr);
        return response;
    }

    [Theory]
    [InlineData("-tls1_3", false)]
    [InlineData("-tls1_2", false)]
    [InlineData("-tls1_3", true)]
    public async Task OpensslServer_StaplesOcsp_StatusAndDatesReadLikeSClient(string version, bool revoked)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (certificate, keyFile, _) = Leaf(key, "ocsp" + version + revoked);
        using var server = await OpensslServer.StartAsync(certificate, keyFile, version, "-status_file", await OcspResponseAsync(certificate, revoked));
        var events = await TraceAsync(server.Port);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        var staple = Assert.IsType<StapledOcspResponse>(tls.StapledOcsp);
        Assert.Equal(("successful", revoked ? "revoked" : "good", true), (staple.ResponseStatus, staple.CertificateStatus, staple.ForLeaf));
        Assert.InRange(staple.NextUpdate!.Value - staple.ThisUpdate!.Value, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.InRange(staple.ProducedAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Contains(events, e => e.Step == S.Tls && e.Kind == TraceEventKind.Completed && e.Message.Contains($"OCSP response stapled ({staple.CertificateStatus})", StringComparison.Ordinal));
        if (revoked)
        {
            Assert.Equal("ocsp-revoked", Assert.Single(tls.Findings).Code);
            Assert.False(tls.CertificateAccepted);
        }
        else
        {
            Assert.Empty(tls.Findings);
            TraceAssert.Completed(events, HttpsSteps);
        }

        // s_client asking for the status reads the same response.
        var openssl = await SClientFullAsync(server.Port, ["-status", version]);
        Assert.Contains("OCSP Response Status: successful (0x0)", openssl, StringComparison.Ordinal);
        Assert.Contains($"Cert Status: {staple.CertificateStatus}", openssl, StringComparison.Ordinal);
        // openssl pads the day with a space ("Dec  6"); the same instant either way.
        Assert.Contains($"Next Update: {staple.NextUpdate.Value.UtcDateTime.ToString("MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture)}", openssl.Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-tls1_3", 2, "-num_tickets")]
    [InlineData("-tls1_2", 1, "-no_ticket")]
    public async Task OpensslServer_IssuesSessionTickets_CountAndLifetimeUnderConnectionHandling(string version, int count, string noTickets)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (certificate, keyFile, _) = Leaf(key, "tickets" + version);
        using var server = await OpensslServer.StartAsync(certificate, keyFile, version);
        var events = await TraceAsync(server.Port);
        TraceAssert.Completed(events, HttpsSteps);
        var connection = TraceAssert.Detail<ConnectionDetails>(events);
        Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(7200), count), connection.SessionTicketLifetimes);
        Assert.Contains(events, e => e.Step == S.Connection && e.Kind == TraceEventKind.Completed
            && e.Message.Contains($"{count} session ticket{(count == 1 ? "" : "s")} issued (valid 2 h)", StringComparison.Ordinal));
        // s_client, making a request and reading to the end, is given as many tickets of the same lifetime.
        var stdout = await SClientFullAsync(server.Port, [version, "-ign_eof"], stdin: "GET / HTTP/1.0\r\n\r\n");
        Assert.Equal(count, stdout.Split('\n').Count(line => line.Trim() == "TLS session ticket lifetime hint: 7200 (seconds)"));

        using var ticketless = await OpensslServer.StartAsync(certificate, keyFile, [version, noTickets, .. noTickets == "-num_tickets" ? ["0"] : Array.Empty<string>()]);
        Assert.Empty(TraceAssert.Detail<ConnectionDetails>(await TraceAsync(ticketless.Port)).SessionTicketLifetimes!);
    }


    [Theory]
    [InlineData("rsa2048", "ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ServerKeyExchange")]
    [InlineData("rsa2048", "AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256", null)]
    [InlineData("p384", "ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ServerKeyExchange")]
    public async Task OpensslTls12_SuiteAndKey_TracedLikeSClientWithEveryFlightNamed(string keyKind, string cipher, string suite, string? keyExchangeMessage)
    {
        using AsymmetricAlgorithm key = keyKind == "p384" ? ECDsa.Create(ECCurve.NamedCurves.nistP384) : RSA.Create(2048);
        var (certificate, keyFile, fingerprint) = Leaf(key, keyKind + cipher);
        using var server = await OpensslServer.StartAsync(certificate, keyFile, "-tls1_2", "-cipher", cipher);
        var events = await TraceAsync(server.Port);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        var openssl = await SClientAsync(server.Port, "-cipher", cipher, "-tls1_2");
        Assert.Contains("Protocol version: TLSv1.2", openssl, StringComparison.Ordinal);
        Assert.Contains("Verification: OK", openssl, StringComparison.Ordinal);
        if (tls.CipherSuite != suite)
        {
            // A suite FlowTrace does not offer (as browsers no longer offer RSA key exchange): a named refusal, not an exception.
            Assert.Null(keyExchangeMessage);
            TraceAssert.FailedAt(events, S.Tls, "tls-alert");
            return;
        }

        TraceAssert.Completed(events, HttpsSteps);
        Assert.Equal(("TLS 1.2", 2, fingerprint), (tls.Version, tls.RoundTrips, tls.Certificates[0].Sha256Fingerprint));
        Assert.Equal((keyKind == "p384" ? "ECDSA" : "RSA", keyKind == "p384" ? 384 : 2048), (tls.Certificates[0].KeyType, tls.Certificates[0].KeySize));
        var names = events.Select(e => e.Details).OfType<TlsRecordDetails>().SelectMany(r => r.HandshakeTypes).ToList();
        Assert.Contains("server_hello_done", names);
        Assert.Contains("client_key_exchange", names);
        Assert.Contains("finished", events.Select(e => e.Details).OfType<TlsHandshakeMessageDetails>().Select(m => m.MessageType));
        Assert.Equal(keyExchangeMessage is not null, names.Contains("server_key_exchange"));
        Assert.Equal(keyExchangeMessage is not null, tls.KeyExchangeGroup is not null);
        Assert.Contains(tls.CipherSuite.Contains("ECDHE", StringComparison.Ordinal) ? "ECDHE" : "Ciphersuite", openssl, StringComparison.Ordinal);
        // Both clients offer X25519 first; the server takes it for ECDHE (s_client: "Peer Temp Key: X25519").
        if (tls.KeyExchangeGroup is { } group)
        {
            Assert.Contains($"Temp Key: {group}", openssl, StringComparison.OrdinalIgnoreCase);
            // The ServerKeyExchange's signature: s_client names its kind and hash ("Signature type: RSA-PSS", "Hash used: SHA256").
            var signature = Assert.IsType<string>(tls.KeyExchangeSignature);
            var kind = signature.StartsWith("rsa_pss_", StringComparison.Ordinal) ? "RSA-PSS" : signature.StartsWith("ecdsa_", StringComparison.Ordinal) ? "ECDSA" : "RSA";
            var hash = signature[(signature.LastIndexOf('_') + 1)..].ToUpperInvariant();
            Assert.Contains($"Signature type: {kind}", openssl, StringComparison.Ordinal);
            Assert.Contains($"Hash used: {hash}", openssl, StringComparison.Ordinal);
            Assert.Contains(events, e => e.Step == S.Tls && e.Message == $"Processed server_key_exchange: ECDHE on {group}, signed with {signature}");
        }
        else
            Assert.Null(tls.KeyExchangeSignature);
    }

    [Fact]
    public async Task OpensslTls13_Rsa4096Leaf_KeySizeAndFingerprintLikeTheFile()
    {
        using var key = RSA.Create(4096);
        var (certificate, keyFile, fingerprint) = Leaf(key, "rsa4096");
        using var server = await OpensslServer.StartAsync(certificate, keyFile, "-tls1_3");
        var events = await TraceAsync(server.Port);
        TraceAssert.Completed(events, HttpsSteps);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal(("RSA", 4096, fingerprint, 1), (tls.Certificates[0].KeyType, tls.Certificates[0].KeySize, tls.Certificates[0].Sha256Fingerprint, tls.RoundTrips));
        Assert.Contains(tls.CipherSuite, await SClientAsync(server.Port, "-ciphersuites", tls.CipherSuite), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GnutlsServer_Tls13_TracedLikeGnutlsCli()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (certificate, keyFile, fingerprint) = Leaf(key, "gnutls");
        var port = ExternalProcess.FreePort();
        using var server = ExternalProcess.Start("gnutls-serv", ["--http", "-p", port.ToString(CultureInfo.InvariantCulture), "--x509certfile", certificate, "--x509keyfile", keyFile]);
        await ExternalProcess.WaitForTcpAsync(port, server, "gnutls-serv");
        var events = await TraceAsync(port);
        TraceAssert.Completed(events, HttpsSteps);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal(("TLS 1.3", fingerprint, 1), (tls.Version, tls.Certificates[0].Sha256Fingerprint, tls.RoundTrips));
        Assert.Empty(tls.Findings);
        // gnutls-cli offering what FlowTrace got (its names: X25519, AES-128-GCM) meets the server the same way.
        Assert.Equal(("x25519", "TLS_AES_128_GCM_SHA256"), (tls.KeyExchangeGroup, tls.CipherSuite));
        var (_, stdout, stderr) = await ExternalProcess.RunAsync("gnutls-cli",
            ["--x509cafile", Path.Combine(_directory, "ca.pem"), "--sni-hostname", Name, "--verify-hostname", Name,
             "--priority", "NORMAL:-GROUP-ALL:+GROUP-X25519:-CIPHER-ALL:+AES-128-GCM", "-p", port.ToString(CultureInfo.InvariantCulture), "127.0.0.1"], stdin: "");
        var gnutls = stdout + stderr;
        Assert.Contains("- Status: The certificate is trusted.", gnutls, StringComparison.Ordinal);
        Assert.Contains("(TLS1.3-X.509)-(ECDHE-X25519)-", gnutls, StringComparison.Ordinal);
        Assert.Contains("-(AES-128-GCM)", gnutls, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpensslServer_ChainSentOutOfOrder_NotedInIssuingOrderAndAcceptedAsSClientDoes()
    {
        // Matrix CA → intermediate → leaf; the server sends leaf, root, intermediate.
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=FlowTrace Matrix Intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        using var intermediate = intermediateRequest.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [9, 1]);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (certificate, key, _) = Leaf(leafKey, "ordered-leaf", (intermediate, intermediateKey));
        var chain = Path.Combine(_directory, "root-then-intermediate.pem");
        await File.WriteAllTextAsync(chain, _ca.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
        using var server = await OpensslServer.StartAsync(certificate, key, "-cert_chain", chain);

        var events = await TraceAsync(server.Port);
        TraceAssert.Completed(events, HttpsSteps);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal([$"CN={Name}", "CN=FlowTrace Matrix CA", "CN=FlowTrace Matrix Intermediate"], tls.Certificates.Select(c => c.Subject));
        var finding = Assert.Single(tls.Findings);
        Assert.Equal(("chain-order", FindingSeverity.Info), (finding.Code, finding.Severity));
        Assert.Contains($"'CN={Name}' → 'CN=FlowTrace Matrix Intermediate' → 'CN=FlowTrace Matrix CA'", finding.Message, StringComparison.Ordinal);
        Assert.True(tls.CertificateAccepted);
        // s_client sees the same order on the wire and, like browsers, verifies the chain anyway.
        var openssl = await SClientFullAsync(server.Port, ["-showcerts"]);
        Assert.Contains("Verify return code: 0 (ok)", openssl, StringComparison.Ordinal);
        var order = System.Text.RegularExpressions.Regex.Matches(openssl, @"^ ?(\d) s:(.+)$", System.Text.RegularExpressions.RegexOptions.Multiline).Select(m => m.Groups[2].Value.Trim()).ToList();
        Assert.Equal([$"CN = {Name}", "CN = FlowTrace Matrix CA", "CN = FlowTrace Matrix Intermediate"], order);
    }

    public static TheoryData<string> Stacks => new(TlsStackServer.Stacks);

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task DebianServer_EachTlsStack_TracedLikeSClientOnTheSameServer(string stack)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (certificate, keyFile, fingerprint) = Leaf(key, stack);
        using var server = await TlsStackServer.StartAsync(stack, Name, certificate, keyFile);
        var events = await TraceAsync(server.Port);
        TraceAssert.Completed(events, HttpsSteps);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Empty(tls.Findings);
        Assert.Equal((200, true), (TraceAssert.Detail<HttpResponseDetails>(events).StatusCode, TraceAssert.Detail<HttpResponseDetails>(events).BodyPreview?.Contains($"hello from {stack}", StringComparison.Ordinal)));
        Assert.DoesNotContain(events, e => e.Details is StepFailureDetails);

        // s_client offering what FlowTrace offers (TLS 1.3 suites in Chrome's order, X25519 first, http/1.1) meets the
        // same server the same way: version, suite, group, protocol and the very certificates.
        var openssl = await SClientFullAsync(server.Port,
            ["-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256", "-groups", "X25519:P-256:P-384", "-alpn", "http/1.1", "-showcerts"]);
        Assert.Contains("Verify return code: 0 (ok)", openssl, StringComparison.Ordinal);
        Assert.Contains($"New, TLSv1.3, Cipher is {tls.CipherSuite}", openssl, StringComparison.Ordinal);
        Assert.Equal(("TLS 1.3", "x25519"), (tls.Version, tls.KeyExchangeGroup));
        Assert.Contains("Server Temp Key: X25519", openssl, StringComparison.Ordinal);
        Assert.Contains(tls.Alpn is { } alpn ? $"ALPN protocol: {alpn}" : "No ALPN negotiated", openssl, StringComparison.Ordinal);
        var sent = System.Text.RegularExpressions.Regex.Matches(openssl, "-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----")
            .Select(m => { using var c = X509Certificate2.CreateFromPem(m.Value); return FlowTrace.Tracer.Tls.CertificateInspector.Fingerprint(c); }).ToList();
        Assert.Equal(sent, tls.Certificates.Select(c => c.Sha256Fingerprint));
        Assert.Equal(fingerprint, tls.Certificates[0].Sha256Fingerprint);
    }

    public static TheoryData<string> Http2Stacks => new(TlsStackServer.Http2Stacks);

    [Theory]
    [MemberData(nameof(Http2Stacks))]
    public async Task DebianServer_Http2WhereTheServerAgrees_FramesAndResponseAsCurlHttp2Sees(string stack)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (certificate, keyFile, _) = Leaf(key, stack);
        using var server = await TlsStackServer.StartAsync(stack, Name, certificate, keyFile);
        var events = await TraceAsync(server.Port, ["h2", "http/1.1"]);
        TraceAssert.Completed(events, HttpsSteps);
        Assert.Equal("h2", TraceAssert.Detail<TlsHandshakeDetails>(events).Alpn);
        var response = TraceAssert.Detail<HttpResponseDetails>(events);
        Assert.Equal(("HTTP/2", 200), (response.Version, response.StatusCode));
        Assert.Contains(events, e => e.Details is Http2FrameDetails { FrameType: "HEADERS", Direction: WireDirection.ServerToClient, HeaderBlock: not null });

        // curl over HTTP/2 on the same server: the protocol, the status and the body's size.
        var ca = Path.Combine(Path.GetDirectoryName(certificate)!, "ca-for-curl.pem");
        await File.WriteAllTextAsync(ca, _ca.ExportCertificatePem());
        var (code, stdout, stderr) = await ExternalProcess.RunAsync("curl",
            ["-s", "--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code} %{size_download}", "--cacert", ca,
             "--resolve", $"{Name}:{server.Port}:127.0.0.1", $"https://{Name}:{server.Port}/"], stdin: "");
        Assert.True(code == 0, stderr);
        Assert.Equal($"2 200 {response.BodyBytes}", stdout.Trim());

        // s_client offering h2 and http/1.1, as the trace did: the same protocol chosen.
        Assert.Contains("ALPN protocol: h2", await SClientFullAsync(server.Port, ["-alpn", "h2,http/1.1"]), StringComparison.Ordinal);

        // nghttp -v on the same server: the server's SETTINGS, the response's header fields (as decoded from HPACK) and
        // the body's DATA as nghttp reads them. Date differs from one answer to the next; the rest must agree.
        var (nghttpCode, verbose, nghttpError) = await ExternalProcess.RunAsync("nghttp",
            ["-v", "-n", "-H", $":authority: {Name}", $"https://127.0.0.1:{server.Port}/"], stdin: "");
        Assert.True(nghttpCode == 0, nghttpError + verbose);
        var frames = events.Select(e => e.Details).OfType<Http2FrameDetails>().ToList();
        var settings = frames.First(f => f is { Direction: WireDirection.ServerToClient, FrameType: "SETTINGS", FlagNames: "" });
        var lines = verbose.Split('\n');
        var first = Array.FindIndex(lines, l => l.Contains("recv SETTINGS frame", StringComparison.Ordinal) && l.Contains("flags=0x00", StringComparison.Ordinal));
        Assert.True(first >= 0, verbose);
        var nghttpSettings = lines.Skip(first + 1).Select(l => l.Trim()).TakeWhile(l => l.StartsWith("(niv=", StringComparison.Ordinal) || l.StartsWith("[SETTINGS_", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\[SETTINGS_(\w+)\(0x[0-9a-f]+\):(\d+)\]$")).Where(m => m.Success)
            .Select(m => $"{m.Groups[1].Value}={m.Groups[2].Value}").ToList();
        Assert.Equal(nghttpSettings.Count == 0 ? "no settings (all defaults)" : string.Join(", ", nghttpSettings), settings.Summary);
        var received = System.Text.RegularExpressions.Regex.Matches(verbose, @"recv \(stream_id=\d+\) ([^:\s][^:]*|:status): (.*)")
            .Select(m => (Name: m.Groups[1].Value.Trim(), Value: m.Groups[2].Value.Trim())).Where(h => h.Name != "date").ToList();
        var block = frames.First(f => f is { Direction: WireDirection.ServerToClient, FrameType: "HEADERS", StreamId: 1 }).HeaderBlock!;
        Assert.Equal(received, block.Fields.Select(f => (f.Name, f.Value)).Where(h => h.Name != "date"));
        var dataBytes = System.Text.RegularExpressions.Regex.Matches(verbose, @"recv DATA frame <length=(\d+), flags=0x0[01], stream_id=\d+>").Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(response.BodyBytes, dataBytes);
    }
}
