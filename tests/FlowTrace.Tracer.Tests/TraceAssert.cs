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
        AddsUp(summary);
        return summary;
    }

    /// <summary>Every step's time is network plus client, the client shares add up to the client time, and the steps and
    /// named intervals cover the trace's total within 1% or 50 µs, whichever is larger.</summary>
    public static void AddsUp(TraceSummary summary)
    {
        foreach (var step in summary.Steps)
        {
            Assert.Equal(step.Duration, step.Split.Network + step.Split.Client);
            Assert.Equal(step.Split.Client, step.Split.ClientParts.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Duration));
            Assert.All(step.Split.ClientParts, p => Assert.True(p.Duration > TimeSpan.Zero, $"{step.Step}: empty share {p.Name}"));
        }

        var tolerance = TimeSpan.FromTicks(Math.Max(summary.Total.Ticks / 100, TimeSpan.FromMicroseconds(50).Ticks));
        Assert.True(summary.Unaccounted <= tolerance,
            $"{summary.Unaccounted.TotalMicroseconds:0} µs of {summary.Total.TotalMicroseconds:0} µs lie in no step: " +
            string.Join("; ", summary.Steps.Select(s => $"{s.Step} {s.Start.TotalMicroseconds:0}+{s.Duration.TotalMicroseconds:0}")));
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
