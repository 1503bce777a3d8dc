using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tracing;
using S = FlowTrace.Contracts.Events.TraceStep;

namespace FlowTrace.Tracer.Tests.RealServers;

/// <summary>HTTP/2 against nghttpd (HTTP/2 only, nghttp2's own server), compared with curl --http2 on the same server.</summary>
[Collection(RealServersCollection.Name)]
public sealed class Http2Tests(RealServersFixture servers)
{
    private const string Name = "a.nginx.test";

    private async Task<IReadOnlyList<TraceEvent>> TraceAsync(string url, IReadOnlyList<string> alpn, int port, long maxBody = 1024 * 1024)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = servers.Request(url) with
        {
            Sni = SniMode.Custom, SniName = Name, Alpn = alpn, ConnectTo = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", MaxBodyBytes = maxBody,
        };
        var events = new List<TraceEvent>();
        await foreach (var e in servers.Tracer.TraceAsync(request, timeout.Token))
            events.Add(e);
        return events;
    }

    private async Task<(int Port, StartedProcess Server, string Root)> StartNghttpdAsync()
    {
        var root = Directory.CreateTempSubdirectory("flowtrace-nghttpd-").FullName;
        // A body larger than half the client's stream window, so that flow control has work to do.
        await File.WriteAllBytesAsync(Path.Combine(root, "big.bin"), [.. Enumerable.Range(0, 4_000_000).Select(i => (byte)(i % 251))]);
        await File.WriteAllTextAsync(Path.Combine(root, "index.html"), "<html>hello over h2</html>\n");
        var port = ExternalProcess.FreePort();
        var server = ExternalProcess.Start("nghttpd",
            ["-a", "127.0.0.1", "-d", root, port.ToString(CultureInfo.InvariantCulture), Path.Combine(servers.Directory, $"{Name}.key"), Path.Combine(servers.Directory, $"{Name}.crt")]);
        await ExternalProcess.WaitForTcpAsync(port, server, "nghttpd");
        return (port, server, root);
    }

    [Fact]
    public async Task Http2_NghttpdOfferingH2_FramesTimedAndResponseAsCurlSeesIt()
    {
        var (port, server, root) = await StartNghttpdAsync();
        using var _ = server;
        try
        {
            var url = $"https://{Name}:{port}/index.html";
            var events = await TraceAsync(url, ["h2", "http/1.1"], port);
            var summary = TraceAssert.Completed(events, S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
            Assert.Equal("h2", TraceAssert.Detail<TlsHandshakeDetails>(events).Alpn);
            var frames = events.Select(e => e.Details).OfType<Http2FrameDetails>().ToList();
            // The client's opening: its SETTINGS, the connection's window opened, a PING, the request's HEADERS; the server's
            // SETTINGS acknowledged both ways.
            Assert.Equal(["SETTINGS", "WINDOW_UPDATE", "PING", "HEADERS"], frames.Where(f => f.Direction == WireDirection.ClientToServer).Take(4).Select(f => f.FrameType));
            Assert.Contains(frames, f => f is { Direction: WireDirection.ServerToClient, FrameType: "SETTINGS", FlagNames: "" });
            Assert.Contains(frames, f => f is { Direction: WireDirection.ClientToServer, FrameType: "SETTINGS", FlagNames: "ACK" });
            Assert.Contains(frames, f => f is { Direction: WireDirection.ServerToClient, FrameType: "PING", FlagNames: "ACK" } && f.Summary.Contains("round trip", StringComparison.Ordinal));
            var headers = frames.Single(f => f is { Direction: WireDirection.ServerToClient, FrameType: "HEADERS" });
            Assert.Equal(1, headers.StreamId);
            Assert.Contains(headers.HeaderBlock!.Fields, h => h.Name == ":status" && h.Value == "200");
            Assert.True(headers.HeaderBlock.WireBytes < headers.HeaderBlock.PlainBytes, "HPACK makes the block smaller than plain text");
            Assert.Contains(frames, f => f is { FrameType: "DATA", FlagNames: "END_STREAM" } || f is { FrameType: "HEADERS", FlagNames: var n } && n.Contains("END_STREAM", StringComparison.Ordinal));
            Assert.Contains(frames, f => f is { Direction: WireDirection.ClientToServer, FrameType: "GOAWAY" });

            var response = TraceAssert.Detail<HttpResponseDetails>(events);
            Assert.Equal(("HTTP/2", 200, BodyFraming.EndStream), (response.Version, response.StatusCode, response.Framing));
            // curl over HTTP/2 on the same server: the same status, body size and headers.
            var (code, stdout, stderr) = await ExternalProcess.RunAsync("curl",
                ["-s", "--http2", "-o", "/dev/null", "-D", "-", "-w", "%{http_version} %{size_download}", "--cacert", CaFile(), "--resolve", $"{Name}:{port}:127.0.0.1", url], stdin: "");
            Assert.True(code == 0, stderr);
            Assert.EndsWith($"2 {response.BodyBytes}", stdout.Trim(), StringComparison.Ordinal);
            Assert.StartsWith("HTTP/2 200", stdout, StringComparison.Ordinal);
            foreach (var header in response.Headers.Where(h => h.Name is "content-length" or "server" or "content-type"))
                Assert.Contains($"{header.Name}: {header.Value}", stdout, StringComparison.OrdinalIgnoreCase);
            // Server processing lasted until the response stream's first frame: it ends where the response starts.
            var processing = summary.Steps.Single(s => s.Step == S.ServerProcessing);
            var download = summary.Steps.Single(s => s.Step == S.HttpResponse);
            Assert.Equal(processing.Start + processing.Duration, download.Start);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Http2_LargeBody_TracerOpensTheWindowAndReadsItAll()
    {
        var (port, server, root) = await StartNghttpdAsync();
        using var _ = server;
        try
        {
            var events = await TraceAsync($"https://{Name}:{port}/big.bin", ["h2"], port, maxBody: 8 * 1024 * 1024);
            TraceAssert.Completed(events, S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
            Assert.Equal(4_000_000, TraceAssert.Detail<HttpResponseDetails>(events).BodyBytes);
            var updates = events.Select(e => e.Details).OfType<Http2FrameDetails>().Where(f => f is { Direction: WireDirection.ClientToServer, FrameType: "WINDOW_UPDATE" }).ToList();
            Assert.Contains(updates, u => u.StreamId == 1);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private string CaFile()
    {
        var path = Path.Combine(servers.Directory, "ca-for-curl.pem");
        if (!File.Exists(path))
            File.WriteAllText(path, System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(servers.CaCertificate).ExportCertificatePem());
        return path;
    }

    [Fact]
    public async Task Http2Only_ServerWithoutAlpn_FailsNamingItInsteadOfFallingBack()
    {
        // OpenSSL's s_server -www speaks HTTP/1.0 and chooses no ALPN protocol: offered only h2, it agrees to nothing.
        using var server = await OpensslServer.StartAsync(Path.Combine(servers.Directory, $"{Name}.crt"), Path.Combine(servers.Directory, $"{Name}.key"));
        var events = await TraceAsync($"https://{Name}:{server.Port}/", ["h2"], server.Port);
        var failure = TraceAssert.FailedAt(events, S.HttpRequest, "http2-not-negotiated");
        Assert.Contains("chose no protocol in ALPN, not h2", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2Only_ServerWithoutHttp2_RefusesTheHandshakeAsTls()
    {
        // nginx without http2, offered only h2, refuses the handshake (RFC 7301: no_application_protocol).
        var events = await TraceAsync($"https://{Name}:{servers.HttpsPort}/", ["h2"], servers.HttpsPort);
        var failure = TraceAssert.FailedAt(events, S.Tls, "tls-alert");
        Assert.Contains("no_application_protocol", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_TimeToFirstByteOverCleartext_AgreesWithPacketCapture()
    {
        // nghttpd in the clear (prior knowledge), so that tshark reads the frames: the time from the request's HEADERS
        // leaving to the response's first frame on its stream, traced against the wire.
        var root = Directory.CreateTempSubdirectory("flowtrace-h2c-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root, "index.html"), "<html>hello over h2c</html>\n");
            var port = ExternalProcess.FreePort();
            using var server = ExternalProcess.Start("nghttpd", ["--no-tls", "-a", "127.0.0.1", "-d", root, port.ToString(CultureInfo.InvariantCulture)]);
            await ExternalProcess.WaitForTcpAsync(port, server, "nghttpd");
            var traced = new List<(string LocalPort, TimeSpan FirstByte)>();
            string file;
            await using (var capture = await PacketCapture.StartAsync(root, port))
            {
                for (var i = 0; i < 4; i++)
                {
                    var events = new List<TraceEvent>();
                    await foreach (var e in servers.Tracer.TraceAsync(new TraceRequest
                                   {
                                       Url = $"http://127.0.0.1:{port}/index.html", Http2PriorKnowledge = true, Alpn = ["h2"],
                                   }, CancellationToken.None))
                        events.Add(e);
                    TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
                    var local = TraceAssert.Detail<TcpConnectedDetails>(events).Local;
                    traced.Add((local[(local.LastIndexOf(':') + 1)..], TraceAssert.Detail<ServerProcessingDetails>(events).TimeToFirstByte));
                }

                await capture.StopAsync();
                file = capture.File;
            }

            var (code, output, error) = await ExternalProcess.RunAsync("tshark",
                ["-r", file, "-d", $"tcp.port=={port.ToString(CultureInfo.InvariantCulture)},http2", "-Y", "http2", "-T", "fields", "-E", "separator=|",
                 "-E", "occurrence=a", "-E", "aggregator=,", "-e", "frame.time_epoch", "-e", "tcp.srcport", "-e", "http2.type", "-e", "http2.streamid"], timeoutSeconds: 60);
            Assert.True(code == 0, error);
            var packets = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|'))
                .Select(f => (Time: decimal.Parse(f[0], CultureInfo.InvariantCulture), Src: f[1], Frames: f[2].Split(',').Zip(f[3].Split(',')).ToList())).ToList();
            var errors = new List<double>();
            foreach (var (local, firstByte) in traced)
            {
                bool Stream1Headers((string First, string Second) f) => f.First == "1" && f.Second == "1";
                var sent = packets.First(p => p.Src == local && p.Frames.Any(Stream1Headers)).Time;
                var answered = packets.First(p => p.Src == port.ToString(CultureInfo.InvariantCulture) && p.Time >= sent && p.Frames.Any(f => f.Second == "1")).Time;
                var wire = TimeSpan.FromTicks((long)((answered - sent) * TimeSpan.TicksPerSecond));
                errors.Add((firstByte - wire).Duration().TotalMilliseconds);
                Assert.True(errors[^1] < 15, $"time to first byte traced {firstByte}, wire {wire}");
            }

            Assert.True(errors.Order().ElementAt(errors.Count / 2) < 2.0, $"median error {string.Join(", ", errors)} ms");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
