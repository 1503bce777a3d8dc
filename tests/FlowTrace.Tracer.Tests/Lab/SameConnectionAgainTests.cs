using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Ladder;

namespace FlowTrace.Tracer.Tests.Lab;

/// <summary>Warm against cold: the same request again on the connection the first one kept alive.</summary>
[Collection(LabCollection.Name)]
public sealed class SameConnectionAgainTests(LabFixture lab)
{
    [Fact]
    public async Task TraceAsync_AgainOnSameConnection_SecondHopHasNoDnsTcpOrTlsOfItsOwn()
    {
        var events = await lab.TraceAsync(lab.Request("www") with { AgainOnSameConnection = true });
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Succeeded);
        var again = Assert.Single(events, e => e.Details is SameConnectionAgainDetails);
        Assert.Equal(0, again.Hop);
        Assert.Equal(lab.Lab.Site("www").Url, ((SameConnectionAgainDetails)again.Details!).Url);

        // The second request: no lookup, no handshake; the TCP step says it reused the connection, on the same ports.
        Assert.DoesNotContain(events, e => e.Hop == 1 && e.Step is TraceStep.Dns or TraceStep.Tls);
        var first = TraceAssert.Detail<TcpConnectedDetails>(events, hop: 0);
        var second = TraceAssert.Detail<TcpConnectedDetails>(events, hop: 1);
        Assert.True(second.Reused);
        Assert.Equal((first.Local, first.Remote), (second.Local, second.Remote));
        Assert.True(TraceAssert.Detail<ConnectionDetails>(events, hop: 0).ReusedForNextHop);
        Assert.Contains(summary.Steps, s => s.Hop == 1 && s.Step == TraceStep.ServerProcessing);
        Assert.Contains(summary.Intervals, i => i.Name == TraceIntervalNames.Again);
        // The ladder draws the second request on the same server lane, with no SYN of its own.
        var ladder = LadderBuilder.Build(events);
        Assert.Equal(2, ladder.Arrows.Count(a => a.Label == "GET / HTTP/1.1" && a.To == first.Remote));
        Assert.DoesNotContain(ladder.Arrows, a => a.Hop == 1 && a.Label == "SYN");
    }

    [Fact]
    public async Task TraceAsync_AgainWhereTheServerCloses_SaysWhyAndEndsAfterOneRequest()
    {
        var events = await lab.TraceAsync(lab.Request("close") with { AgainOnSameConnection = true });
        Assert.True(TraceAssert.Summary(events).Succeeded);
        Assert.DoesNotContain(events, e => e.Hop > 0);
        Assert.Contains(events, e => e.Step == TraceStep.Trace && e.Message.StartsWith("No second request on this connection: the server does not keep it", StringComparison.Ordinal));
    }
}
