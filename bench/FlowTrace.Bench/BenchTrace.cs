using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Bench;

/// <summary>One trace run for a benchmark, which fails loudly if the trace did: a failed trace would skew every figure.</summary>
public static class BenchTrace
{
    /// <summary>Runs <paramref name="request"/> to its end and returns its events.</summary>
    public static async Task<List<TraceEvent>> RunAsync(ITracer tracer, TraceRequest request)
    {
        ArgumentNullException.ThrowIfNull(tracer);
        var events = new List<TraceEvent>();
        await foreach (var e in tracer.TraceAsync(request, CancellationToken.None))
            events.Add(e);
        if (events[^1].Details is TraceSummary { Succeeded: false } summary)
            throw new InvalidOperationException($"A benchmark trace failed: {summary.Failure?.Reason}");
        return events;
    }
}
