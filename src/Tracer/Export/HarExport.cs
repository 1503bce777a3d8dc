using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Export;

/// <summary>
/// A trace as an HTTP Archive (HAR 1.2), the format DevTools and WebPageTest read: one entry per hop, its timings mapped
/// as DevTools maps a request's (blocked, dns, connect with ssl inside it, ssl, send, wait, receive; -1 where a phase did
/// not happen), and FlowTrace's own detail in underscore-prefixed fields, as the format allows: each step's time split
/// into network and client work, and the hop's events as FlowTrace JSON.
/// </summary>
public static class HarExport
{
    /// <summary>Writes the HAR document.</summary>
    /// <param name="events">The trace's events in order.</param>
    /// <param name="startedAt">When the trace started (its events' offsets count from there).</param>
    /// <param name="creatorVersion">FlowTrace's version, for the log's creator.</param>
    public static string Write(IReadOnlyList<TraceEvent> events, DateTimeOffset startedAt, string creatorVersion)
    {
        ArgumentNullException.ThrowIfNull(events);
        var summary = events.Count > 0 ? events[^1].Details as TraceSummary : null;
        var entries = new JsonArray();
        foreach (var hop in events.GroupBy(e => e.Hop).OrderBy(g => g.Key))
        {
            if (Entry(hop.Key, [.. hop], summary, startedAt) is { } entry)
                entries.Add((JsonNode)entry);
        }

        var log = new JsonObject
        {
            ["version"] = "1.2",
            ["creator"] = new JsonObject { ["name"] = "FlowTrace", ["version"] = creatorVersion },
            ["entries"] = entries,
            ["comment"] = summary is null ? "The trace ended before its summary (cancelled)."
                : summary.Succeeded ? $"Traced by FlowTrace: {summary.Steps.Count} steps in {Ms(summary.Total)} ms."
                : $"Traced by FlowTrace; the trace failed: {summary.Failure?.Reason}",
        };
        return new JsonObject { ["log"] = log }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject? Entry(int hop, IReadOnlyList<TraceEvent> events, TraceSummary? summary, DateTimeOffset startedAt)
    {
        if (events.Select(e => e.Details).OfType<TraceStartedDetails>().FirstOrDefault() is not { } started)
            return null;
        var request = events.Select(e => e.Details).OfType<HttpRequestDetails>().LastOrDefault();
        var response = events.Select(e => e.Details).OfType<HttpResponseDetails>().LastOrDefault();
        var connected = events.Select(e => e.Details).OfType<TcpConnectedDetails>().LastOrDefault();
        var redirect = events.Select(e => e.Details).OfType<RedirectDetails>().FirstOrDefault();
        var failure = events.Select(e => e.Details).OfType<StepFailureDetails>().FirstOrDefault();
        var steps = summary?.Steps.Where(s => s.Hop == hop).ToList() ?? [];
        double Phase(TraceStep step) => steps.FirstOrDefault(s => s.Step == step) is { } timing ? Ms(timing.Duration) : -1;
        var dns = Phase(TraceStep.Dns);
        var tcp = Phase(TraceStep.Tcp);
        var ssl = Phase(TraceStep.Tls);
        // DevTools counts the TLS handshake inside connect and again, on its own, as ssl.
        var connect = tcp < 0 ? -1 : tcp + Math.Max(ssl, 0);
        var send = Math.Max(Phase(TraceStep.HttpRequest), 0);
        var wait = Math.Max(Phase(TraceStep.ServerProcessing), 0);
        var receive = Math.Max(Phase(TraceStep.HttpResponse), 0);
        var start = steps.Count > 0 ? steps.Min(s => s.Start) : events[0].Offset;
        var version = request?.RequestLine.Split(' ').LastOrDefault() ?? "HTTP/1.1";
        var entry = new JsonObject
        {
            ["startedDateTime"] = (startedAt + start).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            ["time"] = Math.Max(dns, 0) + Math.Max(connect, 0) + send + wait + receive,
            ["request"] = new JsonObject
            {
                ["method"] = started.Method,
                ["url"] = started.Url,
                ["httpVersion"] = version,
                ["cookies"] = new JsonArray(),
                ["headers"] = Headers(request?.Headers ?? []),
                ["queryString"] = Query(started.Url),
                ["headersSize"] = request?.Bytes ?? -1,
                ["bodySize"] = 0,
            },
            ["response"] = new JsonObject
            {
                ["status"] = response?.StatusCode ?? 0,
                ["statusText"] = response?.ReasonPhrase ?? failure?.Reason ?? "",
                ["httpVersion"] = response?.Version ?? version,
                ["cookies"] = new JsonArray(),
                ["headers"] = Headers(response?.Headers ?? []),
                ["content"] = Content(response),
                ["redirectURL"] = redirect?.To ?? "",
                ["headersSize"] = response?.HeadBytes ?? -1,
                ["bodySize"] = response?.BodyBytes ?? -1,
            },
            ["cache"] = new JsonObject(),
            ["timings"] = new JsonObject
            {
                ["blocked"] = -1,
                ["dns"] = dns,
                ["connect"] = connect,
                ["ssl"] = ssl,
                ["send"] = send,
                ["wait"] = wait,
                ["receive"] = receive,
            },
            ["_flowtrace"] = new JsonObject
            {
                ["hop"] = hop,
                ["steps"] = new JsonArray([.. steps.Select(Step)]),
                ["events"] = new JsonArray([.. events.Select(e => JsonSerializer.SerializeToNode(e, TraceJson.TypeInfo<TraceEvent>()))]),
            },
        };
        if (connected is not null && IPEndPoint.TryParse(connected.Remote, out var remote))
        {
            entry["serverIPAddress"] = remote.Address.ToString();
            entry["connection"] = connected.Local;
        }

        if (failure is not null)
            entry["comment"] = $"{failure.Code}: {failure.Reason}";
        return entry;
    }

    private static JsonObject Step(StepTiming timing) => new()
    {
        ["step"] = TraceStepNames.Of(timing.Step),
        ["start"] = Ms(timing.Start),
        ["duration"] = Ms(timing.Duration),
        ["network"] = Ms(timing.Split.Network),
        ["client"] = Ms(timing.Split.Client),
        ["clientParts"] = new JsonObject([.. timing.Split.ClientParts.GroupBy(p => p.Name).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)Ms(g.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Duration))))]),
        ["succeeded"] = timing.Succeeded,
    };

    private static JsonObject Content(HttpResponseDetails? response)
    {
        var content = new JsonObject
        {
            ["size"] = response?.BodyBytes ?? 0,
            ["mimeType"] = response?.Headers.FirstOrDefault(h => h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))?.Value ?? "",
        };
        if (response?.BodyPreview is { } preview)
        {
            content["text"] = preview;
            if (response.BodyTruncated || preview.Length < response.BodyBytes)
                content["comment"] = "The text is FlowTrace's preview of the body, not all of it.";
        }

        return content;
    }

    private static JsonArray Headers(IEnumerable<HttpHeader> headers) =>
        new([.. headers.Select(h => (JsonNode)new JsonObject { ["name"] = h.Name, ["value"] = h.Value })]);

    private static JsonArray Query(string url)
    {
        var query = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Query.TrimStart('?') : "";
        return new([.. query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var parts = pair.Split('=', 2);
            return (JsonNode)new JsonObject { ["name"] = Uri.UnescapeDataString(parts[0]), ["value"] = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "" };
        })]);
    }

    private static double Ms(TimeSpan time) => Math.Round(time.TotalMilliseconds, 3);
}
