using System.Runtime.CompilerServices;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Bench.Live;

/// <summary>Notes each event of a trace that carries the bench header as it leaves the tracer for the hub.</summary>
internal sealed class RecordingTracer(ITracer inner, HandOverLog log) : ITracer
{
    public async IAsyncEnumerable<TraceEvent> TraceAsync(TraceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A run is named by the bench header, or (a page cannot send headers) by a URL that carries a pixel query.
        var run = request.Headers.FirstOrDefault(h => h.Key == BenchServer.BenchHeader).Value
                  ?? (request.Url.Contains("pixel=", StringComparison.Ordinal) ? request.Url : null);
        await foreach (var e in inner.TraceAsync(request, cancellationToken))
        {
            if (run is not null)
                log.HandOver(run, e);
            yield return e;
        }
    }
}
