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
        var tracer = new FlowTracer(new TracerOptions { WarmUp = false });
        var request = new TraceRequest
        {
            Url = $"http://127.0.0.1:{server.Port}/",
            Alpn = HttpVersions.Alpn(HttpVersionPreference.Http2PriorKnowledge),
            Http2PriorKnowledge = true,
            Timeouts = new StepTimeouts { FirstByte = TimeSpan.FromSeconds(2), Download = download ?? TimeSpan.FromSeconds(5) },
        };
        var events = new List<TraceEvent>();
        await foreach (var e in tracer.TraceAsync(request, CancellationToken.None))
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

    [Fact]
    public async Task Http2_ServerThatOpensNoWindow_GetStillCompletes()
    {
        // An initial window of 0 stops a client's request body; a GET has none, so the trace goes on.
        var events = await TraceAsync(stream => [Settings((0x4, 0)), Frame(Headers, EndHeaders | EndStream, stream, 0x88)]);
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
    }
}
