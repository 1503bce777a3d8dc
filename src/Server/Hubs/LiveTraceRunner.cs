using System.Runtime.CompilerServices;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Server.Storage;
using FlowTrace.Server.Tracing;
using FlowTrace.Tracer.Tracing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Hubs;

/// <summary>
/// A live trace for a hub caller, as the trace hub and a workshop room's presenter run it: the request checked, the
/// caller admitted (rate and concurrency limits), step mode gated by <see cref="StepGates"/>, every event yielded as the
/// tracer makes it, and the trace kept when it ends, the caller told where (<see cref="TraceHub.StoredMethod"/>).
/// </summary>
public sealed class LiveTraceRunner(ITracer tracer, TraceRequestFactory factory, StepGates gates, IOptions<FlowTraceServerOptions> options, TraceAdmission admission, TraceRecorder recorder)
{
    /// <summary>Runs the trace; <paramref name="traceId"/> names it for <see cref="StepGates.Next"/> in step mode.</summary>
    /// <param name="request">The request as the client sent it.</param>
    /// <param name="traceId">The client's name for the trace (step mode's "Next step" names it).</param>
    /// <param name="caller">The hub caller: its connection, address and client id cookie.</param>
    /// <param name="client">Where to tell the caller the trace was kept.</param>
    /// <param name="kept">Also told where the trace was kept, or why it was not, before the stream completes.</param>
    /// <param name="cancellationToken">Cancelled when the caller closes the stream (or the tab).</param>
    public async IAsyncEnumerable<TraceEvent> RunAsync(
        TraceRequestMessage request, string traceId, HubCallerContext caller, IClientProxy client, Func<StoreAttempt, Task>? kept,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(client);
        var stepTimeout = options.Value.StepModeTimeout;
        IDisposable? registration = null;
        Func<TraceStep, CancellationToken, ValueTask>? pause = null;
        if (request.StepMode == true)
        {
            if (string.IsNullOrWhiteSpace(traceId))
                throw new HubException("Step mode needs a trace id.");
            registration = gates.Register(caller.ConnectionId, traceId, out var waitForNext);
            pause = async (_, token) =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(stepTimeout);
                await waitForNext(timeout.Token).ConfigureAwait(false);
            };
        }

        if (request.Repeat > 1)
            throw new HubException("A repeated trace streams through 'Repeat', not 'Trace'.");
        using (registration)
        {
            var traceRequest = factory.Create(request, pause, out var errors);
            if (traceRequest is null)
                throw new HubException(string.Join(" ", errors));
            using var lease = Admit(caller);
            // Kept however it ended; a closed tab is a cancelled trace, and nobody is left to tell.
            async Task KeepAsync(IReadOnlyList<TraceEvent> events)
            {
                var attempt = await recorder.SaveTraceAsync(request, events, ClientIds.Of(caller.GetHttpContext())).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                    return;
                await client.SendAsync(TraceHub.StoredMethod, traceId, attempt.Id, attempt.Permalink, attempt.Error, CancellationToken.None).ConfigureAwait(false);
                if (kept is not null)
                    await kept(attempt).ConfigureAwait(false);
            }

            await foreach (var traceEvent in tracer.TraceAsync(traceRequest, cancellationToken).KeepingAsync(KeepAsync, cancellationToken).ConfigureAwait(false))
                yield return traceEvent;
        }
    }

    /// <summary>Admits the caller for <paramref name="traces"/> traces, or refuses with the reason.</summary>
    public IDisposable Admit(HubCallerContext caller, int traces = 1)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var ip = caller.GetHttpContext()?.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return admission.TryAdmit(ip, caller.ConnectionId, out var refusal, traces) ?? throw new HubException(refusal);
    }
}
