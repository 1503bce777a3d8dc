using FlowTrace.Cli;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Lab;

namespace FlowTrace.Tracer.Tests.Cli;

public sealed class CliTests
{
    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => CliRun.RunAsync(args);

    [Fact]
    public async Task Run_LabSiteAsJson_PrintsOneEventPerLineAndExitsZero()
    {
        var (code, output, error) = await RunAsync("www", "--lab", "--json");
        Assert.True(code == 0, error);
        var events = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(TraceJson.Deserialize).ToList();
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Sequence));
        var summary = Assert.IsType<TraceSummary>(events[^1].Details);
        Assert.True(summary.Succeeded);
        Assert.Equal(7, summary.Steps.Count);
    }

    [Fact]
    public async Task Run_Version_PrintsTheVersionAndExitsZero()
    {
        var (code, output, error) = await RunAsync("--version");
        Assert.Equal((0, ""), (code, error));
        Assert.Matches(@"^flowtrace \d+\.\d+\.\d+\n?$", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task DotnetTool_PackedAndInstalled_RunsAsFlowtrace()
    {
        // As the README says: pack, install from that folder, run.
        var work = Directory.CreateTempSubdirectory("flowtrace-tool-").FullName;
        try
        {
            var root = AppContext.BaseDirectory[..AppContext.BaseDirectory.IndexOf("/tests/", StringComparison.Ordinal)];
            // The SDK that runs these tests (dotnet test sets DOTNET_HOST_PATH), wherever it is installed.
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "/usr/bin/dotnet";
            // Packed from the build these tests run on (dotnet test has just built it), as the README's `dotnet pack` packs
            // a fresh build: compiling the four projects again in Release would double the suite's slowest test for no check.
            var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;
            var (packed, packOutput, _) = await ExternalProcess.RunAsync(dotnet,
                ["pack", Path.Combine(root, "src", "Cli"), "--no-build", "-c", configuration, "-o", Path.Combine(work, "feed")], timeoutSeconds: 300);
            Assert.True(packed == 0, packOutput);
            var (installed, installOutput, installError) = await ExternalProcess.RunAsync(dotnet,
                ["tool", "install", "--tool-path", Path.Combine(work, "tools"), "--add-source", Path.Combine(work, "feed"), "FlowTrace.Cli"], timeoutSeconds: 120);
            Assert.True(installed == 0, installOutput + installError);
            var (ran, version, _) = await ExternalProcess.RunAsync(Path.Combine(work, "tools", "flowtrace"), ["--version"]);
            Assert.Equal(0, ran);
            Assert.StartsWith("flowtrace 0.1.0", version, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Run_Commands_PrintsCurlAndOpensslForTheAddressUsed()
    {
        var (code, output, error) = await RunAsync("www", "--lab", "--commands", "--no-color");
        Assert.True(code == 0, error);
        var lines = output.Split('\n');
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^curl --http1\.1 --resolve www\.lab\.test:\d+:127\.0\.0\.1 "));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^openssl s_client -connect 127\.0\.0\.1:\d+ -servername www\.lab\.test -alpn h2,http/1\.1 -showcerts$"));
    }

    [Fact]
    public async Task Run_AgainWithWriteOut_ExitTwoSayingWhy()
    {
        var (code, _, error) = await RunAsync("www", "--lab", "--again", "-w", "%{num_redirects}");
        Assert.Equal(2, code);
        Assert.Contains("leave out --again", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Again_SecondRequestOnTheSameConnection()
    {
        var (code, output, error) = await RunAsync("www", "--lab", "--again", "--no-color");
        Assert.True(code == 0, error);
        Assert.Contains("Again on the same connection: https://www.lab.test:", output, StringComparison.Ordinal);
        Assert.Contains("Reusing the kept-alive connection", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AgainResumed_SecondConnectionResumesTheTls12Session()
    {
        var (code, output, error) = await RunAsync("tls12", "--lab", "--again-resumed", "--no-color");
        Assert.True(code == 0, error);
        Assert.Contains("Again on a new connection to 127.0.0.1:", output, StringComparison.Ordinal);
        Assert.Matches(@"session resumed \(session (ticket|ID)\): no certificate sent", output);
    }

    [Fact]
    public async Task Run_FromRoot_LabNameWalkedDownFromTheLabsRoot()
    {
        var (code, output, error) = await RunAsync("www", "--lab", "--from-root", "-4", "--no-color");
        Assert.True(code == 0, error);
        Assert.Contains("from the root in 3 queries: . → test. → lab.test.", output, StringComparison.Ordinal);
        Assert.Contains("no recursion): referral to test. (ns.test; glue 127.0.0.3)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Default_Http2LabSiteOverHttp2WithFramesAndCurlRepeatingIt()
    {
        var (code, output, error) = await RunAsync("h2", "--lab", "--commands", "--no-color");
        Assert.True(code == 0, error);
        Assert.Contains("ALPN h2", output, StringComparison.Ordinal);
        Assert.Contains("→ HEADERS stream 1 [END_STREAM END_HEADERS]", output, StringComparison.Ordinal);
        Assert.Contains("curl --http2 --resolve", output, StringComparison.Ordinal);
        // The last line names the protocol of the answer with its status.
        Assert.Matches(@"Trace completed in [\d.,]+ ms: HTTP/2 200", output);
    }

    [Fact]
    public async Task Run_Http2AsJson_EveryFrameAnEventWithItsStreamAndTheContinuation()
    {
        var (code, output, error) = await RunAsync("h2-big-headers", "--lab", "--json");
        Assert.True(code == 0, error);
        var events = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(TraceJson.Deserialize).ToList();
        var frames = events.Select(e => e.Details).OfType<Http2FrameDetails>().ToList();
        Assert.Contains(frames, f => f is { FrameType: "HEADERS", StreamId: 1, Direction: WireDirection.ClientToServer });
        Assert.Contains(frames, f => f is { FrameType: "CONTINUATION", StreamId: 1, Direction: WireDirection.ServerToClient } && f.FlagNames.Contains("END_HEADERS", StringComparison.Ordinal));
        Assert.Contains(frames, f => f is { FrameType: "SETTINGS", StreamId: 0, Direction: WireDirection.ServerToClient });
        Assert.Equal("HTTP/2", events.Select(e => e.Details).OfType<HttpResponseDetails>().Single().Version);
    }

    [Fact]
    public async Task Run_Http11Only_TheHttp2SiteIsMetWithHttp11AndFailsTheHandshakeByName()
    {
        // --http1.1 offers only http/1.1, as before HTTP/2: the HTTP/2-only listener refuses it in the handshake.
        var (code, output, _) = await RunAsync("h2", "--lab", "--http1.1", "--no-color");
        Assert.NotEqual(0, code);
        Assert.Contains("no_application_protocol", output, StringComparison.Ordinal);
        var (wwwCode, www, wwwError) = await RunAsync("www", "--lab", "--http1.1", "--no-color");
        Assert.True(wwwCode == 0, wwwError);
        Assert.Contains("ALPN http/1.1", www, StringComparison.Ordinal);
        Assert.DoesNotContain("HEADERS stream", www, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BothAgainKinds_ExitTwoSayingWhy()
    {
        var (code, _, error) = await RunAsync("www", "--lab", "--again", "--again-resumed");
        Assert.Equal(2, code);
        Assert.Contains("choose one", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Bytes_HellosPrintedFieldByFieldFromTheRecordHeader()
    {
        var (code, output, error) = await RunAsync("www", "--lab", "--bytes", "--no-color");
        Assert.True(code == 0, error);
        var lines = output.Split('\n');
        var client = Array.FindIndex(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^ClientHello \(\d+ bytes\)$"));
        var server = Array.FindIndex(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^ServerHello \(\d+ bytes\)$"));
        Assert.True(client >= 0 && server > client, output);
        // Offset, the bytes, the field: a handshake record first, then its header, the SNI among the extensions.
        Assert.Matches(@"^  0000  16 03 0[13] [0-9a-f]{2} [0-9a-f]{2}\s+Record header: handshake, ", lines[client + 1]);
        Assert.Matches(@"^  0005  01 ", lines[client + 2]);
        Assert.Contains(lines[client..server], l => l.Contains("Server name: www.lab.test", StringComparison.Ordinal));
        // The DNS queries and answers come first, each from its header.
        var dns = Array.FindIndex(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^DNS query (A|AAAA) www\.lab\.test to 127\.0\.0\.1:\d+ \(\d+ bytes\)$"));
        Assert.True(dns >= 0 && dns < client, output);
        Assert.Matches(@"^  0000  [0-9a-f]{2} [0-9a-f]{2}\s+ID: 0x[0-9a-f]{4}", lines[dns + 1]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^DNS answer (A|AAAA) www\.lab\.test from 127\.0\.0\.1:\d+ \(\d+ bytes\)$"));
        Assert.Contains(lines[server..], l => l.Contains("Extension: supported_versions: TLS 1.3 (0x0304)", StringComparison.Ordinal));
        // The request head too: "GET / HTTP/1.1" in its bytes, then the Host header.
        var head = Array.FindIndex(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^Request head \(\d+ bytes\)$"));
        Assert.True(head >= 0, output);
        Assert.Matches(@"^  0000  47 45 54\s+Method: GET — ", lines[head + 1]);
        Assert.Matches(@"^  0004  2f\s+Request target: / — ", lines[head + 3]);
        Assert.Contains(lines[head..], l => l.Contains("Header: Host: www.lab.test:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_FailedTrace_EndsWithACrossNotACheckMark()
    {
        var (code, output, _) = await RunAsync("refused", "--lab");
        Assert.Equal(1, code);
        var last = output.Split('\n').Last(l => l.Contains("Trace failed", StringComparison.Ordinal));
        Assert.Contains("✗ Trace failed", last, StringComparison.Ordinal);
        Assert.DoesNotContain("✓", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownLabSite_ExitsTwoNamingItAndTheKnownSites()
    {
        var (code, output, error) = await RunAsync("nosuchsite", "--lab");
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("the lab has no site 'nosuchsite'", error, StringComparison.Ordinal);
        Assert.Contains("www, api", error, StringComparison.Ordinal);
        Assert.DoesNotContain("absolute URL", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LabList_ColumnsAlignedWhateverTheNameLength()
    {
        var (code, output, _) = await RunAsync("--lab");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("://", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.StartsWith("  hostile-too-many-headers ", StringComparison.Ordinal));
        Assert.Single(lines.Select(l => l.IndexOf("https://", StringComparison.Ordinal) is var i and >= 0 ? i : l.IndexOf("http://", StringComparison.Ordinal)).Distinct());
    }

    [Fact]
    public async Task Run_LabSite_EveryEventsMarkInOneColumnConnectionHandlingIncluded()
    {
        var (code, output, _) = await RunAsync("www", "--lab");
        Assert.Equal(0, code);
        var events = output.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s*\d+\.\d{3} ms  ")).ToList();
        Assert.Contains(events, l => l.Contains("Connection handling ✓", StringComparison.Ordinal));
        Assert.All(events, l => Assert.Contains(l[35], " ▶✓✗"));
        Assert.All(events, l => Assert.Equal(' ', l[34]));
    }

    [Fact]
    public async Task Run_LabOnFreePorts_RunsWhileTheUsualPortsAreTaken()
    {
        // The lab's usual HTTPS port held (by this test, or by whatever already holds it: the usual ports lie in the
        // system's ephemeral range, so a whole second lab on them could not be relied on to start here either): the
        // command line's own lab must not need it.
        var usual = new LabOptions().HttpsPort;
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, usual);
        try
        {
            holder.Start();
        }
        catch (System.Net.Sockets.SocketException)
        {
            // Taken already: just as good.
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await new CliApp(output, error).RunAsync(["www", "--lab"], CancellationToken.None);
        Assert.True(code == 0, error.ToString());
        Assert.DoesNotContain($":{usual}/", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DownloadText_BodyInTheHeadsRead_SaysSoInsteadOfZeroMilliseconds()
    {
        Assert.Equal("with the response head, in the same read (no download time of its own)", FlowTrace.Tracer.Http.HttpExchange.DownloadText(TimeSpan.Zero, 83));
        Assert.StartsWith("in ", FlowTrace.Tracer.Http.HttpExchange.DownloadText(TimeSpan.FromMilliseconds(2), 83), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Repeat_PrintsEachRunsSummaryThenFirstBesideTheRest()
    {
        var (code, output, error) = await RunAsync("www", "--lab", "--repeat", "3");
        Assert.True(code == 0, error);
        Assert.Contains("— run 3 of 3 —", output, StringComparison.Ordinal);
        Assert.Contains("3 runs, 3 completed; first run beside the other 2:", output, StringComparison.Ordinal);
        Assert.Contains("TLS handshake", output.Split("3 runs, 3 completed")[1], StringComparison.Ordinal);
        Assert.Contains("whole trace", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RepeatAsJson_EndsWithTheStatistics()
    {
        var (code, output, error) = await RunAsync("www", "--lab", "--repeat", "2", "--json");
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Count(l => l.Contains("\"type\":\"summary\"", StringComparison.Ordinal)));
        var statistics = System.Text.Json.JsonSerializer.Deserialize<FlowTrace.Contracts.Repeat.RepeatStatistics>(lines[^1], TraceJson.Options)!;
        Assert.Equal(2, statistics.Runs);
        Assert.Equal(7, statistics.Steps.Count);
        Assert.NotNull(statistics.Total.Median);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("many")]
    public async Task Run_RepeatOutOfRange_ExitsTwoAndSaysTheRange(string value)
    {
        var (code, _, error) = await RunAsync("https://example.test/", "--repeat", value);
        Assert.Equal(2, code);
        Assert.Contains("--repeat takes a whole number from 1 to 100", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CacertFileMissing_ExitsTwo()
    {
        var (code, _, error) = await RunAsync("https://example.test/", "--cacert", "/nonexistent/ca.pem");
        Assert.Equal(2, code);
        Assert.Contains("--cacert", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LabSiteHumanReadable_ShowsEveryStep()
    {
        var (code, output, _) = await RunAsync("--lab", "slow");
        Assert.Equal(0, code);
        foreach (var step in new[] { "DNS lookup", "TCP connection", "TLS handshake", "HTTP request", "Server processing", "HTTP response", "Connection" })
            Assert.Contains(step, output, StringComparison.Ordinal);
        Assert.Contains("Server-Timing: db", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailingStep_ExitsOneWithOneLineReason()
    {
        var (code, _, error) = await RunAsync("--lab", "refused");
        Assert.Equal(1, code);
        Assert.Contains("refused", error.Trim(), StringComparison.OrdinalIgnoreCase);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("ftp://example.test/")]
    [InlineData("https://example.test/", "--bogus")]
    [InlineData("https://example.test/", "--sni", "a.test", "--no-sni")]
    [InlineData("https://example.test/", "--dns", "not-an-ip")]
    public async Task Run_BadInput_ExitsTwoWithReason(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.StartsWith("flowtrace: ", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task RunSni_LabNamesAsJson_OneLinePerHandshakeThenSummary()
    {
        var (code, output, error) = await RunAsync("sni", "www.lab.test", "www.lab.test", "unknown.lab.test", "--lab", "--json");
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<FlowTrace.Contracts.Sni.SniComparisonUpdate>(l, TraceJson.Options)!).ToList();
        Assert.Equal(3, lines.OfType<FlowTrace.Contracts.Sni.SniProbeResult>().Count());
        Assert.Equal(["unknown.lab.test"], Assert.IsType<FlowTrace.Contracts.Sni.SniComparisonSummary>(lines[^1]).FallThroughNames);
    }

    [Fact]
    public async Task RunSni_BadName_ExitsTwo()
    {
        var (code, _, error) = await RunAsync("sni", "127.0.0.1:1", "bad name!");
        Assert.Equal(2, code);
        Assert.Contains("not a DNS name", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LabWithoutUrl_ListsSites()
    {
        var (code, output, _) = await RunAsync("--lab");
        Assert.Equal(0, code);
        Assert.Contains("https://www.lab.test:", output, StringComparison.Ordinal);
        Assert.Contains("redirect", output, StringComparison.Ordinal);
        // As lessons: each heading says what to look for, and its sites follow it.
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var dns = lines.FindIndex(l => l.StartsWith("DNS lookup: Look at the DNS step", StringComparison.Ordinal));
        var tcp = lines.FindIndex(l => l.StartsWith("TCP connection: ", StringComparison.Ordinal));
        Assert.InRange(lines.FindIndex(l => l.StartsWith("  nxdomain ", StringComparison.Ordinal)), dns + 1, tcp - 1);
        Assert.True(lines.FindIndex(l => l.StartsWith("Hostile servers: ", StringComparison.Ordinal)) < lines.FindIndex(l => l.StartsWith("  dns-garbage ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WriteOut_SameServerAsCurl_SameVariablesAndTimesInCurlsOrder()
    {
        await using var lab = await DemoLab.StartAsync(LabOptions.Ephemeral);
        var url = new Uri(lab.Site("www").Url);
        var ca = Path.Combine(Directory.CreateTempSubdirectory("flowtrace-w-").FullName, "ca.pem");
        await File.WriteAllTextAsync(ca, System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(lab.CaCertificate).ExportCertificatePem());
        // The very arguments of a curl script, given to both (HTTP/1.1: FlowTrace does not speak HTTP/2 yet, curl would).
        string[] args = [url.ToString(), "--http1.1", "--resolve", $"{url.Host}:{url.Port}:127.0.0.1", "--cacert", ca, "-sS", "-o", "/dev/null", "-w", "%{json}"];
        var (code, output, error) = await RunAsync(args);
        Assert.True(code == 0, error);
        var (curlCode, curlOutput, curlError) = await ExternalProcess.RunAsync("curl", args);
        Assert.True(curlCode == 0, curlError);
        using var ours = System.Text.Json.JsonDocument.Parse(output);
        using var theirs = System.Text.Json.JsonDocument.Parse(curlOutput);
        foreach (var name in new[] { "http_code", "http_version", "remote_ip", "remote_port", "ssl_verify_result", "num_connects", "num_redirects", "size_download", "url_effective", "scheme", "method" })
            Assert.True(theirs.RootElement.GetProperty(name).ToString() == ours.RootElement.GetProperty(name).ToString(), $"{name}: curl {theirs.RootElement.GetProperty(name)}, flowtrace {ours.RootElement.GetProperty(name)}");
        // The times mean what curl's mean: each phase ends after the one before it, in both.
        string[] phases = ["time_namelookup", "time_connect", "time_appconnect", "time_pretransfer", "time_starttransfer", "time_total"];
        foreach (var json in new[] { ours, theirs })
        {
            var times = phases.Select(p => json.RootElement.GetProperty(p).GetDouble()).ToList();
            Assert.Equal(times.Order(), times);
            Assert.InRange(times[^1], 1e-6, 10);
        }
    }

    [Fact]
    public async Task WriteOut_FormatWithEscapesAndAnUnknownVariable_WrittenAsCurlDoesAndTheUnknownReported()
    {
        var (code, output, error) = await RunAsync("www", "--lab", "-s", "-w", "%{http_code}\\t%{num_redirects}%%%{nonsense}\\n");
        Assert.True(code == 0, error);
        Assert.Equal("200\t0%\n", output);
        Assert.Contains("unknown --write-out variable: 'nonsense'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteOut_RedirectChainBesideCurl_SameHopsConnectionsAndFinalUrl()
    {
        await using var lab = await DemoLab.StartAsync(LabOptions.Ephemeral);
        var url = new Uri(lab.Site("redirect").Url);
        // Every lab name at the lab's address, for curl, which cannot ask the lab's DNS server.
        var resolve = lab.Sites.Select(s => new Uri(s.Url)).Where(u => u.Port == url.Port).Select(u => u.Host).Distinct()
            .SelectMany(host => new[] { "--resolve", $"{host}:{url.Port}:127.0.0.1" }).ToArray();
        const string Format = "%{num_redirects} %{url_effective} %{num_connects} %{http_code} %{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_redirect} %{time_total}";
        string[] args = [url.ToString(), "--http1.1", "-k", "-L", "-s", "-o", "/dev/null", "-w", Format, .. resolve];
        var (code, output, error) = await RunAsync([.. args, "--dns", lab.DnsEndPoint.ToString()]);
        Assert.True(code == 0, error);
        var (curlCode, curlOutput, curlError) = await ExternalProcess.RunAsync("curl", args);
        Assert.True(curlCode == 0, curlError);
        var ours = output.Split(' ');
        var theirs = curlOutput.Split(' ');
        Assert.Equal(theirs[..4], ours[..4]);
        Assert.True(int.Parse(ours[0], System.Globalization.CultureInfo.InvariantCulture) >= 1, output);
        // Phase times add up over the requests as curl adds them: each after the one before, the redirects before the end.
        foreach (var fields in new[] { ours, theirs })
        {
            var times = fields[4..9].Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(times.Order(), times);
            var (redirect, total) = (double.Parse(fields[9], System.Globalization.CultureInfo.InvariantCulture), double.Parse(fields[10], System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(redirect > 0 && redirect < total, string.Join(' ', fields));
        }
    }

    [Fact]
    public async Task WriteOut_ConnectionRefused_ThreeDigitZeroCodeAsCurlAndExitOne()
    {
        // The lab's refused site: nothing listens on its port.
        var (code, output, _) = await RunAsync("refused", "--lab", "-s", "-w", "%{http_code} %{num_connects} %{exitcode}");
        Assert.Equal((1, "000 0 1"), (code, output));
    }

    [Theory]
    [InlineData("-o", "out.html")]
    [InlineData("--max-time", "0")]
    [InlineData("--resolve", "www.lab.test:443")]
    [InlineData("-X", "POST")]
    public async Task CurlOptions_BadValue_ExitTwoWithTheReason(string option, string value)
    {
        var (code, output, error) = await RunAsync("https://www.lab.test/", option, value);
        Assert.Equal((2, ""), (code, output));
        Assert.StartsWith("flowtrace: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CurlOptions_MaxTimeShorterThanTheServer_TraceTimesOutAndExitsOne()
    {
        // The slow site answers after about 400 ms.
        var (code, _, error) = await RunAsync("slow", "--lab", "-s", "-S", "--max-time", "0.1");
        Assert.Equal(1, code);
        Assert.Contains("took longer than", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CurlBundlesAndShortOptions_MeanWhatCurlsDo()
    {
        var parsed = CliArguments.Parse(["-sSLk4I", "-so", "/dev/null", "-HAccept: text/html", "-w%{http_code}", "-m", "2.5", "https://example.test/"]);
        Assert.Equal((true, true, "HEAD", AddressFamilyPreference.IPv4, "%{http_code}", TimeSpan.FromSeconds(2.5)),
            (parsed.Silent, parsed.ShowError, parsed.Method, parsed.Family, parsed.WriteOut, parsed.MaxTime));
        Assert.Equal([new KeyValuePair<string, string>("Accept", "text/html")], parsed.Headers);
        Assert.Equal("https://example.test/", parsed.Url);
    }

    [Fact]
    public async Task Resolve_ForAnotherHost_IgnoredAsCurlDoesAndSaidSo()
    {
        var (code, output, error) = await RunAsync("www", "--lab", "--resolve", "other.test:443:127.0.0.1", "-s", "-w", "%{http_code}");
        Assert.Equal((0, "200"), (code, output));
        Assert.Contains("--resolve other.test:443 is not the URL's host and port", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, null, "xterm-256color", false, true)]
    [InlineData(true, null, "xterm-256color", false, false)]
    [InlineData(false, "1", "xterm-256color", false, false)]
    [InlineData(false, "", "xterm-256color", false, true)]
    [InlineData(false, null, "dumb", false, false)]
    [InlineData(false, null, "xterm", true, false)]
    public void Colours_Decide_TerminalOnlyAndNoColorRespected(bool redirected, string? noColor, string term, bool option, bool expected) =>
        Assert.Equal(expected, Colours.Decide(redirected, noColor, term, option));

    [Fact]
    public async Task Run_OnATerminal_MarksColouredAndPictureDrawn()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await new CliApp(output, error, labOptions: LabOptions.Ephemeral, terminal: true).RunAsync(["www", "--lab"], CancellationToken.None);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        // The environment this test runs in may itself ask for no colour; then none is right.
        if (Colours.Decide(false, Environment.GetEnvironmentVariable("NO_COLOR"), Environment.GetEnvironmentVariable("TERM"), false))
            Assert.Contains("\u001b[32m✓\u001b[0m", text, StringComparison.Ordinal);
        Assert.Contains("█", text, StringComparison.Ordinal);
        // Not a terminal (a pipe, a file): not one escape sequence.
        var (_, piped, _) = await RunAsync("www", "--lab");
        Assert.DoesNotContain('\u001b', piped);
        Assert.Contains("  Server processing    ", piped, StringComparison.Ordinal);
    }

    [Fact]
    public void StepPicture_StepsOfOneTwoAndFiveMilliseconds_BarsToScaleAndCumulativeTimes()
    {
        var split = new StepTimeSplit(TimeSpan.Zero, TimeSpan.Zero, []);
        StepTiming Step(TraceStep step, double start, double duration) => new(0, step, TimeSpan.FromMilliseconds(start), TimeSpan.FromMilliseconds(duration), split, true);
        var summary = new TraceSummary(true, [Step(TraceStep.Dns, 0, 1), Step(TraceStep.Tcp, 1, 2), Step(TraceStep.Tls, 3, 5)],
            TimeSpan.FromMilliseconds(8), "https://x.test/", 200, null, [], TimeSpan.Zero);
        using var output = new StringWriter();
        new StepPicture(output, Colours.None).Write(summary);
        var rows = output.ToString().Split('\n').Where(l => l.Contains('█', StringComparison.Ordinal)).ToList();
        Assert.Equal([5, 10, 25], rows.Select(r => r.Count(c => c == '█')));
        // Each bar starts where the one before it ended, and the row ends with the cumulative time.
        Assert.Equal([0, 5, 15], rows.Select(r => r.IndexOf('█', StringComparison.Ordinal) - rows[0].IndexOf('█', StringComparison.Ordinal)));
        Assert.EndsWith("→ 8.0 ms", rows[2].TrimEnd(), StringComparison.Ordinal);
    }
}
