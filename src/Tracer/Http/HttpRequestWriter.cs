using System.Text;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Http;

/// <summary>Builds the HTTP/1.1 request head exactly as it will be written.</summary>
internal static class HttpRequestWriter
{
    public const string UserAgent = "FlowTrace/1.0";

    public static (string RequestLine, IReadOnlyList<HttpHeader> Headers, byte[] Bytes) Build(
        string method, string pathAndQuery, string hostHeader, IReadOnlyList<KeyValuePair<string, string>> extraHeaders)
    {
        var headers = new List<HttpHeader>
        {
            new("Host", hostHeader),
            new("User-Agent", UserAgent),
            new("Accept", "*/*"),
            new("Accept-Encoding", "identity"),
        };
        foreach (var (name, value) in extraHeaders)
        {
            var existing = headers.FindIndex(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (existing >= 0)
                headers[existing] = new HttpHeader(name, value);
            else
                headers.Add(new HttpHeader(name, value));
        }

        var requestLine = $"{method} {pathAndQuery} HTTP/1.1";
        var text = new StringBuilder(requestLine).Append("\r\n");
        foreach (var header in headers)
            text.Append(header.Name).Append(": ").Append(header.Value).Append("\r\n");
        text.Append("\r\n");
        return (requestLine, headers, Encoding.Latin1.GetBytes(text.ToString()));
    }
}
