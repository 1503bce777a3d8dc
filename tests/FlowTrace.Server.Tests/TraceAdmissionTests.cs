using FlowTrace.Server.Tracing;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Tests;

public sealed class TraceAdmissionTests
{
    [Fact]
    public void TryAdmit_ServerWideCapReached_RefusedUntilALeaseEnds()
    {
        using var admission = new TraceAdmission(Options.Create(new FlowTraceServerOptions { MaxConcurrentTraces = 2 }));
        var first = admission.TryAdmit("192.0.2.1", "c1", out _);
        var second = admission.TryAdmit("192.0.2.2", "c2", out _);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(admission.TryAdmit("192.0.2.3", "c3", out var refusal));
        Assert.Contains("maximum of 2 traces", refusal, StringComparison.Ordinal);
        first.Dispose();
        using var third = admission.TryAdmit("192.0.2.3", "c3", out _);
        Assert.NotNull(third);
        second!.Dispose();
    }

    [Fact]
    public void TryAdmit_PerConnectionCap_CountsOnlyThatConnection()
    {
        using var admission = new TraceAdmission(Options.Create(new FlowTraceServerOptions { MaxTracesPerConnection = 1 }));
        using var first = admission.TryAdmit("192.0.2.1", "c1", out _);
        Assert.Null(admission.TryAdmit("192.0.2.1", "c1", out var refusal));
        Assert.Contains("At most 1 traces", refusal, StringComparison.Ordinal);
        using var other = admission.TryAdmit("192.0.2.1", "c2", out _);
        Assert.NotNull(other);
    }

    [Fact]
    public void TryAdmit_RepeatedTrace_CountsEveryRunAgainstTheRateLimit()
    {
        using var admission = new TraceAdmission(Options.Create(new FlowTraceServerOptions { TracesPerMinutePerClient = 10 }));
        using (var repeat = admission.TryAdmit("192.0.2.1", null, out _, traces: 8))
            Assert.NotNull(repeat);
        Assert.Null(admission.TryAdmit("192.0.2.1", null, out var refusal, traces: 3));
        Assert.Contains("3 more would pass the 10 a minute", refusal, StringComparison.Ordinal);
        using var single = admission.TryAdmit("192.0.2.1", null, out _);
        Assert.NotNull(single);
    }

    [Fact]
    public void TryAdmit_RepeatAboveTheLimit_RefusedWithTheLimit()
    {
        using var admission = new TraceAdmission(Options.Create(new FlowTraceServerOptions { TracesPerMinutePerClient = 10 }));
        Assert.Null(admission.TryAdmit("192.0.2.1", null, out var refusal, traces: 11));
        Assert.Contains("11 runs are more than the 10 traces", refusal, StringComparison.Ordinal);
    }
}
