using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tracing;

/// <summary>Traces one http(s) URL step by step.</summary>
public interface ITracer
{
    /// <summary>
    /// Runs a trace and yields its events as they happen. The last event always carries a <see cref="TraceSummary"/>.
    /// Failures (bad input included) are events, never exceptions; only cancellation ends the stream early.
    /// </summary>
    IAsyncEnumerable<TraceEvent> TraceAsync(TraceRequest request, CancellationToken cancellationToken);
}
