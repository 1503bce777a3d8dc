using System.Runtime.CompilerServices;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Server.Operations;

/// <summary>The tracer the server's users reach, counted by <see cref="TraceMetrics"/>: every trace, however it is asked
/// for (the hub, a room, the API, each run of a repeat), passes here once.</summary>
public sealed class MeteredTracer(FlowTracer inner, TraceMetrics metrics) : ITracer
{
    /// <inheritdoc />
    public async IAsyncEnumerable<TraceEvent> TraceAsync(TraceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        metrics.Started();
        TraceSummary? summary = null;
        try
        {
            await foreach (var traceEvent in inner.TraceAsync(request, cancellationToken).ConfigureAwait(false))
            {
                summary = traceEvent.Details as TraceSummary ?? summary;
                yield return traceEvent;
            }
        }
        finally
        {
            metrics.Ended(summary);
        }
    }
}
