using System.Globalization;
using System.Text;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Http;

/// <summary>Parses an HTTP/1.x response head (status line and headers) with limits on size and count.</summary>
public static class HttpHeadParser
{
    /// <summary>Finds the end of the head (after the blank line) in <paramref name="buffer"/>; -1 when not complete yet.</summary>
    public static int FindEnd(ReadOnlySpan<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            if (buffer[i] != '\n')
                continue;
            if (i + 1 < buffer.Length && buffer[i + 1] == '\n')
                return i + 2;
            if (i + 2 < buffer.Length && buffer[i + 1] == '\r' && buffer[i + 2] == '\n')
                return i + 3;
        }

        return -1;
    }

    /// <summary>Parses a complete head; throws <see cref="FormatException"/> with a clear message when it is not HTTP.</summary>
    internal static HttpResponseHead Parse(ReadOnlySpan<byte> head, int maxHeaders)
    {
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0)
            throw new ResponseProtocolException("http-malformed", "The response is empty.");
        var statusLine = lines[0];
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[0].Length != 8 ||
            parts[1].Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 100)
            throw new ResponseProtocolException("http-malformed", $"The response does not start with an HTTP/1.x status line: '{Printable(statusLine)}'.");

        var headers = new List<HttpHeader>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
                throw new ResponseProtocolException("http-malformed", "The response uses obsolete header line folding.");
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[..colon].Any(c => c <= ' ' || c >= 127))
                throw new ResponseProtocolException("http-malformed", $"Header line without a valid name and colon: '{Printable(line)}'.");
            if (headers.Count >= maxHeaders)
                throw new ResponseProtocolException("http-too-many-headers", $"The response has more than {maxHeaders} headers.");
            headers.Add(new HttpHeader(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        return new HttpResponseHead(statusLine, parts[0], status, parts.Length > 2 ? parts[2] : "", headers, head.Length);
    }

    private static string Printable(string text) =>
        new(text.Take(80).Select(c => char.IsControl(c) || c > 126 ? '?' : c).ToArray());
}
