using System.Net;

namespace FlowTrace.Tracer.Dns;

/// <summary>
/// Root hints in named.root's format (the root's NS records and their servers' A and AAAA records, one per line,
/// <c>;</c> comments), read into the servers a lookup from the root starts with.
/// </summary>
internal static class RootHints
{
    /// <summary>The most lines read from a hints file (the real one has 40).</summary>
    private const int MaxLines = 10_000;

    /// <summary>The root servers the hints name, with their addresses, on <paramref name="port"/>, in the file's order.</summary>
    public static IReadOnlyList<IterativeServer> Parse(string text, int port)
    {
        var roots = new List<string>();
        var addresses = new Dictionary<string, List<IPAddress>>(StringComparer.OrdinalIgnoreCase);
        foreach (var rawLine in text.Split('\n').Take(MaxLines))
        {
            var comment = rawLine.IndexOf(';', StringComparison.Ordinal);
            var fields = (comment >= 0 ? rawLine[..comment] : rawLine).Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            // NAME [TTL] [CLASS] TYPE DATA: the type is the second-to-last field.
            if (fields.Length < 3)
                continue;
            var (name, type, data) = (Canonical(fields[0]), fields[^2].ToUpperInvariant(), fields[^1]);
            if (type == "NS" && name == ".")
                roots.Add(Canonical(data));
            else if (type is "A" or "AAAA" && IPAddress.TryParse(data, out var address))
            {
                if (!addresses.TryGetValue(name, out var list))
                    addresses[name] = list = [];
                list.Add(address);
            }
        }

        return [.. roots.SelectMany(root => addresses.GetValueOrDefault(root) is { } found
            ? found.Select(a => new IterativeServer(root, new IPEndPoint(a, port)))
            : [])];
    }

    /// <summary>Root servers given as endpoints (the lab's), named by their address.</summary>
    public static IReadOnlyList<IterativeServer> FromEndpoints(IEnumerable<IPEndPoint> endpoints) =>
        [.. endpoints.Select(e => new IterativeServer(e.Address.ToString(), e))];

    private static string Canonical(string name) => name == "." ? "." : name.TrimEnd('.').ToLowerInvariant();
}
