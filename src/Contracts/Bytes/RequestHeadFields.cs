using System.Text;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Bytes;

/// <summary>
/// The HTTP/1.1 request head as written (request line, header lines, the empty line, in Latin-1 with CRLF, as the
/// tracer writes it), field by field: the same <see cref="ByteField"/>s as the TLS hellos, for the page and the command
/// line alike.
/// </summary>
public static class RequestHeadFields
{
    /// <summary>The head's bytes and its fields.</summary>
    public static (byte[] Bytes, IReadOnlyList<ByteField> Fields) Of(HttpRequestDetails request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fields = new List<ByteField>();
        var offset = 0;
        var parts = request.RequestLine.Split(' ', 3);
        if (parts.Length == 3)
        {
            // The request line's parts and the single spaces between them, each a field of its own.
            fields.Add(Text(ref offset, "Method", parts[0], parts[0] switch
            {
                "GET" => "Asks for the resource; a GET carries no body.",
                "HEAD" => "Asks for the head only: the same answer without its body.",
                _ => "What the client asks the server to do with the resource.",
            }));
            fields.Add(Text(ref offset, "Space", " ", "One space between the request line's parts."));
            fields.Add(Text(ref offset, "Request target", parts[1], "The path and query on this server; the host is in the Host header."));
            fields.Add(Text(ref offset, "Space", " ", "One space between the request line's parts."));
            fields.Add(Text(ref offset, "Version", parts[2], "HTTP/1.1: text lines, one request at a time on a connection, kept alive by default."));
        }
        else
        {
            fields.Add(Text(ref offset, "Request line", request.RequestLine, ""));
        }

        fields.Add(Text(ref offset, "Line end", "\r\n", "CR LF ends every line of the head."));
        foreach (var header in request.Headers)
        {
            var length = Latin1(header.Name) + 2 + Latin1(header.Value) + 2;
            fields.Add(new ByteField(offset, length, $"Header: {header.Name}", header.Value, Explain(header.Name, header.Value), null, []));
            offset += length;
        }

        var text = new StringBuilder(request.RequestLine).Append("\r\n");
        foreach (var header in request.Headers)
            text.Append(header.Name).Append(": ").Append(header.Value).Append("\r\n");
        text.Append("\r\n");
        var bytes = Encoding.Latin1.GetBytes(text.ToString());
        // A kept trace does not keep credentials: their values (and so these bytes) are not the ones sent; say so.
        var end = bytes.Length == request.Bytes
            ? "An empty line ends the head; what follows would be the body."
            : $"An empty line ends the head. The head as sent was {request.Bytes:N0} bytes: a value was not kept, so the bytes above are not all the ones sent.";
        fields.Add(new ByteField(offset, 2, "End of head", "CR LF", end, null, []));
        return (bytes, fields);
    }

    private static ByteField Text(ref int offset, string name, string value, string explanation)
    {
        var field = new ByteField(offset, Latin1(value), name, value switch { " " => "SP", "\r\n" => "CR LF", _ => value }, explanation, null, []);
        offset += field.Length;
        return field;
    }

    private static int Latin1(string text) => Encoding.Latin1.GetByteCount(text);

    private static string Explain(string name, string value) => name.ToLowerInvariant() switch
    {
        "host" => "Which site: one address can serve many names, so the request says which it is for (with the port when not the default).",
        "user-agent" => "Who is asking: the client's name and version.",
        "accept" when value == "*/*" => "The media types the client takes: */* means any.",
        "accept" => "The media types the client takes, preferred first.",
        "accept-encoding" when value == "identity" => "The content codings the client takes: identity means none, so the body's size is its real size.",
        "accept-encoding" => "The content codings the client takes (the server may compress the body with one of them).",
        "connection" => "What to do with the connection after this exchange.",
        "authorization" or "proxy-authorization" => "Credentials: anyone who can read the request can reuse them.",
        "cookie" => "State the server set earlier, sent back with every request to it.",
        _ => "",
    };
}
