using FlowTrace.Contracts.Requests;

namespace FlowTrace.Tracer.Tracing;

/// <summary>What each HTTP version preference offers in ALPN, and whether it speaks HTTP/2 unasked.</summary>
public static class HttpVersions
{
    /// <summary><paramref name="request"/> speaking <paramref name="preference"/>: its ALPN offer and prior knowledge.</summary>
    public static TraceRequest Apply(TraceRequest request, HttpVersionPreference preference)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request with { Alpn = Alpn(preference), Http2PriorKnowledge = preference == HttpVersionPreference.Http2PriorKnowledge };
    }

    /// <summary>The ALPN protocols to offer for <paramref name="preference"/>, most wanted first.</summary>
    public static IReadOnlyList<string> Alpn(HttpVersionPreference preference) => preference switch
    {
        HttpVersionPreference.Http2OrHttp11 => ["h2", "http/1.1"],
        HttpVersionPreference.Http2 or HttpVersionPreference.Http2PriorKnowledge => ["h2"],
        _ => ["http/1.1"],
    };
}
