using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tracing;
using S = FlowTrace.Contracts.Events.TraceStep;

namespace FlowTrace.Tracer.Tests.Lab;

/// <summary>HTTP/2 with the lab's HTTP/2 listener (Kestrel speaking HTTP/2 only), met by the default offer (h2, http/1.1).</summary>
[Collection(LabCollection.Name)]
public sealed class Http2LabTests(LabFixture lab)
{
    /// <summary>The lab site <paramref name="label"/> on the HTTP/2 listener (its handler answers every name).</summary>
    private TraceRequest Http2(string label) => lab.Request("h2") with { Url = $"https://{label}.{lab.Lab.Zone}:{lab.Lab.Ports.Http2}/" };

    private static List<Http2FrameDetails> Frames(IReadOnlyList<TraceEvent> events, int hop = 0) =>
        [.. events.Where(e => e.Hop == hop).Select(e => e.Details).OfType<Http2FrameDetails>()];

    [Fact]
    public async Task TraceAsync_OfferingH2_SevenStepsOverHttp2WithFramesInTheirSteps()
    {
        var events = await lab.TraceAsync(Http2("h2"));
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        Assert.Equal("h2", TraceAssert.Detail<TlsHandshakeDetails>(events).Alpn);
        Assert.Empty(TraceAssert.Detail<TlsHandshakeDetails>(events).Findings);
        Assert.Equal("GET / HTTP/2", TraceAssert.Detail<HttpRequestDetails>(events).RequestLine);
        var response = TraceAssert.Detail<HttpResponseDetails>(events);
        Assert.Equal(("HTTP/2", 200, BodyFraming.EndStream), (response.Version, response.StatusCode, response.Framing));
        // The request's frames are the request step's, the response stream's first frame opens the response step.
        Assert.Contains(events, e => e.Step == S.HttpRequest && e.Details is Http2FrameDetails { FrameType: "HEADERS", StreamId: 1 });
        var first = events.First(e => e.Details is Http2FrameDetails { Direction: WireDirection.ServerToClient, StreamId: 1 });
        Assert.Equal(S.HttpResponse, first.Step);
        var block = ((Http2FrameDetails)first.Details!).HeaderBlock!;
        Assert.Contains(block.Fields, f => f.Name == ":status" && f.Carried == "static table 8");
        Assert.Equal(block.WireBytes, response.HeadBytes);
        // The PING's round trip, beside the kernel's estimate for the same connection.
        Assert.Matches(@"round trip [\d.,]+ ms, HTTP/2's own measure \(the kernel's estimate for this connection: [\d.,]+ ms\)$",
            Frames(events).Single(f => f is { FrameType: "PING", FlagNames: "ACK", Direction: WireDirection.ServerToClient }).Summary);
        // Closing: the tracer's GOAWAY, then close.
        Assert.Contains(events, e => e.Step == S.Connection && e.Details is Http2FrameDetails { FrameType: "GOAWAY", Direction: WireDirection.ClientToServer });
        Assert.Equal(ConnectionCloser.Client, TraceAssert.Detail<ConnectionDetails>(events).ClosedBy);
    }

    [Fact]
    public async Task TraceAsync_AgainOnTheSameConnection_SecondRequestIsStreamThree()
    {
        var events = await lab.TraceAsync(Http2("h2") with { AgainOnSameConnection = true });
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Succeeded, summary.Failure?.Reason);
        Assert.True(TraceAssert.Detail<TcpConnectedDetails>(events, hop: 1).Reused);
        Assert.Contains(Frames(events, hop: 1), f => f is { Direction: WireDirection.ClientToServer, FrameType: "HEADERS", StreamId: 3 });
        // No second preface or SETTINGS: the connection's are done once.
        Assert.DoesNotContain(Frames(events, hop: 1), f => f is { Direction: WireDirection.ClientToServer, FrameType: "SETTINGS", FlagNames: "" });
        Assert.Contains(events, e => e.Details is SameConnectionAgainDetails);
        // The second request's header block is smaller: HPACK's dynamic table holds what the first one sent.
        var requests = events.Select(e => e.Details).OfType<HttpRequestDetails>().ToList();
        Assert.True(requests[1].Bytes < requests[0].Bytes, $"{requests[1].Bytes} bytes after {requests[0].Bytes}");
    }

    [Fact]
    public async Task TraceAsync_HeadersLargerThanAFrame_KestrelSendsContinuationAndTheBlockIsWhole()
    {
        var events = await lab.TraceAsync(lab.Request("h2-big-headers"));
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        Assert.Empty(TraceAssert.Detail<TlsHandshakeDetails>(events).Findings);
        var frames = Frames(events).Where(f => f.Direction == WireDirection.ServerToClient && f.StreamId == 1).ToList();
        var headers = frames.First(f => f.FrameType == "HEADERS");
        Assert.DoesNotContain("END_HEADERS", headers.FlagNames, StringComparison.Ordinal);
        var continuations = frames.Where(f => f.FrameType == "CONTINUATION").ToList();
        Assert.NotEmpty(continuations);
        Assert.Contains("END_HEADERS", continuations[^1].FlagNames, StringComparison.Ordinal);
        // The block, joined, is what the response's head holds: every filler header, whole.
        var response = TraceAssert.Detail<HttpResponseDetails>(events);
        Assert.Equal(30, response.Headers.Count(h => h.Name.StartsWith("x-lab-filler-", StringComparison.Ordinal)));
        Assert.All(response.Headers.Where(h => h.Name.StartsWith("x-lab-filler-", StringComparison.Ordinal)), h => Assert.Equal(80 * 12, h.Value.Length));
        Assert.Equal(headers.HeaderBlock!.WireBytes, response.HeadBytes);
        Assert.True(response.HeadBytes > 16_384, $"{response.HeadBytes} bytes");
    }

    [Fact]
    public async Task TraceAsync_StreamRefusedOnce_SentAgainOnANewConnectionAndAnswered()
    {
        var events = await lab.TraceAsync(lab.Request("hostile-h2-refused-once"));
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Succeeded, summary.Failure?.Reason);
        Assert.Null(lab.Lab.Site("hostile-h2-refused-once").ExpectedFailureStep);
        var refused = Assert.Single(events, e => e.Kind == TraceEventKind.Failed);
        Assert.Equal((0, S.ServerProcessing), (refused.Hop, refused.Step));
        Assert.Contains("REFUSED_STREAM", ((StepFailureDetails)refused.Details!).Reason, StringComparison.Ordinal);
        Assert.Single(events.Select(e => e.Details).OfType<RetriedDetails>());
        Assert.Equal(DnsSkipReason.EarlierConnection, TraceAssert.Detail<DnsSkippedDetails>(events, hop: 1).Reason);
        Assert.Equal(("h2", 200), (TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 1).Alpn, TraceAssert.Detail<HttpResponseDetails>(events, hop: 1).StatusCode));
        // The next trace meets the refusal again, in step mode too, where the second try waits for the learner.
        var again = await lab.TraceAsync(lab.Request("hostile-h2-refused-once") with { PauseAfterStep = (_, token) => new ValueTask(Task.Delay(200, token)) });
        Assert.True(TraceAssert.Summary(again).Succeeded, TraceAssert.Summary(again).Failure?.Reason);
        Assert.Single(again.Select(e => e.Details).OfType<RetriedDetails>());
    }

    [Fact]
    public async Task TraceAsync_LessonSitesOfferedH2_StayOnHttp11()
    {
        // The lessons' listeners speak HTTP/1.1 only: the default offer meets them as it meets most servers.
        var events = await lab.TraceAsync(lab.Request("www"));
        Assert.Equal("http/1.1", TraceAssert.Detail<TlsHandshakeDetails>(events).Alpn);
        Assert.Equal("HTTP/1.1", TraceAssert.Detail<HttpResponseDetails>(events).Version);
    }

    [Fact]
    public async Task TraceAsync_StreamedBody_EachDataFrameAnEventAndTheBodyCounted()
    {
        var events = await lab.TraceAsync(Http2("stream"));
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        var data = Frames(events).Where(f => f.FrameType == "DATA").ToList();
        Assert.True(data.Count > 1);
        Assert.Equal(TraceAssert.Detail<HttpResponseDetails>(events).BodyBytes, data.Sum(d => (long)d.Length));
    }
}
