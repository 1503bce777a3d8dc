using System.Net;

namespace FlowTrace.Tracer.Dns;

/// <summary>The hosts file, read as the system resolver reads it: names are looked up there before any DNS query.</summary>
internal sealed class HostsFile
{
    private readonly Dictionary<string, List<IPAddress>> _entries;

    private HostsFile(string path, Dictionary<string, List<IPAddress>> entries)
    {
        Path = path;
        _entries = entries;
    }

    public string Path { get; }

    public static async Task<HostsFile> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, List<IPAddress>>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(path))
        {
            var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            Parse(text, entries);
        }

        return new HostsFile(path, entries);
    }

    public static HostsFile FromText(string path, string text)
    {
        var entries = new Dictionary<string, List<IPAddress>>(StringComparer.OrdinalIgnoreCase);
        Parse(text, entries);
        return new HostsFile(path, entries);
    }

    public IReadOnlyList<IPAddress> Lookup(string asciiName) =>
        _entries.TryGetValue(asciiName.TrimEnd('.'), out var addresses) ? addresses : [];

    private static void Parse(string text, Dictionary<string, List<IPAddress>> entries)
    {
        foreach (var rawLine in text.Split('\n'))
        {
            var hash = rawLine.IndexOf('#', StringComparison.Ordinal);
            var line = hash >= 0 ? rawLine[..hash] : rawLine;
            var fields = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !IPAddress.TryParse(fields[0], out var address))
                continue;
            foreach (var name in fields.Skip(1))
            {
                if (!entries.TryGetValue(name, out var list))
                    entries[name] = list = [];
                if (!list.Contains(address))
                    list.Add(address);
            }
        }
    }
}
