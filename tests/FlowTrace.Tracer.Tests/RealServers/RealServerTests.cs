using FlowTrace.Contracts.Requests;
using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;
using Xunit.Abstractions;
using S = FlowTrace.Contracts.Events.TraceStep;

namespace FlowTrace.Tracer.Tests.RealServers;

[Collection(RealServersCollection.Name)]
public sealed class RealServerTests(RealServersFixture servers, ITestOutputHelper output)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private async Task<IReadOnlyList<TraceEvent>> TraceAsync(TraceRequest request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<TraceEvent>();
        await foreach (var e in servers.Tracer.TraceAsync(request, timeout.Token))
            events.Add(e);
        return events;
    }

    [Fact]
    public async Task DnsStep_CnameChainOnDnsmasq_MatchesDig()
    {
        var events = await TraceAsync(servers.Request($"http://alias.dm.test:{servers.HttpPort}/") with { AddressFamily = AddressFamilyPreference.IPv4 });
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        var query = events.Select(e => e.Details).OfType<DnsQueryDetails>().Single();
        var (_, dig, _) = await ExternalProcess.RunAsync("dig", ["@127.0.0.1", "-p", servers.DnsPort.ToString(Invariant), "alias.dm.test", "A", "+noall", "+answer"]);
        var digAnswers = dig.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (f[0].TrimEnd('.'), f[3], int.Parse(f[1], Invariant), f[4].TrimEnd('.')))
            .ToList();
        Assert.Equal(3, digAnswers.Count);
        Assert.Equal(digAnswers, query.Answers.Select(a => (a.Name, a.Type, a.TimeToLive, a.Value)));
        Assert.Equal(["alias.dm.test", "mid.dm.test", "www.dm.test"], TraceAssert.Detail<DnsResultDetails>(events).CnameChain);
        Assert.Equal($"127.0.0.1:{servers.DnsPort}", query.Resolver);
    }

    [Fact]
    public async Task DnsStep_BothFamiliesOnDnsmasq_MatchDig()
    {
        var events = await TraceAsync(servers.Request($"http://www.dm.test:{servers.HttpPort}/"));
        var queries = events.Select(e => e.Details).OfType<DnsQueryDetails>().ToDictionary(q => q.QueryType);
        foreach (var type in new[] { "A", "AAAA" })
        {
            var (_, dig, _) = await ExternalProcess.RunAsync("dig", ["@127.0.0.1", "-p", servers.DnsPort.ToString(Invariant), "www.dm.test", type, "+short"]);
            Assert.Equal(dig.Split('\n', StringSplitOptions.RemoveEmptyEntries), queries[type].Answers.Select(a => a.Value));
        }
    }

    [Fact]
    public async Task DnsStep_UnknownNameOnDnsmasq_IsNxdomainLikeDig()
    {
        var events = await TraceAsync(servers.Request($"http://nothing.dm.test:{servers.HttpPort}/"));
        TraceAssert.FailedAt(events, S.Dns, "dns-nxdomain");
        var (_, dig, _) = await ExternalProcess.RunAsync("dig", ["@127.0.0.1", "-p", servers.DnsPort.ToString(Invariant), "nothing.dm.test", "A"]);
        Assert.Contains("NXDOMAIN", dig, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.nginx.test")]
    [InlineData("b.nginx.test")]
    [InlineData("c.nginx.test")]
    [InlineData("unknown.nginx.test")]
    [InlineData(null)]
    public async Task TlsStep_CertificatePerSniOnNginx_MatchesOpensslSClient(string? serverName)
    {
        var request = servers.Request($"https://127.0.0.1:{servers.HttpsPort}/") with
        {
            Sni = serverName is null ? SniMode.None : SniMode.Custom,
            SniName = serverName,
        };
        var events = await TraceAsync(request);
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        var expected = await OpensslFingerprintAsync(servers.HttpsPort, serverName);
        Assert.Equal(expected, tls.Certificates[0].Sha256Fingerprint);
        var body = TraceAssert.Detail<HttpResponseDetails>(events);
        Assert.Equal(200, body.StatusCode);
        var isVhost = serverName is not null && RealServersFixture.VirtualHosts.Contains(serverName);
        Assert.Equal(isVhost ? [serverName!] : ["default.nginx.test"], tls.Certificates[0].SubjectAlternativeNames);
        Assert.Equal(isVhost, tls.CertificateAccepted);
        Assert.Equal(2, tls.Certificates.Count);
    }

    [Fact]
    public async Task TlsStep_Tls12OnlyVhostOnNginx_NegotiatesTls12LikeOpenssl()
    {
        var request = servers.Request($"https://127.0.0.1:{servers.Tls12Port}/") with { Sni = SniMode.Custom, SniName = "old.nginx.test" };
        var events = await TraceAsync(request);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal("TLS 1.2", tls.Version);
        Assert.Equal(await OpensslFingerprintAsync(servers.Tls12Port, "old.nginx.test"), tls.Certificates[0].Sha256Fingerprint);
        var (_, stdout, stderr) = await ExternalProcess.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{servers.Tls12Port}", "-servername", "old.nginx.test", "-brief"], stdin: "");
        var text = stdout + stderr;
        Assert.Contains("TLSv1.2", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.nginx.test")]
    [InlineData("b.nginx.test")]
    public async Task HttpSteps_StatusHeadersAndBodyOnNginx_MatchCurl(string host)
    {
        var url = $"https://{host}:{servers.HttpsPort}/";
        var events = await TraceAsync(servers.Request(url) with { ConnectTo = $"127.0.0.1:{servers.HttpsPort}" });
        var response = TraceAssert.Detail<HttpResponseDetails>(events);
        var (code, curl, error) = await ExternalProcess.RunAsync("curl",
            ["-sk", "--http1.1", "--resolve", $"{host}:{servers.HttpsPort}:127.0.0.1", "-D", "-", "-o", "/dev/null", "-w", "size=%{size_download}", url]);
        Assert.True(code == 0, error);
        var lines = curl.Split("\r\n");
        Assert.Equal(lines[0], response.StatusLine);
        var curlHeaders = lines.Skip(1).TakeWhile(l => l.Length > 0).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]).ToList();
        Assert.Equal(curlHeaders.Where(h => h != "Date"), response.Headers.Select(h => h.Name).Where(h => h != "Date"));
        Assert.EndsWith($"size={response.BodyBytes}", curl, StringComparison.Ordinal);
        Assert.Contains(TraceAssert.Detail<ServerProcessingDetails>(events).ServerTiming, m => m.Name == "nginx" && m.Duration == 1.5 && m.Description == $"vhost {host}");
    }

    [Fact]
    public async Task Redirect_SameOriginOnNginx_ReusesConnection()
    {
        var events = await TraceAsync(servers.Request($"http://127.0.0.1:{servers.HttpPort}/moved"));
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Succeeded);
        Assert.Equal($"http://127.0.0.1:{servers.HttpPort}/", summary.FinalUrl);
        Assert.True(TraceAssert.Detail<TcpConnectedDetails>(events, hop: 1).Reused);
    }

    [Fact]
    public async Task Timings_TcpAndTlsOnNginx_AgreeWithPacketCapture()
    {
        await using var capture = await PacketCapture.StartAsync(servers.Directory, servers.HttpsPort, servers.Tls12Port);
        var traced = new List<(string LocalPort, TimeSpan Tcp, TlsHandshakeDetails Tls)>();
        foreach (var (port, sni) in new[] { (servers.HttpsPort, "a.nginx.test"), (servers.Tls12Port, "old.nginx.test") })
        {
            for (var i = 0; i < 4; i++)
            {
                var events = await TraceAsync(servers.Request($"https://{sni}:{port}/") with { ConnectTo = $"127.0.0.1:{port}" });
                TraceAssert.Completed(events, S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
                var tcp = TraceAssert.Detail<TcpConnectedDetails>(events);
                traced.Add((tcp.Local[(tcp.Local.LastIndexOf(':') + 1)..], tcp.HandshakeTime, TraceAssert.Detail<TlsHandshakeDetails>(events)));
            }
        }

        var packets = await capture.StopAsync();
        Assert.Contains(traced, t => t.Tls.Version == "TLS 1.3");
        Assert.Contains(traced, t => t.Tls.Version == "TLS 1.2");
        var tcpErrors = new List<double>();
        var tlsErrors = new List<double>();
        foreach (var (local, tracedTcp, tls) in traced)
        {
            var wireTcp = WireTimings.TcpHandshake(packets, local);
            var wireTls = WireTimings.TlsNetwork(packets, local, tls.Version == "TLS 1.3" ? 1 : 2);
            output.WriteLine($"{tls.Version} port {local}: TCP traced {tracedTcp.TotalMicroseconds:0} µs, wire {wireTcp.TotalMicroseconds:0} µs; " +
                             $"TLS network traced {tls.NetworkTime.TotalMicroseconds:0} µs, wire {wireTls.TotalMicroseconds:0} µs; client processing {tls.ClientProcessingTime.TotalMicroseconds:0} µs");
            tcpErrors.Add((tracedTcp - wireTcp).Duration().TotalMilliseconds);
            tlsErrors.Add((tls.NetworkTime - wireTls).Duration().TotalMilliseconds);
            // No single figure may be far off even on a loaded 2-core machine.
            Assert.True(tlsErrors[^1] < 15, $"TLS traced {tls.NetworkTime}, wire {wireTls}");
        }

        // The medians must be close: counting the engine's 2-20 ms of cryptography as network time would fail this.
        Assert.True(Median(tcpErrors) < 1.5, $"median TCP error {Median(tcpErrors):0.000} ms");
        Assert.True(Median(tlsErrors) < 2.0, $"median TLS error {Median(tlsErrors):0.000} ms");
    }

    [Fact]
    public async Task SniComparison_NginxVirtualHosts_EveryNameMatchesOpensslSClient()
    {
        var names = RealServersFixture.VirtualHosts.Append("unknown.nginx.test").ToArray();
        var request = new FlowTrace.Tracer.Sni.SniComparisonRequest
        {
            Target = $"127.0.0.1:{servers.HttpsPort}",
            Names = names,
            ExtraTrustedRoots = servers.Request("https://x.test/").ExtraTrustedRoots,
            HostCheck = ("a.nginx.test", "b.nginx.test"),
        };
        var updates = new List<FlowTrace.Contracts.Sni.SniComparisonUpdate>();
        await foreach (var update in new FlowTrace.Tracer.Sni.SniComparer().CompareAsync(request, CancellationToken.None))
            updates.Add(update);
        var probes = updates.OfType<FlowTrace.Contracts.Sni.SniProbeResult>().ToList();
        Assert.Equal(names.Length + 1, probes.Count);
        foreach (var probe in probes)
            Assert.Equal(await OpensslFingerprintAsync(servers.HttpsPort, probe.ServerName), probe.Certificate!.Sha256Fingerprint);
        var summary = updates.OfType<FlowTrace.Contracts.Sni.SniComparisonSummary>().Single();
        Assert.Equal(["unknown.nginx.test"], summary.FallThroughNames);
        Assert.Equal(["unknown.nginx.test"], summary.MismatchedNames);
        Assert.Equal(4, summary.Groups.Count);
        // nginx picks the certificate by SNI but the virtual host by Host header.
        var check = updates.OfType<FlowTrace.Contracts.Sni.SniHostCheckResult>().Single();
        Assert.Contains("CN=a.nginx.test", check.CertificateSubject, StringComparison.Ordinal);
        Assert.Equal("vhost b.nginx.test\n", check.BodyPreview);
    }

    [Fact]
    public async Task SniComparison_Tls12OnlyVhost_MatchesOpensslAndNegotiatesTls12()
    {
        var request = new FlowTrace.Tracer.Sni.SniComparisonRequest { Target = $"127.0.0.1:{servers.Tls12Port}", Names = ["old.nginx.test"], IncludeNoSni = false };
        var updates = new List<FlowTrace.Contracts.Sni.SniComparisonUpdate>();
        await foreach (var update in new FlowTrace.Tracer.Sni.SniComparer().CompareAsync(request, CancellationToken.None))
            updates.Add(update);
        var probe = updates.OfType<FlowTrace.Contracts.Sni.SniProbeResult>().Single();
        Assert.Equal("TLS 1.2", probe.Version);
        Assert.Equal(await OpensslFingerprintAsync(servers.Tls12Port, "old.nginx.test"), probe.Certificate!.Sha256Fingerprint);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<string> OpensslFingerprintAsync(int port, string? serverName)
    {
        var args = new List<string> { "s_client", "-connect", $"127.0.0.1:{port}", "-showcerts" };
        args.AddRange(serverName is null ? ["-noservername"] : ["-servername", serverName]);
        var (_, text, _) = await ExternalProcess.RunAsync("openssl", args, stdin: "");
        var begin = text.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
        var end = text.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + "-----END CERTIFICATE-----".Length;
        Assert.True(begin >= 0, $"openssl printed no certificate: {text}");
        var (_, fingerprint, _) = await ExternalProcess.RunAsync("openssl", ["x509", "-noout", "-fingerprint", "-sha256"], stdin: text[begin..end] + "\n");
        return fingerprint.Trim()[(fingerprint.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim();
    }
}
