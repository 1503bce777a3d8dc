using System.Diagnostics;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tracing;
using static FlowTrace.Tracer.Tests.Http2.ScriptedHttp2Server;
using S = FlowTrace.Contracts.Events.TraceStep;

namespace FlowTrace.Tracer.Tests.Http2;

/// <summary>HTTP/2 servers that break the protocol, each met with a clean failed step in bounded time (cleartext, with
/// prior knowledge, so that the frames are the test's alone).</summary>
public sealed class HostileHttp2Tests
{
    private const byte Headers = 1, Data = 0, GoAway = 7, Continuation = 9, EndStream = 1, EndHeaders = 4;

    private static async Task<IReadOnlyList<TraceEvent>> TraceAsync(Func<int, IEnumerable<byte[]>> answer, TimeSpan? download = null)
    {
        await using var server = new ScriptedHttp2Server(answer);
        return await TraceAsync(server, download);
    }

    /// <summary>Traces the server with prior knowledge; <paramref name="shape"/> changes the request (again on the same
    /// connection, a body cap...).</summary>
    private static async Task<IReadOnlyList<TraceEvent>> TraceAsync(ScriptedHttp2Server server, TimeSpan? download = null, Func<TraceRequest, TraceRequest>? shape = null)
    {
        var tracer = new FlowTracer(new TracerOptions { WarmUp = false });
        var request = new TraceRequest
        {
            Url = $"http://127.0.0.1:{server.Port}/",
            Alpn = HttpVersions.Alpn(HttpVersionPreference.Http2PriorKnowledge),
            Http2PriorKnowledge = true,
            Timeouts = new StepTimeouts { FirstByte = TimeSpan.FromSeconds(2), Download = download ?? TimeSpan.FromSeconds(5) },
        };
        var events = new List<TraceEvent>();
        await foreach (var e in tracer.TraceAsync(shape?.Invoke(request) ?? request, CancellationToken.None))
            events.Add(e);
        return events;
    }

    [Fact]
    public async Task Http2_WellBehavedCleartextServer_PriorKnowledgeTraceCompletes()
    {
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, EndHeaders, stream, 0x88), Frame(Data, EndStream, stream, "hi"u8.ToArray())]);
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        Assert.Equal(("HTTP/2", 200, 2L), (TraceAssert.Detail<HttpResponseDetails>(events).Version, TraceAssert.Detail<HttpResponseDetails>(events).StatusCode, TraceAssert.Detail<HttpResponseDetails>(events).BodyBytes));
        Assert.Contains(events, e => e.Message.StartsWith("→ connection preface", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http2_FrameLargerThanAdvertised_FailsFrameTooLarge()
    {
        var events = await TraceAsync(stream => [Settings(), HeaderOnly(Headers, stream, 20_000)]);
        var failure = TraceAssert.FailedAt(events, S.ServerProcessing, "http2-frame-too-large");
        Assert.Contains("20,000 bytes", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_HpackIndexBeyondTheTable_FailsCompressionError()
    {
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, EndHeaders | EndStream, stream, 0xBE)]);
        var failure = TraceAssert.FailedAt(events, S.HttpResponse, "http2-compression-error");
        Assert.Contains("index 62 is beyond the tables", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_SmallBlockNamingALargeEntryOverAndOver_FailsAtTheHeaderListLimit()
    {
        // An HPACK bomb: one 4,000-byte value added to the table, then named by index 62 twenty times: 4 KB on the wire,
        // 80 KB of header list, beyond the 64 KiB the client's SETTINGS allow.
        byte[] block = [0x88, 0x40, 1, (byte)'x', 0x7F, 0xA1, 0x1E, .. new byte[4000].Select(_ => (byte)'a'), .. Enumerable.Repeat((byte)0xBE, 20)];
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, EndHeaders | EndStream, stream, block)]);
        var failure = TraceAssert.FailedAt(events, S.HttpResponse, "http2-header-list-too-large");
        Assert.Contains("larger than 65,536 bytes", failure.Reason, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Details is Http2FrameDetails { FrameType: "GOAWAY", Direction: WireDirection.ClientToServer } g && g.Summary.Contains("COMPRESSION_ERROR", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http2_HeaderBlockThatNeverEnds_FailsWithinItsSizeLimit()
    {
        var watch = Stopwatch.StartNew();
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, 0, stream, 0x88),
            .. Enumerable.Range(0, 10).Select(_ => Frame(Continuation, 0, stream, new byte[16_000]))]);
        TraceAssert.FailedAt(events, S.HttpResponse, "http2-header-block-too-large");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{watch.Elapsed}");
    }

    [Fact]
    public async Task Http2_GoAwayMidStream_FailsNamingTheError()
    {
        // GOAWAY: last stream 0 (stream 1 will not be processed), ENHANCE_YOUR_CALM, after the response began.
        byte[] goAway = [0, 0, 0, 0, 0, 0, 0, 0x0b];
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, EndHeaders, stream, 0x88), Frame(GoAway, 0, 0, goAway)]);
        var failure = TraceAssert.FailedAt(events, S.HttpResponse, "http2-goaway");
        Assert.Contains("ENHANCE_YOUR_CALM", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_ServerThatNeverEndsTheStream_FailsAtTheDownloadTimeout()
    {
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, EndHeaders, stream, 0x88)], download: TimeSpan.FromMilliseconds(300));
        TraceAssert.FailedAt(events, S.HttpResponse, "http-download-timeout");
    }

    [Theory]
    [InlineData(65_535, "That is exactly HTTP/2's initial window (65,535 bytes): the server seems to wait for a WINDOW_UPDATE")]
    [InlineData(100, "while the client's windows still had 6,291,356 bytes open for the stream and 15,728,540 for the connection, so flow control was not what held it")]
    public async Task Http2_ServerStopsSending_FailureSaysWhetherFlowControlHeldIt(int bytes, string said)
    {
        // 65,535 bytes, then nothing, is what a server does that missed the client's SETTINGS_INITIAL_WINDOW_SIZE; 100
        // bytes, then nothing, is the server alone.
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, EndHeaders, stream, 0x88),
            .. Enumerable.Range(0, (bytes + 16_383) / 16_384).Select(i => Frame(Data, 0, stream, new byte[Math.Min(16_384, bytes - (i * 16_384))]))],
            download: TimeSpan.FromMilliseconds(500));
        var failure = TraceAssert.FailedAt(events, S.HttpResponse, "http-download-timeout");
        Assert.Contains($"{bytes:N0} bytes of DATA arrived, then no more DATA for", failure.Reason, StringComparison.Ordinal);
        Assert.Contains(said, failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_ServerWantsNoHpackTable_SecondStreamStartsWithTheSizeUpdate()
    {
        // HEADER_TABLE_SIZE=0; the first response redirects (same origin) so the second request goes out as stream 3.
        byte[] redirect = [0x08, 0x03, .. "301"u8, 0x0F, 0x1F, 0x05, .. "/next"u8];
        await using var server = new ScriptedHttp2Server(stream => stream == 1
            ? [Settings((0x1, 0)), Frame(Headers, EndHeaders | EndStream, stream, redirect)]
            : [Frame(Headers, EndHeaders | EndStream, stream, 0x88)]);
        var events = await TraceAsync(server);
        Assert.True(TraceAssert.Summary(events).Succeeded, TraceAssert.Summary(events).Failure?.Reason);
        var blocks = server.ReceivedBlocks.ToArray();
        Assert.Equal(2, blocks.Length);
        // RFC 7541 §4.2: the first block after the change starts with a dynamic table size update to 0 (001 00000).
        Assert.NotEqual(0x20, blocks[0][0]);
        Assert.Equal(0x20, blocks[1][0]);
        Assert.Contains(events, e => e.Hop == 1 && e.Details is Http2FrameDetails { FrameType: "HEADERS", StreamId: 3, Direction: WireDirection.ClientToServer });
    }

    [Fact]
    public async Task Http2_LargeBodiesOnTwoStreams_WindowsGivenBackSoTheSecondIsNotStalled()
    {
        // 5 MiB per response, sent as the windows allow: the client's stream window (6 MiB) holds one, the connection's
        // (15 MiB) needs giving back before a third would fit; two streams on one connection (a redirect).
        var body = new byte[16_000];
        IEnumerable<byte[]> Body(int stream) => Enumerable.Range(0, 5 * 1024 * 1024 / body.Length).Select(i => Frame(Data, 0, stream, body)).Append(Frame(Data, EndStream, stream));
        byte[] redirect = [0x08, 0x03, .. "302"u8, 0x0F, 0x1F, 0x05, .. "/next"u8];
        await using var server = new ScriptedHttp2Server(stream => stream == 1
            ? [Settings(), Frame(Headers, EndHeaders, stream, redirect), .. Body(stream)]
            : [Frame(Headers, EndHeaders, stream, 0x88), .. Body(stream)]);
        var events = await TraceAsync(server, download: TimeSpan.FromSeconds(30), shape: r => r with { MaxBodyBytes = 8 * 1024 * 1024 });
        Assert.True(TraceAssert.Summary(events).Succeeded, TraceAssert.Summary(events).Failure?.Reason);
        Assert.All(events.Select(e => e.Details).OfType<HttpResponseDetails>(), r => Assert.Equal(5 * 1024 * 1024 / body.Length * body.Length, r.BodyBytes));
        var updates = events.Select(e => e.Details).OfType<Http2FrameDetails>().Where(f => f is { Direction: WireDirection.ClientToServer, FrameType: "WINDOW_UPDATE" }).ToList();
        Assert.Contains(updates, u => u.StreamId == 1);
        Assert.Contains(updates, u => u.StreamId == 0 && !u.Summary.Contains("15,663,105", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http2_TrailersOnAStreamTheTraceCancelled_DecodedSoTheNextStreamsTablesAgree()
    {
        // Stream 1 is cut at the body cap (RST_STREAM CANCEL); its trailers were already on their way and add
        // "x-late: yes" to the server's HPACK table. Stream 3's answer then names that entry by index (62): the client
        // must have decoded the trailers of the stream it left, or its table would not have the entry.
        byte[] trailers = [0x40, 6, .. "x-late"u8, 3, .. "yes"u8];
        await using var server = new ScriptedHttp2Server(stream => stream == 1
            ? [Settings(), Frame(Headers, EndHeaders, stream, 0x88), Frame(Data, 0, stream, new byte[100]), Frame(Headers, EndHeaders | EndStream, stream, trailers)]
            : [Frame(Headers, EndHeaders | EndStream, stream, 0x88, 0xBE)]);
        var events = await TraceAsync(server, shape: r => r with { MaxBodyBytes = 10, AgainOnSameConnection = true });
        Assert.True(TraceAssert.Summary(events).Succeeded, TraceAssert.Summary(events).Failure?.Reason);
        var late = events.Select(e => e.Details).OfType<Http2FrameDetails>().Single(f => f is { FrameType: "HEADERS", StreamId: 1, Direction: WireDirection.ServerToClient, HeaderBlock.Fields: [{ Name: "x-late" }] });
        Assert.Contains("which this trace had cancelled", late.Summary, StringComparison.Ordinal);
        var second = events.Where(e => e.Details is HttpResponseDetails).Select(e => (HttpResponseDetails)e.Details!).Last();
        Assert.Contains(second.Headers, h => h is { Name: "x-late", Value: "yes" });
    }

    [Theory]
    [InlineData(Headers, 2)]
    [InlineData(Headers, 3)]
    [InlineData(Data, 5)]
    [InlineData((byte)8, 4)]
    public async Task Http2_FrameOnAStreamNeverOpened_FailsAsAProtocolError(byte type, int stream)
    {
        // Stream 1 is the request's; an even stream would be the server's own (push, refused), an odd one beyond 1 the
        // client's next, which it has not opened.
        var events = await TraceAsync(_ => [Settings(), Frame(type, EndHeaders | EndStream, stream, type == 8 ? [0, 0, 1, 0] : [0x88])]);
        var failure = TraceAssert.FailedAt(events, S.ServerProcessing, "http2-protocol");
        Assert.Contains($"on stream {stream}, which the client never opened", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_HeadersOnAStreamThatEnded_FailsAsStreamClosed()
    {
        // Stream 1 ends (END_STREAM); when the same request goes again as stream 3, the server first sends more HEADERS
        // on stream 1, which a closed stream may not carry.
        await using var server = new ScriptedHttp2Server(stream => stream == 1
            ? [Settings(), Frame(Headers, EndHeaders | EndStream, 1, 0x88)]
            : [Frame(Headers, EndHeaders | EndStream, 1, 0x88), Frame(Headers, EndHeaders | EndStream, stream, 0x88)]);
        var events = await TraceAsync(server, shape: r => r with { AgainOnSameConnection = true });
        var failed = Assert.Single(events, e => e.Kind == TraceEventKind.Failed);
        Assert.Equal((1, S.ServerProcessing, "http2-stream-closed"), (failed.Hop, failed.Step, ((StepFailureDetails)failed.Details!).Code));
        Assert.Contains(events, e => e.Details is Http2FrameDetails { FrameType: "GOAWAY", Direction: WireDirection.ClientToServer } g && g.Summary.EndsWith("STREAM_CLOSED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http2_WindowUpdateAndResetOnAStreamThatEnded_Tolerated()
    {
        // WINDOW_UPDATE and RST_STREAM may still name a stream that just ended; neither is refused (RFC 9113 §5.1).
        await using var server = new ScriptedHttp2Server(stream => stream == 1
            ? [Settings(), Frame(Headers, EndHeaders | EndStream, 1, 0x88)]
            : [Frame(8, 0, 1, 0, 0, 1, 0), Frame(3, 0, 1, 0, 0, 0, 5), Frame(Headers, EndHeaders | EndStream, stream, 0x88)]);
        var events = await TraceAsync(server, shape: r => r with { AgainOnSameConnection = true });
        Assert.True(TraceAssert.Summary(events).Succeeded, TraceAssert.Summary(events).Failure?.Reason);
        Assert.Contains(events, e => e.Hop == 1 && e.Details is Http2FrameDetails { FrameType: "RST_STREAM", StreamId: 1 });
    }

    [Theory]
    [InlineData(Headers)]
    [InlineData(Data)]
    [InlineData((byte)3)]
    public async Task Http2_StreamFrameOnStreamZero_FailsAsAProtocolError(byte type)
    {
        var events = await TraceAsync(_ => [Settings(), Frame(type, EndHeaders, 0, type == 3 ? [0, 0, 0, 8] : [0x88])]);
        var failure = TraceAssert.FailedAt(events, S.ServerProcessing, "http2-protocol");
        Assert.Contains("on stream 0, which is the connection's", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_UnknownFrameTypeOnAnyStream_Ignored()
    {
        var events = await TraceAsync(stream => [Settings(), Frame(0x20, 0, 4, 1, 2, 3), Frame(0x21, 0, 0), Frame(Headers, EndHeaders | EndStream, stream, 0x88)]);
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        Assert.Contains(events, e => e.Details is Http2FrameDetails { StreamId: 4 } f && f.Summary.Contains("ignored", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http2_InformationalResponseThatEndsTheStream_FailsAsAProtocolError()
    {
        byte[] continueBlock = [0x08, 0x03, .. "100"u8];
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, EndHeaders | EndStream, stream, continueBlock)]);
        var failure = TraceAssert.FailedAt(events, S.HttpResponse, "http2-protocol");
        Assert.Contains("informational (100)", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_TrailersWithoutEndStream_FailAsAProtocolError()
    {
        byte[] trailers = [0x00, 1, (byte)'x', 1, (byte)'y'];
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, EndHeaders, stream, 0x88), Frame(Data, 0, stream, 1, 2), Frame(Headers, EndHeaders, stream, trailers)]);
        var failure = TraceAssert.FailedAt(events, S.HttpResponse, "http2-protocol");
        Assert.Contains("trailers end the stream", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_StallAtTheConnectionsInitialWindowOverTwoStreams_SaysTheServerWaitsForAWindowUpdate()
    {
        // 40,000 bytes on stream 1, then 25,535 on stream 3 of the same connection: 65,535 in all, what a server that
        // missed the client's connection WINDOW_UPDATE can send.
        await using var server = new ScriptedHttp2Server(stream => stream == 1
            ? [Settings(), Frame(Headers, EndHeaders, 1, 0x88), Frame(Data, 0, 1, new byte[16_384]), Frame(Data, 0, 1, new byte[16_384]), Frame(Data, EndStream, 1, new byte[7_232])]
            : [Frame(Headers, EndHeaders, stream, 0x88), Frame(Data, 0, stream, new byte[16_384]), Frame(Data, 0, stream, new byte[9_151])]);
        var events = await TraceAsync(server, download: TimeSpan.FromMilliseconds(500), shape: r => r with { AgainOnSameConnection = true });
        var failed = Assert.Single(events, e => e.Kind == TraceEventKind.Failed);
        var reason = ((StepFailureDetails)failed.Details!).Reason;
        Assert.Equal((1, "http-download-timeout"), (failed.Hop, ((StepFailureDetails)failed.Details!).Code));
        Assert.Contains("25,535 bytes of DATA arrived", reason, StringComparison.Ordinal);
        Assert.Contains("(65,535 on the connection in all). That is exactly HTTP/2's initial window", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_EndlessInformationalResponses_FailAfterTheirLimit()
    {
        byte[] continueBlock = [0x08, 0x03, .. "100"u8];
        var events = await TraceAsync(stream => [Settings(), .. Enumerable.Range(0, 50).Select(_ => Frame(Headers, EndHeaders, stream, continueBlock))]);
        TraceAssert.FailedAt(events, S.HttpResponse, "http2-too-many-interim");
    }

    [Fact]
    public async Task Http2_HeaderBlocksDecodingToMuchText_FieldsListedOnlyWithinTheConnectionsBudget()
    {
        // Six informational responses of ~60 KB of header text each, from ~4 KB of wire (one 4,000-byte table entry named
        // again and again): all decoded, but the events list fields only up to the connection's budget.
        byte[] first = [0x08, 0x03, .. "100"u8, 0x40, 1, (byte)'x', 0x7F, 0xA1, 0x1E, .. Enumerable.Repeat((byte)'a', 4000), .. Enumerable.Repeat((byte)0xBE, 14)];
        byte[] next = [0x08, 0x03, .. "100"u8, .. Enumerable.Repeat((byte)0xBE, 15)];
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, EndHeaders, stream, first),
            .. Enumerable.Range(0, 5).Select(_ => Frame(Headers, EndHeaders, stream, next)), Frame(Headers, EndHeaders | EndStream, stream, 0x88)]);
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        var blocks = events.Select(e => e.Details).OfType<Http2FrameDetails>().Where(f => f is { FrameType: "HEADERS", Direction: WireDirection.ServerToClient }).ToList();
        Assert.Equal(7, blocks.Count);
        Assert.True(blocks.Where(b => b.HeaderBlock!.Fields.Count > 0).Sum(b => (long)b.HeaderBlock!.PlainBytes) <= 256 * 1024);
        Assert.Contains(blocks, b => b.HeaderBlock!.Fields.Count == 0 && b.Summary.Contains("fields not listed", StringComparison.Ordinal));
        Assert.Equal(200, TraceAssert.Detail<HttpResponseDetails>(events).StatusCode);
    }

    [Theory]
    [InlineData("GOAWAY")]
    [InlineData("RST_STREAM")]
    public async Task Http2_RefusalAskingForHttp11_FailsByNameAndIsNotSentAgain(string how)
    {
        byte[] goAway = [0, 0, 0, 0, 0, 0, 0, 0xd];
        await using var server = new ScriptedHttp2Server(stream => [Settings(), how == "GOAWAY" ? Frame(GoAway, 0, 0, goAway) : Frame(3, 0, stream, 0, 0, 0, 0xd)]);
        var events = await TraceAsync(server);
        var failure = TraceAssert.FailedAt(events, S.ServerProcessing, "http2-http11-required");
        Assert.Contains("HTTP_1_1_REQUIRED", failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Details is RetriedDetails);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task Http2_RefusedThenRedirectedWithOneRedirectAllowed_TheRetryIsNoRedirect()
    {
        // The retry is a hop, not a redirect: one redirect allowed still lets a refused request's answer redirect once.
        var answered = 0;
        byte[] redirect = [0x08, 0x03, .. "301"u8, 0x0F, 0x1F, 0x05, .. "/next"u8];
        await using var server = new ScriptedHttp2Server(stream => Interlocked.Increment(ref answered) switch
        {
            1 => [Settings(), Frame(3, 0, stream, 0, 0, 0, 7)],
            2 => [Settings(), Frame(Headers, EndHeaders | EndStream, stream, redirect)],
            _ => [Frame(Headers, EndHeaders | EndStream, stream, 0x88)],
        });
        var events = await TraceAsync(server, shape: r => r with { MaxRedirects = 1 });
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Succeeded, summary.Failure?.Reason);
        Assert.Equal(200, summary.FinalStatusCode);
        Assert.Single(events.Select(e => e.Details).OfType<RetriedDetails>());
        Assert.Single(events.Select(e => e.Details).OfType<RedirectDetails>());
    }

    [Fact]
    public async Task Http2_RefusedBeforeAndAfterARedirect_EachRequestSentAgainOnce()
    {
        // Once per request: the redirect's target is a request of its own, and its refusal is sent again too.
        var answered = 0;
        byte[] redirect = [0x08, 0x03, .. "302"u8, 0x0F, 0x1F, 0x05, .. "/next"u8];
        await using var server = new ScriptedHttp2Server(stream => Interlocked.Increment(ref answered) switch
        {
            1 or 3 => [Settings(), Frame(3, 0, stream, 0, 0, 0, 7)],
            2 => [Settings(), Frame(Headers, EndHeaders | EndStream, stream, redirect)],
            _ => [Settings(), Frame(Headers, EndHeaders | EndStream, stream, 0x88)],
        });
        var events = await TraceAsync(server);
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Succeeded, summary.Failure?.Reason);
        Assert.Equal(2, events.Select(e => e.Details).OfType<RetriedDetails>().Count());
        // Refused on the first; the redirect's request as stream 3 of the second (same origin), refused; the third answers.
        Assert.Equal(3, server.Connections);
    }

    [Theory]
    [InlineData("RST_STREAM REFUSED_STREAM")]
    [InlineData("GOAWAY")]
    public async Task Http2_StreamRefusedUnprocessed_SentAgainOnceOnANewConnection(string refusal)
    {
        // The first connection refuses the stream without processing it; the second answers. A browser sends such a
        // request again (RFC 9113 §8.7), and so does the trace: a new hop, to the same address, on a new connection.
        var answered = 0;
        byte[] goAway = [0, 0, 0, 0, 0, 0, 0, 0];
        await using var server = new ScriptedHttp2Server(stream => Interlocked.Increment(ref answered) == 1
            ? [Settings(), refusal == "GOAWAY" ? Frame(GoAway, 0, 0, goAway) : Frame(3, 0, stream, 0, 0, 0, 7)]
            : [Settings(), Frame(Headers, EndHeaders | EndStream, stream, 0x88)]);
        var events = await TraceAsync(server);
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Succeeded, summary.Failure?.Reason);
        var refused = Assert.Single(events, e => e.Kind == TraceEventKind.Failed);
        Assert.Equal((0, S.ServerProcessing, "http2-stream-refused"), (refused.Hop, refused.Step, ((StepFailureDetails)refused.Details!).Code));
        Assert.Contains(refusal == "GOAWAY" ? "naming stream 0 the last it will process" : "REFUSED_STREAM", ((StepFailureDetails)refused.Details!).Reason, StringComparison.Ordinal);
        var retried = Assert.Single(events.Select(e => e.Details).OfType<RetriedDetails>());
        Assert.Equal($"127.0.0.1:{server.Port}", retried.Address);
        Assert.Equal(2, server.Connections);
        // The second hop: no lookup (the same address), a connection of its own, the answer.
        Assert.Equal(DnsSkipReason.EarlierConnection, TraceAssert.Detail<DnsSkippedDetails>(events, hop: 1).Reason);
        Assert.False(TraceAssert.Detail<TcpConnectedDetails>(events, hop: 1).Reused);
        Assert.Equal(200, TraceAssert.Detail<HttpResponseDetails>(events, hop: 1).StatusCode);
        Assert.Contains(summary.Intervals, i => i.Name == TraceIntervalNames.Retry);
        // The first connection was closed politely: the client's GOAWAY names no error of its own.
        Assert.Contains(events, e => e.Hop == 0 && e.Details is Http2FrameDetails { FrameType: "GOAWAY", Direction: WireDirection.ClientToServer } g && g.Summary.EndsWith("NO_ERROR", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http2_StreamRefusedTwice_SentAgainOnlyOnceThenFails()
    {
        await using var server = new ScriptedHttp2Server(stream => [Settings(), Frame(3, 0, stream, 0, 0, 0, 7)]);
        var events = await TraceAsync(server);
        Assert.False(TraceAssert.Summary(events).Succeeded);
        Assert.Equal(2, events.Count(e => e.Details is StepFailureDetails { Code: "http2-stream-refused" }));
        Assert.Single(events.Select(e => e.Details).OfType<RetriedDetails>());
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task Http2_StreamResetWithAnotherError_NotSentAgain()
    {
        var events = await TraceAsync(stream => [Settings(), Frame(3, 0, stream, 0, 0, 0, 2)]);
        var failure = TraceAssert.FailedAt(events, S.ServerProcessing, "http2-stream-reset");
        Assert.Contains("INTERNAL_ERROR", failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Details is RetriedDetails);
    }

    [Fact]
    public async Task Http2_PushPromiseThoughPushWasRefused_FailsAsAProtocolError()
    {
        var events = await TraceAsync(stream => [Settings(), Frame(Headers, EndHeaders, stream, 0x88), Frame(5, EndHeaders, stream, 0, 0, 0, 2, 0x82)]);
        TraceAssert.FailedAt(events, S.HttpResponse, "http2-protocol");
    }

    [Fact]
    public async Task Http2_PriorKnowledgeToAnHttp11Server_SaysItDoesNotSpeakHttp2()
    {
        var events = await TraceAsync(_ => ["HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray()]);
        var failure = TraceAssert.FailedAt(events, S.ServerProcessing, "http2-not-spoken");
        Assert.Contains("HTTP/1.x", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_ServerThatOpensNoWindow_GetStillCompletes()
    {
        // An initial window of 0 stops a client's request body; a GET has none, so the trace goes on.
        var events = await TraceAsync(stream => [Settings((0x4, 0)), Frame(Headers, EndHeaders | EndStream, stream, 0x88)]);
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
    }
}
