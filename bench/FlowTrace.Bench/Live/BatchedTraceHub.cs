using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Server.Tracing;
using FlowTrace.Tracer.Tracing;
using Microsoft.AspNetCore.SignalR;

namespace FlowTrace.Bench.Live;

/// <summary>
/// Cause analysis only: the trace hub's stream with the events that are ready at once sent as one message, to see
/// whether per-message cost explains the latency of bursts.
/// </summary>
public sealed class BatchedTraceHub(ITracer tracer, TraceRequestFactory factory) : Hub
{
    /// <summary>The hub's path.</summary>
    public const string Path = "/hubs/batched";

    /// <summary>Runs a trace and streams its events in batches.</summary>
    public IAsyncEnumerable<TraceEvent[]> Trace(TraceRequestMessage message, CancellationToken cancellationToken)
    {
        var request = factory.Create(message, null, out var errors) ?? throw new HubException(string.Join(" ", errors));
        return tracer.TraceAsync(request, cancellationToken).Batched(cancellationToken);
    }
}
