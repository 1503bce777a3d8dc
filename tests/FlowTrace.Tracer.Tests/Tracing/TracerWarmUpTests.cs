using FlowTrace.Tracer.Policy;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tests.Tracing;

public sealed class TracerWarmUpTests
{
    [Fact]
    public async Task RunPathsAsync_EveryPath_CompletesItsTrace()
    {
        // A path whose trace fails warms only the code up to its failure: the rest then compiles in a user's first trace.
        var tracer = new FlowTracer(new TracerOptions { WarmUp = false, DestinationPolicy = DestinationPolicy.Open });
        var failures = await TracerWarmUp.RunPathsAsync(tracer);
        Assert.Equal(TracerWarmUp.PathsToWarm.Count, failures.Count);
        var failed = TracerWarmUp.PathsToWarm.Zip(failures).Where(p => p.Second is not null).Select(p => $"{p.First}: {p.Second}").ToList();
        Assert.True(failed.Count == 0, string.Join(Environment.NewLine, failed));
    }

    [Fact]
    public async Task RunPathsAsync_Http2Path_SpeaksHttp2SoItsCodeIsWarm()
    {
        var tracer = new FlowTracer(new TracerOptions { WarmUp = false, DestinationPolicy = DestinationPolicy.Open });
        var events = new System.Collections.Concurrent.ConcurrentBag<FlowTrace.Contracts.Events.TraceEvent>();
        await TracerWarmUp.RunPathsAsync(tracer, events.Add);
        Assert.Contains(events, e => e.Details is FlowTrace.Contracts.Events.Http2FrameDetails { FrameType: "HEADERS", HeaderBlock: not null });
        Assert.Contains(events, e => e.Details is FlowTrace.Contracts.Events.Http2FrameDetails { FrameType: "PING", FlagNames: "ACK" });
    }

    [Fact]
    public async Task WarmUpAsync_Finished_LeavesTheTracerItsStartedThreads()
    {
        // The warm-up runs through a twin tracer; starting a thread for the blocking connect and reader costs ~0.6 ms,
        // which the first real trace would pay if the twin kept its threads to itself (one serves both in turn).
        var tracer = new FlowTracer();
        Assert.Equal(0, tracer.KeptThreads);
        await tracer.WarmUpAsync();
        Assert.True(tracer.KeptThreads >= 1, $"{tracer.KeptThreads} threads kept");
    }
}
