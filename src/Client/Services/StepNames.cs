using FlowTrace.Contracts.Events;

namespace FlowTrace.Client.Services;

/// <summary>How the seven steps are named on the page.</summary>
public static class StepNames
{
    /// <summary>The steps in the order a request travels.</summary>
    public static IReadOnlyList<TraceStep> Flow => TraceStepNames.Flow;

    /// <summary>The step's display name.</summary>
    public static string Of(TraceStep step) => TraceStepNames.Of(step);

    /// <summary>A duration as the page shows it.</summary>
    public static string Ms(TimeSpan? duration) => duration is { } d ? TimeSplitWords.Duration(d) : "";

    /// <summary>A lifetime in its largest whole unit (300 s, 2 h, 7 d).</summary>
    public static string Lifetime(TimeSpan lifetime) => TimeSplitWords.Lifetime(lifetime);
}
