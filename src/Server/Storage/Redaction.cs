using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;

namespace FlowTrace.Server.Storage;

/// <summary>
/// What a kept trace must not carry: the credentials a user sent with the request (Authorization, Proxy-Authorization,
/// Cookie). The live trace shows them to the user who typed them; a permalink is readable by whoever has it, so the kept
/// copy says that a value was sent, not what it was.
/// </summary>
public static class Redaction
{
    /// <summary>What a redacted header's value becomes.</summary>
    public const string Placeholder = "(sent; not kept)";

    private static readonly HashSet<string> Sensitive = new(["Authorization", "Proxy-Authorization", "Cookie"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The request without credential values.</summary>
    public static TraceRequestMessage Request(TraceRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers is { } headers && headers.Keys.Any(Sensitive.Contains)
            ? request with { Headers = headers.ToDictionary(h => h.Key, h => Sensitive.Contains(h.Key) ? Placeholder : h.Value, StringComparer.OrdinalIgnoreCase) }
            : request;
    }

    /// <summary>The events, the request heads as sent without credential values; an HTTP/2 request's bytes (whose HPACK
    /// block carries the values, Huffman-coded or plain) are not kept at all then.</summary>
    public static IReadOnlyList<TraceEvent> Events(IReadOnlyList<TraceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return [.. events.Select(e => e.Details is HttpRequestDetails request && request.Headers.Any(h => Sensitive.Contains(h.Name))
            ? e with
            {
                Details = request with
                {
                    Headers = [.. request.Headers.Select(h => Sensitive.Contains(h.Name) ? h with { Value = Placeholder } : h)],
                    Wire = null,
                    WireFields = null,
                },
            }
            : e)];
    }
}
