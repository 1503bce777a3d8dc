using System.Globalization;

namespace FlowTrace.Tracer.Policy;

/// <summary>A set of ports and port ranges, written like <c>80, 443, 8000-8999</c>.</summary>
public sealed class PortList
{
    private readonly (int From, int To)[] _ranges;
    private readonly string _text;

    private PortList((int, int)[] ranges, string text)
    {
        _ranges = ranges;
        _text = text;
    }

    /// <summary>80, 443 and 8000-8999.</summary>
    public static PortList Default { get; } = Parse("80, 443, 8000-8999");

    /// <summary>Parses a list; throws <see cref="FormatException"/> with the bad part named.</summary>
    public static PortList Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ranges = new List<(int, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var from = dash < 0 ? part : part[..dash];
            var to = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var a) ||
                !int.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out var b) || a < 1 || b > 65535 || a > b)
                throw new FormatException($"'{part}' is not a port or a port range (1-65535).");
            ranges.Add((a, b));
        }

        if (ranges.Count == 0)
            throw new FormatException("The port list is empty.");
        return new PortList([.. ranges], string.Join(", ", ranges.Select(r => r.Item1 == r.Item2 ? $"{r.Item1}" : $"{r.Item1}-{r.Item2}")));
    }

    /// <summary>True when <paramref name="port"/> is listed.</summary>
    public bool Contains(int port) => _ranges.Any(r => port >= r.From && port <= r.To);

    /// <inheritdoc />
    public override string ToString() => _text;
}
