using FlowTrace.Contracts.Lab;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;
using S = FlowTrace.Contracts.Events.TraceStep;

namespace FlowTrace.Tracer.Tests.Lab;

[Collection(LabCollection.Name)]
public sealed class LabTraceTests(LabFixture lab)
{
    private static readonly TraceStep[] HttpsSteps = [S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection];

    [Fact]
    public async Task TraceAsync_HealthySite_EverySevenStepsCompleteInOrder()
    {
        var events = await lab.TraceAsync("www");
        TraceAssert.Completed(events, HttpsSteps);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal("TLS 1.3", tls.Version);
        Assert.Equal("www.lab.test", tls.ServerName);
        Assert.Equal("http/1.1", tls.Alpn);
        Assert.Empty(tls.Findings);
        Assert.Contains("www.lab.test", tls.Certificates[0].SubjectAlternativeNames);
        Assert.Equal(1, tls.ClientHello[0] == 22 ? 1 : 0);
        Assert.Equal(22, tls.ServerHello[0]);
        Assert.True(tls.NetworkTime > TimeSpan.Zero && tls.ClientProcessingTime > TimeSpan.Zero);
        var records = events.Select(e => e.Details).OfType<TlsRecordDetails>().ToList();
        Assert.Contains(records, r => r.Direction == WireDirection.ClientToServer && r.HandshakeTypes.Contains("client_hello"));
        Assert.Contains(records, r => r.Direction == WireDirection.ServerToClient && r.HandshakeTypes.Contains("server_hello"));
        Assert.Contains(events.Select(e => e.Details).OfType<TlsHandshakeMessageDetails>(), m => m.MessageType == "certificate_verify");
        var tcp = TraceAssert.Detail<TcpConnectedDetails>(events);
        Assert.True(tcp.NoDelay);
        Assert.NotNull(tcp.KernelRtt);
        // On Linux the handshake is the kernel's own SYN→SYN/ACK sample, never longer than the connect call around it.
        var tcpDone = events.Single(e => e.Step == TraceStep.Tcp && e.Kind == TraceEventKind.Completed);
        Assert.Contains("as the kernel timed it", tcpDone.Message, StringComparison.Ordinal);
        Assert.InRange(tcp.HandshakeTime, TimeSpan.FromTicks(1), tcpDone.Duration!.Value);
        var response = TraceAssert.Detail<HttpResponseDetails>(events);
        Assert.Equal(200, response.StatusCode);
        Assert.True(response.BodyBytes > 0);
        var connection = TraceAssert.Detail<ConnectionDetails>(events);
        Assert.Equal((true, ConnectionCloser.Client), (connection.KeepAlive, connection.ClosedBy));
    }

    [Fact]
    public async Task TraceAsync_CnameChain_ShowsEveryNameAndTtl()
    {
        var events = await lab.TraceAsync("alias");
        TraceAssert.Completed(events, HttpsSteps);
        var result = TraceAssert.Detail<DnsResultDetails>(events);
        Assert.Equal(["alias.lab.test", "cdn.lab.test", "www.lab.test"], result.CnameChain);
        var a = events.Select(e => e.Details).OfType<DnsQueryDetails>().Single(q => q.QueryType == "A");
        Assert.Equal([("CNAME", 60), ("CNAME", 60), ("A", 300)], a.Answers.Select(r => (r.Type, r.TimeToLive)));
    }

    [Fact]
    public async Task TraceAsync_RedirectChain_ReusesSameOriginConnectionOnly()
    {
        var events = await lab.TraceAsync("redirect");
        var summary = TraceAssert.Completed(events, HttpsSteps);
        Assert.Equal(lab.Lab.Site("www").Url, summary.FinalUrl);
        Assert.Equal(200, summary.FinalStatusCode);
        var redirects = events.Select(e => e.Details).OfType<RedirectDetails>().ToList();
        Assert.Equal([(301, true), (302, false)], redirects.Select(r => (r.StatusCode, r.SameOrigin)));
        Assert.True(TraceAssert.Detail<TcpConnectedDetails>(events, hop: 1).Reused);
        Assert.False(TraceAssert.Detail<TcpConnectedDetails>(events, hop: 2).Reused);
        Assert.DoesNotContain(summary.Steps, s => s.Hop == 1 && s.Step is S.Dns or S.Tls);
        Assert.Contains(summary.Steps, s => s.Hop == 2 && s.Step == S.Tls);
        Assert.True(TraceAssert.Detail<ConnectionDetails>(events, hop: 0).ReusedForNextHop);
    }

    [Fact]
    public async Task TraceAsync_SlowServer_FirstByteWaitAndServerTimingReported()
    {
        var events = await lab.TraceAsync("slow");
        var summary = TraceAssert.Completed(events, HttpsSteps);
        var processing = TraceAssert.Detail<ServerProcessingDetails>(events);
        Assert.True(processing.TimeToFirstByte >= TimeSpan.FromMilliseconds(350), $"TTFB {processing.TimeToFirstByte}");
        Assert.Contains(processing.ServerTiming, m => m.Name == "app" && m.Duration >= 350 && m.Description == "Total work");
        // The wait is the server's, so it dominates: every other step is shorter.
        var wait = summary.Steps.Single(s => s.Step == S.ServerProcessing).Duration;
        Assert.All(summary.Steps.Where(s => s.Step != S.ServerProcessing), s => Assert.True(s.Duration < wait));
    }

    [Fact]
    public async Task TraceAsync_StreamedChunkedBody_DownloadTakesTheStreamTime()
    {
        var events = await lab.TraceAsync("stream");
        TraceAssert.Completed(events, HttpsSteps);
        var response = TraceAssert.Detail<HttpResponseDetails>(events);
        Assert.Equal(BodyFraming.Chunked, response.Framing);
        Assert.Equal(8 * "chunk 1 of 8\n".Length, response.BodyBytes);
        Assert.True(response.DownloadTime >= TimeSpan.FromMilliseconds(500), $"download {response.DownloadTime}");
    }

    [Fact]
    public async Task TraceAsync_StreamedChunkedBody_EachChunkIsAnEventWhenItArrived()
    {
        var events = await lab.TraceAsync("stream");
        var chunks = events.Where(e => e.Details is BodyChunkDetails).ToList();
        Assert.Equal(Enumerable.Range(1, 8), chunks.Select(e => ((BodyChunkDetails)e.Details!).Number));
        Assert.All(chunks, e => Assert.Equal(((long)"chunk 1 of 8\n".Length, S.HttpResponse, TraceEventKind.Detail), (((BodyChunkDetails)e.Details!).Size, e.Step, e.Kind)));
        // The server waits 100 ms between chunks: the events show the stream's pace, not the moment reading ended.
        Assert.All(chunks.Zip(chunks.Skip(1)), pair => Assert.True(pair.Second.Offset - pair.First.Offset >= TimeSpan.FromMilliseconds(50),
            $"chunk {((BodyChunkDetails)pair.Second.Details!).Number} {pair.Second.Offset} after {pair.First.Offset}"));
        var started = events.Single(e => e.Step == S.HttpResponse && e.Kind == TraceEventKind.Started);
        var completed = events.Single(e => e.Step == S.HttpResponse && e.Kind == TraceEventKind.Completed);
        Assert.All(chunks, e => Assert.InRange(e.Offset, started.Offset, completed.Offset));
    }

    [Fact]
    public async Task TraceAsync_BodyOfThousandsOfChunks_ListsTheFirstTwoThousandAndCountsAll()
    {
        var request = lab.Request("stream");
        var events = await lab.TraceAsync(request with { Url = request.Url + "?chunks=2100&every=0" });
        TraceAssert.Completed(events, HttpsSteps);
        Assert.Equal(2000, events.Count(e => e.Details is BodyChunkDetails));
        Assert.Single(events, e => e.Step == S.HttpResponse && e.Message.StartsWith("More than 2,000 chunks", StringComparison.Ordinal));
        var expected = Enumerable.Range(1, 2100).Sum(i => $"chunk {i} of 2100\n".Length);
        Assert.Equal(expected, TraceAssert.Detail<HttpResponseDetails>(events).BodyBytes);
    }

    [Theory]
    [InlineData("?chunks=0")]
    [InlineData("?chunks=10001")]
    [InlineData("?every=1001")]
    [InlineData("?chunks=ten")]
    public async Task TraceAsync_StreamShapeOutOfRange_LabAnswers400(string query)
    {
        var request = lab.Request("stream");
        var events = await lab.TraceAsync(request with { Url = request.Url + query });
        TraceAssert.Completed(events, HttpsSteps);
        var response = TraceAssert.Detail<HttpResponseDetails>(events);
        Assert.Equal(400, response.StatusCode);
        Assert.Contains("chunks must be 1 to 10000", response.BodyPreview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TraceAsync_ServerClosesAfterResponse_ServerClosedFirst()
    {
        var events = await lab.TraceAsync("close");
        TraceAssert.Completed(events, HttpsSteps);
        var connection = TraceAssert.Detail<ConnectionDetails>(events);
        Assert.Equal((false, ConnectionCloser.Server), (connection.KeepAlive, connection.ClosedBy));
    }

    [Fact]
    public async Task TraceAsync_Http10Server_NoTlsAndServerCloses()
    {
        var events = await lab.TraceAsync("http10");
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        var response = TraceAssert.Detail<HttpResponseDetails>(events);
        Assert.Equal("HTTP/1.0", response.Version);
        Assert.Equal(ConnectionCloser.Server, TraceAssert.Detail<ConnectionDetails>(events).ClosedBy);
    }

    [Fact]
    public async Task TraceAsync_PlainHttp_HasNoTlsStep()
    {
        var events = await lab.TraceAsync("plain");
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        Assert.DoesNotContain(events, e => e.Step == S.Tls);
    }

    [Fact]
    public async Task TraceAsync_Tls12OnlyServer_NegotiatesTls12WithTwoRoundTrips()
    {
        var events = await lab.TraceAsync("tls12");
        TraceAssert.Completed(events, HttpsSteps);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal("TLS 1.2", tls.Version);
        var outgoing = events.Select(e => e.Details).OfType<TlsRecordDetails>().Where(r => r.Direction == WireDirection.ClientToServer).ToList();
        Assert.Contains(outgoing, r => r.HandshakeTypes.Contains("client_key_exchange"));
        Assert.Contains(outgoing, r => r.ContentType == "change_cipher_spec");
    }

    [Fact]
    public async Task TraceAsync_Tls13OnlyAgainstTls12Server_FailsInTlsStepWithAlertName()
    {
        var events = await lab.TraceAsync(lab.Request("tls12") with { TlsVersions = ["1.3"] });
        var failure = TraceAssert.FailedAt(events, S.Tls, "tls-alert");
        Assert.Contains("protocol_version", failure.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expired", "expired")]
    [InlineData("selfsigned", "self-signed")]
    [InlineData("wrongname", "name-mismatch")]
    [InlineData("unknown", "name-mismatch")]
    public async Task TraceAsync_BadCertificate_IsAFindingNotTheEnd(string site, string code)
    {
        var events = await lab.TraceAsync(site);
        TraceAssert.Completed(events, HttpsSteps);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.False(tls.CertificateAccepted);
        Assert.Contains(tls.Findings, f => f.Code == code && f.Severity == FindingSeverity.Error);
    }

    [Fact]
    public async Task TraceAsync_NoSni_ServerHandsOutDefaultCertificate()
    {
        var events = await lab.TraceAsync(lab.Request("www") with { Sni = SniMode.None });
        TraceAssert.Completed(events, HttpsSteps);
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Null(tls.ServerName);
        Assert.Equal(["default.lab.test"], tls.Certificates[0].SubjectAlternativeNames);
        Assert.Contains(tls.Findings, f => f.Code == "name-mismatch");
    }

    [Fact]
    public async Task TraceAsync_CustomSni_SelectsThatCertificate()
    {
        var events = await lab.TraceAsync(lab.Request("www") with { Sni = SniMode.Custom, SniName = "api.lab.test" });
        var tls = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.Equal(["api.lab.test"], tls.Certificates[0].SubjectAlternativeNames);
    }

    [Fact]
    public async Task TraceAsync_ServerError_CompletesWithStatus500()
    {
        var events = await lab.TraceAsync("error");
        var summary = TraceAssert.Completed(events, HttpsSteps);
        Assert.Equal(500, summary.FinalStatusCode);
    }

    [Fact]
    public async Task TraceAsync_RefusedPort_FailsInTcpStep()
    {
        var events = await lab.TraceAsync("refused");
        TraceAssert.FailedAt(events, S.Tcp, "tcp-refused");
        Assert.Contains(events.Select(e => e.Details).OfType<TcpAttemptDetails>(), a => a.Outcome == TcpAttemptOutcome.Refused);
    }

    [Fact]
    public async Task TraceAsync_MissingName_FailsInDnsStepWithNxdomain()
    {
        var events = await lab.TraceAsync("nxdomain");
        var failure = TraceAssert.FailedAt(events, S.Dns, "dns-nxdomain");
        Assert.Contains("missing.lab.test", failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Step == S.Tcp);
    }

    [Fact]
    public async Task TraceAsync_CnameLoop_FailsInDnsStep()
    {
        var events = await lab.TraceAsync("cname-loop");
        Assert.Equal(S.Dns, events.Single(e => e.Kind == TraceEventKind.Failed).Step);
    }

    [Fact]
    public async Task TraceAsync_IPv6AddressRefused_HappyEyeballsFallsBackToIPv4()
    {
        var events = await lab.TraceAsync("race");
        TraceAssert.Completed(events, HttpsSteps);
        var attempts = events.Select(e => e.Details).OfType<TcpAttemptDetails>().Where(a => a.Outcome != TcpAttemptOutcome.Started).ToList();
        Assert.Equal([("[::1]", TcpAttemptOutcome.Refused), ("127.0.0.1", TcpAttemptOutcome.Connected)],
            attempts.Select(a => (a.Remote[..a.Remote.LastIndexOf(':')], a.Outcome)));
        Assert.Equal(2, TraceAssert.Detail<TcpConnectedDetails>(events).Attempts);
    }

    [Fact]
    public async Task TraceAsync_IPv4Only_SendsOnlyAQuery()
    {
        var events = await lab.TraceAsync(lab.Request("race") with { AddressFamily = AddressFamilyPreference.IPv4 });
        TraceAssert.Completed(events, HttpsSteps);
        Assert.Equal(["A"], events.Select(e => e.Details).OfType<DnsQueryDetails>().Select(q => q.QueryType));
    }

    [Fact]
    public async Task TraceAsync_IpLiteral_SkipsDnsAndSaysWhy()
    {
        var url = lab.Lab.Site("plain").Url.Replace("plain.lab.test", "127.0.0.1", StringComparison.Ordinal);
        var events = await lab.TraceAsync(lab.Request("plain") with { Url = url });
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        Assert.Equal(DnsSkipReason.IpLiteral, TraceAssert.Detail<DnsSkippedDetails>(events).Reason);
        Assert.Empty(events.Select(e => e.Details).OfType<DnsQueryDetails>());
    }

    [Fact]
    public async Task TraceAsync_ConnectTo_KeepsSniAndHostOfTheUrl()
    {
        var request = lab.Request("api") with
        {
            Url = $"https://api.elsewhere.test:443/",
            ConnectTo = $"127.0.0.1:{lab.Lab.Ports.Https}",
            Sni = SniMode.Custom,
            SniName = "api.lab.test",
        };
        var events = await lab.TraceAsync(request);
        TraceAssert.Completed(events, HttpsSteps);
        Assert.Equal("api.elsewhere.test", TraceAssert.Detail<HttpRequestDetails>(events).Headers[0].Value);
        Assert.EndsWith($":{lab.Lab.Ports.Https}", TraceAssert.Detail<TcpConnectedDetails>(events).Remote, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TraceAsync_BodyCap_StopsReadingAndSaysSo()
    {
        var events = await lab.TraceAsync(lab.Request("stream") with { MaxBodyBytes = 20 });
        TraceAssert.Completed(events, HttpsSteps);
        var response = TraceAssert.Detail<HttpResponseDetails>(events);
        Assert.True(response.BodyTruncated);
        Assert.Equal(20, response.BodyBytes);
        Assert.Equal(ConnectionCloser.Client, TraceAssert.Detail<ConnectionDetails>(events).ClosedBy);
    }

    [Fact]
    public async Task TraceAsync_FirstByteTimeout_FailsInServerProcessing()
    {
        var events = await lab.TraceAsync(lab.Request("slow") with { Timeouts = new StepTimeouts { FirstByte = TimeSpan.FromMilliseconds(100) } });
        TraceAssert.FailedAt(events, S.ServerProcessing, "http-first-byte-timeout");
    }

    [Fact]
    public async Task TraceAsync_WholeTraceLimit_FailsTheStepThatWasRunning()
    {
        var events = await lab.TraceAsync(lab.Request("slow") with { Timeouts = new StepTimeouts { Total = TimeSpan.FromMilliseconds(300) } });
        var summary = TraceAssert.Summary(events);
        Assert.Equal("trace-timeout", summary.Failure!.Code);
        Assert.Contains(events, e => e.Kind == TraceEventKind.Failed && e.Step == S.ServerProcessing);
    }

    [Fact]
    public async Task TraceAsync_MoreRedirectsThanAllowed_StopsWithClearReason()
    {
        var events = await lab.TraceAsync(lab.Request("redirect") with { MaxRedirects = 1 });
        var failure = TraceAssert.FailedAt(events, TraceStep.Trace, "too-many-redirects");
        Assert.Contains("Stopped after 1 redirect", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TraceAsync_InvalidRequest_FailsWithoutTouchingTheNetwork()
    {
        var events = await lab.TraceAsync(new TraceRequest { Url = "ftp://www.lab.test/" });
        var failure = TraceAssert.FailedAt(events, TraceStep.Trace, "invalid-request");
        Assert.Contains("ftp", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task TraceAsync_ConsumerCancels_EndsPromptlyWithTheStoppedStepAndTheSummary()
    {
        using var cancel = new CancellationTokenSource();
        var seen = new List<TraceEvent>();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await foreach (var e in lab.Tracer.TraceAsync(lab.Request("slow"), cancel.Token))
        {
            seen.Add(e);
            if (e.Step == S.ServerProcessing && e.Kind == TraceEventKind.Started)
                await cancel.CancelAsync();
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(seen, e => e.Step == S.HttpResponse);
        TraceAssert.FailedAt(seen, S.ServerProcessing, "cancelled");
        Assert.IsType<TraceSummary>(seen[^1].Details);
    }

    [Fact]
    public void Sites_AsLessons_EachInTheLessonOfTheStepItTeaches()
    {
        var sites = lab.Lab.Sites;
        // Every lesson has sites, and has something to say; the healthy site alone starts.
        Assert.All(LabLessonGuide.InOrder, lesson =>
        {
            Assert.Contains(sites, s => s.Lesson == lesson);
            Assert.False(string.IsNullOrWhiteSpace(LabLessonGuide.LookFor(lesson)));
        });
        Assert.Equal(["www"], sites.Where(s => s.Lesson == LabLesson.Start).Select(s => s.Name));
        // The misbehaving servers are in their own fold, and nothing else is.
        var hostile = sites.Where(s => s.Name.StartsWith("hostile", StringComparison.Ordinal) || s.Name.StartsWith("tls-", StringComparison.Ordinal)
            || s.Name.StartsWith("dns-", StringComparison.Ordinal) || s.Title.StartsWith("Hostile", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(hostile);
        Assert.All(hostile, s => Assert.Equal(LabLesson.Hostile, s.Lesson));
        Assert.All(sites.Where(s => s.Lesson == LabLesson.Hostile).Except(hostile), s => Assert.Contains(s.Name, (string[])["many-sans"]));
        // A site that fails where its lesson looks (other than hostile ones) teaches that step.
        Assert.Equal(LabLesson.Dns, lab.Lab.Site("nxdomain").Lesson);
        Assert.Equal(LabLesson.Tcp, lab.Lab.Site("refused").Lesson);
        Assert.Equal(LabLesson.Tls, lab.Lab.Site("tls12").Lesson);
        Assert.Equal(LabLesson.Http, lab.Lab.Site("slow").Lesson);
        Assert.Equal(LabLesson.Connection, lab.Lab.Site("close").Lesson);
    }

    [Fact]
    public async Task TraceAsync_CancelledWhileDnsWaits_TheDnsStepStopsAsCancelled()
    {
        // A resolver that never answers: the DNS step is waiting when the trace is stopped.
        using var silent = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        using var cancel = new CancellationTokenSource();
        var seen = new List<TraceEvent>();
        var request = new TraceRequest { Url = "https://nowhere.lab.test/", DnsServer = silent.Client.LocalEndPoint!.ToString() };
        await foreach (var e in lab.Tracer.TraceAsync(request, cancel.Token))
        {
            seen.Add(e);
            if (e.Step == S.Dns && e.Kind == TraceEventKind.Started)
                cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
        }

        TraceAssert.FailedAt(seen, S.Dns, "cancelled");
    }

    [Fact]
    public async Task TraceAsync_AllEvents_SurviveJsonRoundTrip()
    {
        var events = await lab.TraceAsync("redirect");
        foreach (var e in events)
        {
            var json = TraceJson.Serialize(e);
            Assert.Equal(json, TraceJson.Serialize(TraceJson.Deserialize(json)));
        }
    }
}
