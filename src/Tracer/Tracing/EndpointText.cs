using System.Globalization;
using System.Net;

namespace FlowTrace.Tracer.Tracing;

/// <summary>Parses <c>host:port</c> texts, with IPv6 literals in brackets.</summary>
public static class EndpointText
{
    /// <summary>Parses an IP address with an optional port (<c>127.0.0.1:53</c>, <c>[::1]:5353</c>, <c>::1</c>).</summary>
    public static bool TryParse(string text, int defaultPort, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.None, 0);
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var colons = text.Count(c => c == ':');
        var isBareAddress = colons == 0 || (colons > 1 && !text.StartsWith('['));
        if (isBareAddress && IPAddress.TryParse(text, out var bare))
        {
            endPoint = new IPEndPoint(bare, defaultPort);
            return true;
        }

        if (!TryParseHostPort(text, out var host, out var port) || !IPAddress.TryParse(host, out var address))
            return false;
        endPoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>Parses <c>host:port</c> where host is a name or an IP literal (IPv6 in brackets).</summary>
    public static bool TryParseHostPort(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            return false;
        host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        else if (host.Contains(':', StringComparison.Ordinal))
            return false;
        return host.Length > 0 &&
               int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) &&
               port is >= 1 and <= 65535;
    }
}
