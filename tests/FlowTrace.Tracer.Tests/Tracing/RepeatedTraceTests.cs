using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Tracer.Tests.Lab;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tests.Tracing;

[Collection(LabCollection.Name)]
public sealed class RepeatedTraceTests(LabFixture lab)
{
    private static async Task<List<RepeatUpdate>> CollectAsync(ITracer tracer, TraceRequest request, int runs)
    {
        var updates = new List<RepeatUpdate>();
        await foreach (var update in tracer.RepeatAsync(request, runs, CancellationToken.None))
            updates.Add(update);
        return updates;
    }

    [Fact]
    public async Task RepeatAsync_FourRuns_EachOnANewConnectionThenStatistics()
    {
        var updates = await CollectAsync(lab.Tracer, lab.Request("www"), 4);
        var runs = updates.Where(u => u.Event is not null).GroupBy(u => u.Run).ToList();
        Assert.Equal([1, 2, 3, 4], runs.Select(r => r.Key));
        // A new connection each run: a TCP handshake from a different local port every time.
        var localPorts = runs.Select(r => r.Select(u => u.Event!.Details).OfType<TcpConnectedDetails>().Single().Local).ToList();
        Assert.Equal(4, localPorts.Distinct().Count());
        var summaries = runs.Select(r => Assert.IsType<TraceSummary>(r.Last().Event!.Details)).ToList();
        var statistics = Assert.IsType<RepeatStatistics>(updates[^1].Statistics);
        Assert.Equal(RepeatStatistics.From(summaries), statistics, new StatisticsComparer());
        Assert.Equal(4, statistics.Succeeded);
        Assert.Equal(summaries[0].Total, statistics.Total.First);
    }

    [Fact]
    public async Task RepeatAsync_RequestTheTracerRefuses_StopsAfterTheFirstRefusal()
    {
        var updates = await CollectAsync(lab.Tracer, lab.Request("www") with { Url = "ftp://www.lab.test/" }, 5);
        Assert.All(updates.Where(u => u.Event is not null), u => Assert.Equal(1, u.Run));
        var statistics = Assert.IsType<RepeatStatistics>(updates[^1].Statistics);
        Assert.Equal(1, statistics.Runs);
        Assert.Equal(0, statistics.Succeeded);
    }

    [Fact]
    public async Task RepeatAsync_OneRun_TheTraceAloneWithoutStatistics()
    {
        var updates = await CollectAsync(lab.Tracer, lab.Request("www"), 1);
        Assert.All(updates, u => Assert.Null(u.Statistics));
        Assert.IsType<TraceSummary>(updates[^1].Event!.Details);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(RepeatStatistics.MaxRuns + 1)]
    public void RepeatAsync_RunsOutOfRange_Throws(int runs)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => lab.Tracer.RepeatAsync(lab.Request("www"), runs, CancellationToken.None));
    }

    /// <summary>Records holding lists compare by reference; statistics are equal when their figures are.</summary>
    private sealed class StatisticsComparer : IEqualityComparer<RepeatStatistics>
    {
        public bool Equals(RepeatStatistics? x, RepeatStatistics? y) =>
            x is not null && y is not null && x.Runs == y.Runs && x.Succeeded == y.Succeeded && x.Total == y.Total && x.Client == y.Client &&
            x.Steps.SequenceEqual(y.Steps);

        public int GetHashCode(RepeatStatistics obj) => obj.Runs;
    }
}
