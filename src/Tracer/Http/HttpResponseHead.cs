using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Http;

/// <summary>A parsed status line and header block.</summary>
internal sealed record HttpResponseHead(string StatusLine, string Version, int StatusCode, string ReasonPhrase, IReadOnlyList<HttpHeader> Headers, int Bytes)
{
    public IEnumerable<string> Values(string name) =>
        Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public string? Value(string name) => Values(name).FirstOrDefault();

    public bool HasToken(string name, string token) =>
        Values(name).SelectMany(v => v.Split(',')).Any(t => t.Trim().Equals(token, StringComparison.OrdinalIgnoreCase));
}
