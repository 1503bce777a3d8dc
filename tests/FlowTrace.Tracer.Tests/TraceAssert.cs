using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tests;

/// <summary>Checks every trace must pass, whatever it traced.</summary>
internal static class TraceAssert
{
    public static TraceSummary Summary(IReadOnlyList<TraceEvent> events)
    {
        var last = events[^1];
        var summary = Assert.IsType<TraceSummary>(last.Details);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Sequence));
        Assert.Single(events, e => e.Details is TraceSummary);
        foreach (var step in summary.Steps)
        {
            Assert.True(step.Duration >= TimeSpan.Zero, $"{step.Step} has a negative duration");
            Assert.True(step.Start + step.Duration <= summary.Total + TimeSpan.FromMilliseconds(1), $"{step.Step} ends after the trace");
        }

        // A step's own durations never add up to more than the whole trace.
        Assert.True(summary.Steps.Sum(s => s.Duration.Ticks) <= summary.Total.Ticks + TimeSpan.TicksPerMillisecond);
        return summary;
    }

    public static TraceSummary Completed(IReadOnlyList<TraceEvent> events, params TraceStep[] steps)
    {
        var summary = Summary(events);
        Assert.True(summary.Succeeded, $"trace failed: {summary.Failure?.Reason}");
        var hop0 = summary.Steps.Where(s => s.Hop == 0).Select(s => s.Step).ToList();
        Assert.Equal(steps, hop0);
        // The steps of a hop start in the order a request travels.
        var starts = summary.Steps.Where(s => s.Hop == 0).Select(s => s.Start).ToList();
        Assert.Equal(starts.Order(), starts);
        return summary;
    }

    public static StepFailureDetails FailedAt(IReadOnlyList<TraceEvent> events, TraceStep step, string code)
    {
        var summary = Summary(events);
        Assert.False(summary.Succeeded);
        var failed = Assert.Single(events, e => e.Kind == TraceEventKind.Failed);
        Assert.Equal(step, failed.Step);
        var failure = Assert.IsType<StepFailureDetails>(failed.Details);
        Assert.Equal(code, failure.Code);
        Assert.Equal(failure, summary.Failure);
        return failure;
    }

    public static T Detail<T>(IReadOnlyList<TraceEvent> events, int hop = 0) where T : TraceEventDetails =>
        events.Where(e => e.Hop == hop).Select(e => e.Details).OfType<T>().Single();
}
