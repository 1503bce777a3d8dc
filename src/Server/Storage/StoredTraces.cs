using System.Text.Json;
using FlowTrace.Contracts;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Sni;
using FlowTrace.Contracts.Storage;

namespace FlowTrace.Server.Storage;

/// <summary>Reads stored rows back into the contracts, and reads an imported NDJSON trace, strictly.</summary>
public static class StoredTraces
{
    /// <summary>The trace a row holds, as <c>GET /api/traces/{id}</c> returns it.</summary>
    public static StoredTrace ToContract(TraceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var lines = Lines(record.EventsNdjson);
        return record.Info.Kind == StoredTraceKind.Sni
            ? new StoredTrace(record.Info, null, JsonSerializer.Deserialize(record.RequestJson, TraceJson.TypeInfo<SniComparisonMessage>()), [],
                [.. lines.Select(l => JsonSerializer.Deserialize(l, TraceJson.TypeInfo<SniComparisonUpdate>())!)])
            : new StoredTrace(record.Info, JsonSerializer.Deserialize(record.RequestJson, TraceJson.TypeInfo<TraceRequestMessage>()), null,
                [.. lines.Select(TraceJson.Deserialize)], []);
    }

    /// <summary>
    /// Reads a trace exported as NDJSON (what <c>flowtrace --json</c> prints): one event per line, numbered from 0 without
    /// gaps, starting with the trace's start. Returns the events, or null with the reason, and nothing in between.
    /// </summary>
    public static IReadOnlyList<TraceEvent>? ParseImport(string text, int maxEvents, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var events = new List<TraceEvent>();
        var lineNumber = 0;
        foreach (var line in Lines(text))
        {
            lineNumber++;
            if (events.Count == maxEvents)
            {
                error = $"The trace has more than {maxEvents:N0} events, the most an import may hold.";
                return null;
            }

            TraceEvent traceEvent;
            try
            {
                traceEvent = TraceJson.Deserialize(line);
            }
            catch (JsonException e)
            {
                error = $"Line {lineNumber} is not a FlowTrace event: {e.Message}";
                return null;
            }

            if (traceEvent is null || traceEvent.Sequence != events.Count)
            {
                error = $"Line {lineNumber} is event {traceEvent?.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}; events must be numbered from 0 in order, one per line.";
                return null;
            }

            // A kept trace keeps no more of a body than a live one does (a decoding of n bytes has at most n characters).
            if (traceEvent.Details is HttpResponseDetails { BodyPreview.Length: > HttpResponseDetails.BodyPreviewMaxBytes })
            {
                error = $"Line {lineNumber} keeps more of the body than a trace does ({HttpResponseDetails.BodyPreviewMaxBytes} bytes).";
                return null;
            }

            events.Add(traceEvent);
        }

        if (events.Count == 0)
        {
            error = "The file holds no events: export a trace with `flowtrace URL --json` or the page's NDJSON button.";
            return null;
        }

        if (events[0].Details is not TraceStartedDetails)
        {
            error = "The first event is not the trace's start.";
            return null;
        }

        error = null;
        return events;
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
