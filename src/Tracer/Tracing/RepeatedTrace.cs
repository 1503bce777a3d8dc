using System.Runtime.CompilerServices;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;

namespace FlowTrace.Tracer.Tracing;

/// <summary>
/// The same trace run N times, one after the other, each on a new connection (a trace never reuses one), then summed
/// up: one implementation for the command line, the API and the hub.
/// </summary>
public static class RepeatedTrace
{

    /// <summary>Runs <paramref name="request"/> <paramref name="runs"/> times; yields every run's events as they happen,
    /// then, when more than one run was asked for, one closing update with the statistics over the runs.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="runs"/> is not between 1 and <see cref="RepeatStatistics.MaxRuns"/>.</exception>
    public static IAsyncEnumerable<RepeatUpdate> RepeatAsync(this ITracer tracer, TraceRequest request, int runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracer);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(runs, RepeatStatistics.MaxRuns);
        return RunAsync(tracer, request, runs, cancellationToken);
    }

    private static async IAsyncEnumerable<RepeatUpdate> RunAsync(ITracer tracer, TraceRequest request, int runs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var summaries = new List<TraceSummary>(runs);
        for (var run = 1; run <= runs; run++)
        {
            TraceSummary? last = null;
            await foreach (var traceEvent in tracer.TraceAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (traceEvent.Details is TraceSummary summary)
                    summaries.Add(last = summary);
                yield return new RepeatUpdate(run, runs, traceEvent, null);
            }

            // A request the tracer refuses is refused every time: one refusal says it all.
            if (last?.Failure?.Code == StepFailureDetails.InvalidRequest)
                break;
            // Stopped: the run that was stopped told so; no further run starts and no statistics are made of a part.
            if (cancellationToken.IsCancellationRequested)
                yield break;
        }

        if (runs > 1 && summaries.Count > 0)
            yield return new RepeatUpdate(runs, runs, null, RepeatStatistics.From(summaries));
    }
}
