using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using S = FlowTrace.Contracts.Events.TraceStep;

namespace FlowTrace.Tracer.Tests.RealServers;

/// <summary>OpenSSL's s_server in the handshake shapes real servers have, each traced and checked against s_client.</summary>
[Collection(RealServersCollection.Name)]
public sealed class HandshakeShapeTests(RealServersFixture servers)
{
    private const string Name = "a.nginx.test";
    private static readonly S[] HttpsSteps = [S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection];

    private Task<OpensslServer> StartAsync(params string[] options) =>
        OpensslServer.StartAsync(Path.Combine(servers.Directory, $"{Name}.crt"), Path.Combine(servers.Directory, $"{Name}.key"), options);

    private async Task<IReadOnlyList<TraceEvent>> TraceAsync(int port, bool trustTestCa = true, IReadOnlyList<string>? alpn = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<TraceEvent>();
        var request = servers.Request($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/") with { Sni = SniMode.Custom, SniName = Name };
        if (!trustTestCa)
            request = request with { ExtraTrustedRoots = [] };
        if (alpn is not null)
            request = request with { Alpn = alpn };
        await foreach (var e in servers.Tracer.TraceAsync(request, timeout.Token))
            events.Add(e);
        return events;
    }

    private static async Task<string> SClientAsync(int port, params string[] options)
    {
        var (_, stdout, stderr) = await ExternalProcess.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "-servername", Name, .. options], stdin: "");
        return stdout + stderr;
    }

    [Fact]
    public async Task TlsStep_ServerInsistsOnP384_HelloRetryRequestNamedAndCounted()
    {
        using var server = await StartAsync("-tls1_3", "-groups", "P-384");
        var events = await TraceAsync(server.Port);
        TraceAssert.Completed(events, HttpsSteps);
        var records = events.Select(e => e.Details).OfType<TlsRecordDetails>().ToList();
        // The server's first answer is a HelloRetryRequest, and the client's second hello is a plain ClientHello again.
        Assert.Equal(["hello_retry_request"], records.First(r => r.Direction == WireDirection.ServerToClient).HandshakeTypes);
        Assert.Equal(2, records.Count(r => r.Direction == WireDirection.ClientToServer && r.HandshakeTypes.Contains("client_hello")));
        Assert.DoesNotContain(records, r => r.Direction == WireDirection.ClientToServer && r.ContentType == "handshake" && r.HandshakeTypes.Contains("encrypted_handshake_message"));
        Assert.Single(records, r => r.Direction == WireDirection.ServerToClient && r.HandshakeTypes.Contains("server_hello"));
        Assert.Contains(events, e => e.Step == S.Tls && e.Message.StartsWith("HelloRetryRequest: the server wants a key share for secp384r1", StringComparison.Ordinal));
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal(("secp384r1", "secp384r1", 2), (tls.HelloRetryGroup, tls.KeyExchangeGroup, tls.RoundTrips));
        // s_client offering X25519 first (and the suite FlowTrace got) meets the same server the same way: TLS 1.3 on P-384.
        var openssl = await SClientAsync(server.Port, "-groups", "X25519:P-384", "-ciphersuites", tls.CipherSuite);
        Assert.Contains("TLSv1.3", openssl, StringComparison.Ordinal);
        Assert.Contains(tls.CipherSuite, openssl, StringComparison.Ordinal);
        Assert.Contains("secp384r1", openssl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsStep_PlainTls13Server_OneRoundTripAndNoRetry()
    {
        using var server = await StartAsync("-tls1_3");
        var events = await TraceAsync(server.Port);
        TraceAssert.Completed(events, HttpsSteps);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal((null, 1), (tls.HelloRetryGroup, tls.RoundTrips));
        Assert.DoesNotContain(events, e => e.Details is TlsRecordDetails r && r.HandshakeTypes.Contains("hello_retry_request"));
    }

    [Fact]
    public async Task TlsStep_Tls12Server_TwoRoundTrips()
    {
        using var server = await StartAsync("-tls1_2");
        var events = await TraceAsync(server.Port);
        TraceAssert.Completed(events, HttpsSteps);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal(("TLS 1.2", 2), (tls.Version, tls.RoundTrips));
        Assert.Contains("TLSv1.2", await SClientAsync(server.Port), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpSteps_Http2OnlyServerChoosesNoAlpn_FailureExplainedNotUnexpected()
    {
        var port = ExternalProcess.FreePort();
        using var nghttpd = ExternalProcess.Start("nghttpd",
            ["-a", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), Path.Combine(servers.Directory, $"{Name}.key"), Path.Combine(servers.Directory, $"{Name}.crt")]);
        await ExternalProcess.WaitForTcpAsync(port, nghttpd, "nghttpd");
        // HTTP/1.1 only (--http1.1): an HTTP/2-only server then chooses nothing.
        var events = await TraceAsync(port, alpn: ["http/1.1"]);
        Assert.All(new[] { S.Dns, S.Tcp, S.Tls, S.HttpRequest }, step => Assert.Contains(events, e => e.Step == step && e.Kind == TraceEventKind.Completed));
        Assert.Contains(events, e => e.Step == S.Tls && e.Kind == TraceEventKind.Completed && e.Message.Contains("no ALPN protocol chosen (offered http/1.1)", StringComparison.Ordinal));
        var failure = TraceAssert.FailedAt(events, S.ServerProcessing, "http-closed");
        Assert.Contains("it may speak only HTTP/2", failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Details is StepFailureDetails { Code: "internal-error" });
        // s_client sees the same: no protocol chosen for http/1.1.
        Assert.Contains("No ALPN negotiated", await SClientAsync(port, "-alpn", "http/1.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsStep_PrivateCaChainWithItsRoot_UntrustedRootNamedThenValidWhenTrusted()
    {
        var caPem = Path.Combine(servers.Directory, "ca-for-s_server.pem");
        await File.WriteAllTextAsync(caPem, System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(servers.CaCertificate).ExportCertificatePem());
        using var server = await StartAsync("-cert_chain", caPem);
        var events = await TraceAsync(server.Port, trustTestCa: false);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal(2, tls.Certificates.Count);
        var finding = Assert.Single(tls.Findings);
        Assert.Equal("untrusted-root", finding.Code);
        Assert.Contains("complete up to its root 'CN=FlowTrace Test CA'", finding.Message, StringComparison.Ordinal);
        // The same chain, its root trusted for the trace: valid, as s_client finds with -CAfile.
        Assert.Empty(TraceAssert.Detail<TlsHandshakeDetails>(await TraceAsync(server.Port)).Findings);
        Assert.Contains("Verification: OK", await SClientAsync(server.Port, "-CAfile", caPem, "-brief"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsStep_LeafSentWithoutItsIssuer_IncompleteChainNamesTheIssuer()
    {
        using var server = await StartAsync();
        var finding = Assert.Single(TraceAssert.Detail<TlsHandshakeDetails>(await TraceAsync(server.Port, trustTestCa: false)).Findings);
        Assert.Equal("incomplete-chain", finding.Code);
        Assert.Contains("'CN=FlowTrace Test CA'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls13ServerRequiringClientCertificate_RefusalExplainedAsMutualTls()
    {
        using var server = await StartAsync("-tls1_3", "-Verify", "1");
        var events = await TraceAsync(server.Port);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.True(tls.ClientCertificateRequested);
        Assert.Contains(events, e => e.Step == S.Tls && e.Message == "Processed certificate_request");
        // TLS 1.3: the refusal comes after the client's Finished, with the first read.
        var failure = TraceAssert.FailedAt(events, S.ServerProcessing, "tls-client-certificate-required");
        Assert.Contains("certificate_required", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("mutual TLS", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("after the client's Finished", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls12ServerRequiringClientCertificate_HandshakeFailsAsMutualTls()
    {
        using var server = await StartAsync("-tls1_2", "-Verify", "1");
        var events = await TraceAsync(server.Port);
        var failure = TraceAssert.FailedAt(events, S.Tls, "tls-client-certificate-required");
        Assert.Contains("mutual TLS", failure.Reason, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Details is TlsRecordDetails { Direction: WireDirection.ServerToClient } r && r.HandshakeTypes.Contains("certificate_request"));
    }

    [Fact]
    public async Task ServerAskingForAnOptionalClientCertificate_TraceCompletesAndSaysSo()
    {
        using var server = await StartAsync("-tls1_3", "-verify", "1");
        var events = await TraceAsync(server.Port);
        TraceAssert.Completed(events, HttpsSteps);
        Assert.True(TraceAssert.Detail<TlsHandshakeDetails>(events).ClientCertificateRequested);
        Assert.Contains(events, e => e.Step == S.Tls && e.Kind == TraceEventKind.Completed && e.Message.Contains("asked for a client certificate", StringComparison.Ordinal));
    }
}
