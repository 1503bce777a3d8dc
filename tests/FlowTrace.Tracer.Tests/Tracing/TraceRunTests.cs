using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tests.Tracing;

public sealed class TraceRunTests
{
    /// <summary>A clock of 3 GHz, read by hand: three of its ticks make a nanosecond, so most readings fall between two
    /// TimeSpan ticks, as the stopwatch's readings do on machines whose frequency is not a multiple of 10 MHz.</summary>
    private sealed class ThreeGigahertzClock : TimeProvider
    {
        public long Reading { get; set; } = 1_000_000_007;

        public override long TimestampFrequency => 3_000_000_000;

        public override long GetTimestamp() => Reading;
    }

    private const int Pauses = 200;

    [Fact]
    public async Task PauseAfterAsync_PausesOneAfterAnotherOnAnUnevenClock_MeetExactlyWithNothingUnaccounted()
    {
        var clock = new ThreeGigahertzClock();
        var pause = 0;
        var run = new TraceRun(clock, (_, _) =>
        {
            clock.Reading += 100_000_001 + 37 * ++pause; // ~33 ms each, uneven numbers of clock ticks
            return ValueTask.CompletedTask;
        });
        run.Started(TraceStep.Dns, "dns");
        clock.Reading += 1_234_567;
        run.Completed(TraceStep.Dns, "dns");
        clock.Reading += 11;
        await run.PauseAfterAsync(TraceStep.Dns, TraceStep.Tcp, CancellationToken.None);
        for (var i = 1; i < Pauses; i++)
        {
            clock.Reading += i;
            await run.PauseAfterAsync(TraceStep.Dns, TraceStep.Tcp, CancellationToken.None);
        }

        run.Started(TraceStep.Tcp, "tcp");
        clock.Reading += 2_000_003;
        run.Completed(TraceStep.Tcp, "tcp");
        clock.Reading += 5;
        run.Summary(null, "http://x.test/", 200);
        run.Complete();

        var events = new List<TraceEvent>();
        await foreach (var e in run.Reader.ReadAllAsync())
            events.Add(e);
        var summary = Assert.IsType<TraceSummary>(events[^1].Details);
        var pauses = summary.Intervals.Where(i => i.Name == TraceIntervalNames.Paused).ToList();
        Assert.Equal(Pauses, pauses.Count);
        // Each pause begins exactly where the step or pause before it ended: no overlap, no one-tick gap.
        Assert.Equal(summary.Steps[0].Start + summary.Steps[0].Duration, pauses[0].Start);
        Assert.All(pauses.Zip(pauses.Skip(1)), pair => Assert.Equal(pair.First.Start + pair.First.Duration, pair.Second.Start));
        Assert.Equal(pauses[^1].Start + pauses[^1].Duration, summary.Steps[1].Start);
        Assert.Equal(TimeSpan.Zero, summary.Unaccounted);
    }
}
