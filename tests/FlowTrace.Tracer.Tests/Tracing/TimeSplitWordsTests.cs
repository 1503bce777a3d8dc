using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tests.Tracing;

public sealed class TimeSplitWordsTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void ColdStart_CompilationMostOfTheClientTime_SaysSoAndWhatAWarmRunWouldShow()
    {
        var split = new StepTimeSplit(Ms(2), Ms(100), [new TimeShare(ClientWorkNames.TlsCrypto, Ms(3)), new TimeShare(ClientWorkNames.Jit, Ms(95)), new TimeShare(ClientWorkNames.Tracer, Ms(2))]);
        var text = TimeSplitWords.ColdStart(split);
        Assert.NotNull(text);
        Assert.Contains("cold start", text, StringComparison.Ordinal);
        Assert.Contains("95.0 ms", text, StringComparison.Ordinal);
        Assert.Contains("about 5.0 ms", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ColdStart_WarmStep_SaysNothing()
    {
        var split = new StepTimeSplit(Ms(2), Ms(3), [new TimeShare(ClientWorkNames.TlsCrypto, Ms(2.9)), new TimeShare(ClientWorkNames.Jit, Ms(0.1))]);
        Assert.Null(TimeSplitWords.ColdStart(split));
    }

    [Fact]
    public void Summary_NamesEveryShare()
    {
        var split = new StepTimeSplit(Ms(1.5), Ms(2), [new TimeShare(ClientWorkNames.TlsCrypto, Ms(1.2)), new TimeShare(ClientWorkNames.CertificateValidation, Ms(0.8))]);
        Assert.Equal("network 1.5 ms, client 2.0 ms (TLS cryptography 1.2 ms, certificate validation 0.800 ms)", TimeSplitWords.Summary(split));
    }

    [Theory]
    [InlineData(0.0, "0.000 ms")]
    [InlineData(0.0002, "< 0.001 ms")]
    [InlineData(0.0006, "0.001 ms")]
    [InlineData(0.85, "0.850 ms")]
    [InlineData(12.34, "12.3 ms")]
    [InlineData(1204.2, "1,204 ms")]
    public void Duration_EveryRange_WritesItsResolutionHonestly(double ms, string expected)
    {
        Assert.Equal(expected, TimeSplitWords.Duration(Ms(ms)));
    }
}
