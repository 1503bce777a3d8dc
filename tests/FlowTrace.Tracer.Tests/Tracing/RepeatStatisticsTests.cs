using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;

namespace FlowTrace.Tracer.Tests.Tracing;

public sealed class RepeatStatisticsTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Of_FirstRunApart_StatisticsOfTheRest()
    {
        var statistics = DurationStatistics.Of([Ms(100), Ms(4), Ms(2), Ms(3), Ms(5)]);
        Assert.Equal(Ms(100), statistics.First);
        Assert.Equal(Ms(3.5), statistics.Median);
        Assert.Equal(Ms(5), statistics.P95);
        Assert.Equal(Ms(2), statistics.Min);
        Assert.Equal(Ms(5), statistics.Max);
    }

    [Fact]
    public void Of_OneRun_HasNoStatisticsOfTheRest()
    {
        var statistics = DurationStatistics.Of([Ms(7)]);
        Assert.Equal(Ms(7), statistics.First);
        Assert.Null(statistics.Median);
        Assert.Null(statistics.P95);
    }

    [Fact]
    public void Of_TwentyRuns_P95IsTheNearestRank()
    {
        var statistics = DurationStatistics.Of([Ms(0), .. Enumerable.Range(1, 20).Select(i => Ms(i))]);
        Assert.Equal(Ms(19), statistics.P95);
        Assert.Equal(Ms(10.5), statistics.Median);
    }

    [Fact]
    public void From_Summaries_OneRowPerStepInTraceOrderWithClientTime()
    {
        static StepTiming Step(TraceStep step, double ms, double client) =>
            new(0, step, TimeSpan.Zero, Ms(ms), new StepTimeSplit(Ms(ms - client), Ms(client), [new TimeShare(ClientWorkNames.Tracer, Ms(client))]), true);
        static TraceSummary Run(double tls, double client) =>
            new(true, [Step(TraceStep.Dns, 1, 0.5), Step(TraceStep.Tls, tls, client)], Ms(tls + 1), "https://a.test/", 200, null, [], TimeSpan.Zero);
        var statistics = RepeatStatistics.From([Run(20, 15), Run(4, 2), Run(6, 3), Run(5, 2)]);
        Assert.Equal(4, statistics.Runs);
        Assert.Equal([TraceStep.Dns, TraceStep.Tls], statistics.Steps.Select(s => s.Step));
        var tls = statistics.Steps[1];
        Assert.Equal(Ms(20), tls.Duration.First);
        Assert.Equal(Ms(5), tls.Duration.Median);
        Assert.Equal(Ms(15), tls.Client.First);
        Assert.Equal(Ms(2), tls.Client.Median);
        Assert.Equal(Ms(15.5), statistics.Client.First);
        Assert.Equal(Ms(21), statistics.Total.First);
    }
}
