using System.Net;
using System.Net.Sockets;

namespace FlowTrace.Tracer.Policy;

/// <summary>A CIDR block, compared on parsed address bytes (never on strings).</summary>
public sealed record AddressRange(IPAddress Network, int PrefixLength, string Name)
{
    /// <summary>Parses <c>10.0.0.0/8</c>.</summary>
    public static AddressRange Parse(string cidr, string name)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(cidr[..slash]);
        return new AddressRange(address, int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture), name);
    }

    /// <summary>True when <paramref name="address"/> lies in this block (same family only).</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != Network.AddressFamily)
            return false;
        Span<byte> candidate = stackalloc byte[16];
        Span<byte> network = stackalloc byte[16];
        address.TryWriteBytes(candidate, out var length);
        Network.TryWriteBytes(network, out _);
        var full = PrefixLength / 8;
        if (!candidate[..full].SequenceEqual(network[..full]))
            return false;
        var rest = PrefixLength % 8;
        if (rest == 0)
            return true;
        var mask = (byte)(0xFF << (8 - rest));
        return full < length && (candidate[full] & mask) == (network[full] & mask);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Network}/{PrefixLength}";

    internal static bool IsV4(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork;
}
