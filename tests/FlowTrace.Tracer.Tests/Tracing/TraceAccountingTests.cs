using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tests.Lab;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tests.Tracing;

[Collection(LabCollection.Name)]
public sealed class TraceAccountingTests(LabFixture lab)
{
    private static TimeSpan Us(double microseconds) => TimeSpan.FromMicroseconds(microseconds);

    [Fact]
    public void Split_MeasuredSharesJitAndGc_AddUpToTheClientTime()
    {
        Action spin = () => Thread.SpinWait(20_000);
        // Compiled once beforehand: compiling them inside the measured window would be this thread's JIT, beyond the
        // process-wide figure the test hands in.
        new ClientWorkMeter().Measure(ClientWorkNames.TlsCrypto, spin);
        var work = new ClientWorkMeter();
        work.Measure(ClientWorkNames.TlsCrypto, spin);
        var split = TraceRun.Split(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(20), work, Us(300), Us(100));
        Assert.Equal(TimeSpan.FromMilliseconds(20), split.Network);
        Assert.Equal(TimeSpan.FromMilliseconds(30), split.Client);
        Assert.Equal(split.Client, split.ClientParts.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Duration));
        Assert.True(split.Part(ClientWorkNames.TlsCrypto) > TimeSpan.Zero);
        Assert.Equal(Us(300), split.Part(ClientWorkNames.Jit));
        Assert.Equal(Us(100), split.Part(ClientWorkNames.Gc));
        Assert.True(split.Part(ClientWorkNames.Tracer) > TimeSpan.Zero);
    }

    [Fact]
    public void Split_ProcessJitBeyondTheUnexplainedTime_IsCountedOnlyUpToIt()
    {
        // A background compilation of 5 ms during a step whose client time is 1 ms cannot have cost the step more than 1 ms.
        var split = TraceRun.Split(TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(2), null, TimeSpan.FromMilliseconds(5), TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMilliseconds(1), split.Client);
        Assert.Equal(TimeSpan.FromMilliseconds(1), split.Part(ClientWorkNames.Jit));
        Assert.Equal(TimeSpan.Zero, split.Part(ClientWorkNames.Tracer));
    }

    [Fact]
    public void Split_NetworkLongerThanTheStep_IsCappedAtTheStep()
    {
        var split = TraceRun.Split(TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(4), null, TimeSpan.Zero, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMilliseconds(3), split.Network);
        Assert.Equal(TimeSpan.Zero, split.Client);
        Assert.Empty(split.ClientParts);
    }

    [Fact]
    public void Covered_OverlappingAndNestedWindows_CountsEachMomentOnce()
    {
        var covered = TraceRun.Covered([(Us(0), Us(10)), (Us(5), Us(20)), (Us(6), Us(7)), (Us(30), Us(40)), (Us(35), Us(60))], Us(50));
        Assert.Equal(Us(40), covered);
    }

    [Fact]
    public async Task TraceAsync_EveryLabSite_StepsAndIntervalsCoverTheTotal()
    {
        // The sites are traced side by side: the hostile ones wait out their limits, and what is checked here is the
        // structure of each trace, which does not depend on how busy the machine is.
        var traces = await Task.WhenAll(lab.Lab.Sites.Select(async site => (site, events: await lab.TraceAsync(lab.Request(site.Name) with { Timeouts = LabFixture.SweepTimeouts }))));
        foreach (var (site, events) in traces)
        {
            var summary = Assert.IsType<TraceSummary>(events[^1].Details);
            TraceAssert.AddsUp(summary);
            // Steps follow one another without gaps: each starts where the one before it ended, or earlier (the response
            // starts at the first byte's arrival, which the wait for the server ends with).
            foreach (var hop in summary.Steps.GroupBy(s => s.Hop))
            {
                var steps = hop.ToList();
                for (var i = 1; i < steps.Count; i++)
                    Assert.True(steps[i].Start <= steps[i - 1].Start + steps[i - 1].Duration + Us(50),
                        $"{site.Name}: {steps[i].Step} starts {(steps[i].Start - steps[i - 1].Start - steps[i - 1].Duration).TotalMicroseconds:0} µs after {steps[i - 1].Step} ended");
            }
        }
    }

    [Fact]
    public async Task TraceAsync_HealthySite_TlsClientTimeNamesCryptographyAndValidation()
    {
        var events = await lab.TraceAsync("www");
        var tls = events.Single(e => e.Step == TraceStep.Tls && e.Kind == TraceEventKind.Completed);
        var split = Assert.IsType<StepTimeSplit>(tls.Split);
        Assert.True(split.Network > TimeSpan.Zero);
        Assert.True(split.Part(ClientWorkNames.TlsCrypto) > TimeSpan.Zero);
        Assert.True(split.Part(ClientWorkNames.CertificateValidation) > TimeSpan.Zero);
        Assert.Equal(tls.Duration, split.Network + split.Client);
        var details = TraceAssert.Detail<TlsHandshakeDetails>(events);
        Assert.True(details.CertificateValidationTime > TimeSpan.Zero);
        // Waiting for the server is the server processing step's network time, all of it.
        var serverProcessing = events.Single(e => e.Step == TraceStep.ServerProcessing && e.Kind == TraceEventKind.Completed);
        Assert.InRange((serverProcessing.Duration!.Value - serverProcessing.Split!.Network).Duration(), TimeSpan.Zero, Us(1));
    }

    [Fact]
    public async Task TraceAsync_StepMode_PausesAreNamedIntervals()
    {
        var request = lab.Request("www") with { PauseAfterStep = async (_, token) => await Task.Delay(30, token) };
        var events = await lab.TraceAsync(request);
        var summary = TraceAssert.Completed(events, TraceStep.Dns, TraceStep.Tcp, TraceStep.Tls, TraceStep.HttpRequest, TraceStep.ServerProcessing, TraceStep.HttpResponse, TraceStep.Connection);
        var pauses = summary.Intervals.Where(i => i.Name == TraceIntervalNames.Paused).ToList();
        Assert.True(pauses.Count >= 5, $"{pauses.Count} pauses");
        Assert.All(pauses, p => Assert.True(p.Duration >= TimeSpan.FromMilliseconds(25), $"pause of {p.Duration}"));
        // One pause after another, never overlapping (a load-dependent share of the total was no test of them).
        Assert.All(pauses.Zip(pauses.Skip(1)), pair => Assert.True(pair.First.Start + pair.First.Duration <= pair.Second.Start, $"{pair.First} overlaps {pair.Second}"));
    }

    [Fact]
    public async Task TraceAsync_Redirect_TheTurnBetweenHopsIsNamed()
    {
        var events = await lab.TraceAsync("redirect");
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Steps.Max(s => s.Hop) >= 1);
        Assert.Contains(summary.Intervals, i => i.Name == TraceIntervalNames.Redirect);
    }
}
