using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Repeat;

/// <summary>
/// N traces of the same request, each on a new connection, summed up: per step the first run beside the median, p95,
/// minimum and maximum of the others. Computed here, from the runs' summaries alone, for the command line, the API and
/// the page alike.
/// </summary>
/// <param name="Runs">Traces run.</param>
/// <param name="Succeeded">Traces that completed.</param>
/// <param name="Steps">Each step (of each hop) that happened in at least one run, in trace order.</param>
/// <param name="Total">The whole trace's duration.</param>
/// <param name="Client">The client time of the whole trace (all steps).</param>
public sealed record RepeatStatistics(int Runs, int Succeeded, IReadOnlyList<StepStatistics> Steps, DurationStatistics Total, DurationStatistics Client)
{
    /// <summary>Most runs one repeat may ask for.</summary>
    public const int MaxRuns = 100;

    /// <summary>Sums up the summaries of repeated runs, in run order.</summary>
    public static RepeatStatistics From(IReadOnlyList<TraceSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
            throw new ArgumentException("At least one run is needed.", nameof(runs));
        var keys = runs.SelectMany(r => r.Steps).Select(s => (s.Hop, s.Step)).Distinct()
            .OrderBy(k => k.Hop).ThenBy(k => k.Step).ToList();
        var steps = keys.Select(key =>
        {
            var timings = runs.SelectMany(r => r.Steps.Where(s => s.Hop == key.Hop && s.Step == key.Step).Take(1)).ToList();
            return new StepStatistics(key.Hop, key.Step, timings.Count,
                DurationStatistics.Of([.. timings.Select(t => t.Duration)]),
                DurationStatistics.Of([.. timings.Select(t => t.Split.Network)]),
                DurationStatistics.Of([.. timings.Select(t => t.Split.Client)]));
        }).ToList();
        return new RepeatStatistics(runs.Count, runs.Count(r => r.Succeeded), steps,
            DurationStatistics.Of([.. runs.Select(r => r.Total)]),
            DurationStatistics.Of([.. runs.Select(r => r.Steps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Split.Client))]));
    }
}
