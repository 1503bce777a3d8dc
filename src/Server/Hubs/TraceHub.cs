using System.Runtime.CompilerServices;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Sni;
using FlowTrace.Tracer.Sni;
using FlowTrace.Server.Storage;
using FlowTrace.Server.Tracing;
using FlowTrace.Tracer.Tracing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Hubs;

/// <summary>
/// Streams a trace's events to the caller as the tracer produces them. Closing the stream (or the tab)
/// cancels the trace on the server at once.
/// </summary>
public sealed class TraceHub(ITracer tracer, TraceRequestFactory factory, StepGates gates, SniComparer sniComparer, SniRequestFactory sniFactory, SampleTrace sample, TraceRecorder recorder, LiveTraceRunner runner) : Hub
{
    /// <summary>The hub's path.</summary>
    public const string Path = "/hubs/trace";

    /// <summary>The client method told, before a trace's stream completes, where the trace is kept:
    /// <c>(traceId, storedId, permalink, error)</c>.</summary>
    public const string StoredMethod = "TraceStored";

    /// <summary>The client method told, before an SNI comparison's stream completes, where it is kept: <c>(storedId, error)</c>.</summary>
    public const string SniStoredMethod = "SniStored";

    /// <summary>Runs a trace; <paramref name="traceId"/> names it for <see cref="NextStep"/> in step mode.</summary>
    public IAsyncEnumerable<TraceEvent> Trace(TraceRequestMessage request, string traceId, CancellationToken cancellationToken) =>
        runner.RunAsync(request, traceId, Context, Clients.Caller, kept: null, cancellationToken);

    /// <summary>Runs the trace <see cref="TraceRequestMessage.Repeat"/> times, each on a new connection: every run's
    /// events as they happen, then the statistics over the runs.</summary>
    public async IAsyncEnumerable<RepeatUpdate> Repeat(TraceRequestMessage request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.StepMode == true)
            throw new HubException(TraceRequestFactory.RepeatWithStepMode);
        var traceRequest = factory.Create(request, null, out var errors) ?? throw new HubException(string.Join(" ", errors));
        var runs = request.Repeat ?? 1;
        using var lease = Admit(runs);
        var run = new List<TraceEvent>();
        try
        {
            await foreach (var update in tracer.RepeatAsync(traceRequest, runs, cancellationToken).ConfigureAwait(false))
            {
                if (update.Event is { } runEvent)
                {
                    run.Add(runEvent);
                    // Each run is a trace of its own, kept when its summary arrives.
                    if (runEvent.Details is TraceSummary)
                    {
                        await recorder.SaveTraceAsync(request, run, ClientIds.Of(Context.GetHttpContext())).ConfigureAwait(false);
                        run = [];
                    }
                }

                yield return update;
            }
        }
        finally
        {
            // Stopped midway (a closed tab): the run that was going is kept too, as cancelled.
            if (run.Count > 0)
                await recorder.SaveTraceAsync(request, run, ClientIds.Of(Context.GetHttpContext())).ConfigureAwait(false);
        }
    }

    /// <summary>Compares the certificates a server hands out per SNI name; a result per name as each handshake finishes.</summary>
    public async IAsyncEnumerable<SniComparisonUpdate> CompareSni(SniComparisonMessage request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var comparison = sniFactory.Create(request, out var errors) ?? throw new HubException(string.Join(" ", errors));
        using var lease = Admit();
        async Task KeepAsync(IReadOnlyList<SniComparisonUpdate> updates)
        {
            var attempt = await recorder.SaveSniAsync(request, updates, cancellationToken.IsCancellationRequested, ClientIds.Of(Context.GetHttpContext())).ConfigureAwait(false);
            if (!cancellationToken.IsCancellationRequested)
                await Clients.Caller.SendAsync(SniStoredMethod, attempt.Id, attempt.Error, CancellationToken.None).ConfigureAwait(false);
        }

        await foreach (var update in sniComparer.CompareAsync(comparison, cancellationToken).KeepingAsync(KeepAsync, cancellationToken).ConfigureAwait(false))
            yield return update;
    }

    private IDisposable Admit(int traces = 1) => runner.Admit(Context, traces);

    /// <summary>The events of the server's own warm-up trace, for a page to read and draw unseen while it is idle (no
    /// trace runs: the events were kept at start).</summary>
    public IAsyncEnumerable<TraceEvent> Sample() => sample.Events.ToAsyncEnumerable();

    /// <summary>Step mode: lets the paused trace <paramref name="traceId"/> run its next step.</summary>
    public bool NextStep(string traceId) => gates.Next(Context.ConnectionId, traceId);
}
