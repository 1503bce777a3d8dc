using System.Text.Json;
using FlowTrace.Contracts;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Sni;
using FlowTrace.Contracts.Storage;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Storage;

/// <summary>
/// Turns a finished trace (completed, failed or cancelled) into a stored one: an id, the listing's columns from its
/// summary, the request and the events as NDJSON, credentials the user sent left out (<see cref="Redaction"/>). Storage failing never fails the trace: the caller is told why, and the
/// log says it loudly.
/// </summary>
public sealed class TraceRecorder(ITraceStore store, IOptions<TraceStoreOptions> options, TimeProvider time, ILogger<TraceRecorder> log)
{
    /// <summary>How long storing may take once the trace has ended (the trace's own token may be cancelled by then).</summary>
    private static readonly TimeSpan SaveTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Stores a trace's events.</summary>
    /// <param name="request">The request as the client sent it.</param>
    /// <param name="events">Every event the trace produced, in order. A trace that was stopped is kept as cancelled: it
    /// ends without a summary, or with the tracer's summary of the stop.</param>
    /// <param name="clientId">The browser that asked, if known.</param>
    public Task<StoreAttempt> SaveTraceAsync(TraceRequestMessage request, IReadOnlyList<TraceEvent> events, string? clientId)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(events);
        var summary = events.Count > 0 ? events[^1].Details as TraceSummary : null;
        var outcome = summary is null || summary.Failure?.Code == StepFailureDetails.Cancelled ? StoredTraceOutcome.Cancelled
            : summary.Succeeded ? StoredTraceOutcome.Completed : StoredTraceOutcome.Failed;
        var failing = summary?.Steps.FirstOrDefault(s => !s.Succeeded)?.Step;
        var url = (events.Count > 0 ? events[0].Details as TraceStartedDetails : null)?.Url ?? request.Url ?? "";
        var info = Info(StoredTraceKind.Trace, url, outcome, summary?.FinalStatusCode, failing, summary?.Total, events.Count);
        return SaveAsync(info, clientId, JsonSerializer.Serialize(Redaction.Request(request), TraceJson.TypeInfo<TraceRequestMessage>()),
            TraceJson.SerializeLines(Redaction.Events(events)));
    }

    /// <summary>Stores an SNI comparison's updates.</summary>
    public Task<StoreAttempt> SaveSniAsync(SniComparisonMessage request, IReadOnlyList<SniComparisonUpdate> updates, bool cancelled, string? clientId)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(updates);
        var summary = updates.OfType<SniComparisonSummary>().LastOrDefault();
        var outcome = cancelled || summary is null ? StoredTraceOutcome.Cancelled
            : summary.Failure is null ? StoredTraceOutcome.Completed : StoredTraceOutcome.Failed;
        var info = Info(StoredTraceKind.Sni, $"https://{request.Target}/", outcome, null, summary?.Failure is null ? null : TraceStep.Tls, null, updates.Count);
        return SaveAsync(info, clientId, JsonSerializer.Serialize(request, TraceJson.TypeInfo<SniComparisonMessage>()),
            TraceJson.SerializeLines(updates));
    }

    private StoredTraceInfo Info(StoredTraceKind kind, string url, StoredTraceOutcome outcome, int? status, TraceStep? failing, TimeSpan? total, int count)
    {
        var host = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.IdnHost.ToLowerInvariant() : "";
        return new StoredTraceInfo(TraceIds.New(), time.GetUtcNow(), kind, url, host, outcome, status, failing, total, count);
    }

    private async Task<StoreAttempt> SaveAsync(StoredTraceInfo info, string? clientId, string requestJson, string ndjson)
    {
        if (!options.Value.Enabled)
            return new StoreAttempt(null, "Storing traces is switched off on this server.");
        using var timeout = new CancellationTokenSource(SaveTimeout);
        try
        {
            await store.SaveAsync(new TraceRecord(info, clientId, requestJson, ndjson), timeout.Token).ConfigureAwait(false);
            return new StoreAttempt(info.Id, null);
        }
#pragma warning disable CA1031 // Whatever the database throws, the trace itself stands; the failure is logged and told.
        catch (Exception e)
#pragma warning restore CA1031
        {
            log.LogError(e, "Storing trace of {Url} in {Store} failed", info.Url, store.Description);
            return new StoreAttempt(null, $"The trace could not be stored: {e.Message}");
        }
    }
}
