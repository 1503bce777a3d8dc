using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace FlowTrace.Tracer.Policy;

/// <summary>
/// Decides, for every address the tracer is about to connect to, whether it may. The tracer checks the very
/// <see cref="IPAddress"/> it then connects to, so nothing is resolved twice between check and connect.
/// </summary>
public sealed class DestinationPolicy
{
    private static readonly AddressRange[] SpecialV4 =
    [
        AddressRange.Parse("0.0.0.0/8", "a 'this network' address"),
        AddressRange.Parse("10.0.0.0/8", "a private address"),
        AddressRange.Parse("100.64.0.0/10", "a carrier-grade NAT address"),
        AddressRange.Parse("127.0.0.0/8", "a loopback address"),
        AddressRange.Parse("169.254.0.0/16", "a link-local address (cloud metadata services live here)"),
        AddressRange.Parse("172.16.0.0/12", "a private address"),
        AddressRange.Parse("192.0.0.0/24", "an IETF protocol assignment"),
        AddressRange.Parse("192.0.2.0/24", "a documentation address"),
        AddressRange.Parse("192.88.99.0/24", "a 6to4 relay anycast address"),
        AddressRange.Parse("192.168.0.0/16", "a private address"),
        AddressRange.Parse("198.18.0.0/15", "a benchmarking address"),
        AddressRange.Parse("198.51.100.0/24", "a documentation address"),
        AddressRange.Parse("203.0.113.0/24", "a documentation address"),
        AddressRange.Parse("224.0.0.0/4", "a multicast address"),
        AddressRange.Parse("240.0.0.0/4", "a reserved address"),
        AddressRange.Parse("255.255.255.255/32", "the broadcast address"),
    ];

    private static readonly AddressRange[] SpecialV6 =
    [
        AddressRange.Parse("::/128", "the unspecified address"),
        AddressRange.Parse("::1/128", "the loopback address"),
        AddressRange.Parse("100::/64", "a discard-only address"),
        AddressRange.Parse("2001::/23", "an IETF protocol assignment (Teredo included)"),
        AddressRange.Parse("2001:db8::/32", "a documentation address"),
        AddressRange.Parse("fc00::/7", "a unique local (private) address"),
        AddressRange.Parse("fec0::/10", "a site-local address"),
        AddressRange.Parse("fe80::/10", "a link-local address"),
        AddressRange.Parse("ff00::/8", "a multicast address"),
    ];

    // Private and loopback ranges that local mode allows.
    private static readonly AddressRange[] LocalAllowed =
    [
        AddressRange.Parse("10.0.0.0/8", ""), AddressRange.Parse("127.0.0.0/8", ""), AddressRange.Parse("172.16.0.0/12", ""),
        AddressRange.Parse("192.168.0.0/16", ""), AddressRange.Parse("100.64.0.0/10", ""), AddressRange.Parse("::1/128", ""),
        AddressRange.Parse("fc00::/7", ""),
    ];

    private readonly HashSet<IPEndPoint> _exempt;
    private readonly HashSet<IPAddress> _ownAddresses;

    /// <summary>Creates a policy.</summary>
    /// <param name="mode">Open, local or public.</param>
    /// <param name="allowedPorts">Ports that may be connected to (ignored in open mode).</param>
    /// <param name="exempt">Endpoints always allowed (the demo lab's listeners).</param>
    /// <param name="ownAddresses">The server's own interface addresses; null reads them from the system.</param>
    public DestinationPolicy(DestinationMode mode, PortList? allowedPorts = null, IEnumerable<IPEndPoint>? exempt = null, IEnumerable<IPAddress>? ownAddresses = null)
    {
        Mode = mode;
        AllowedPorts = allowedPorts ?? PortList.Default;
        _exempt = [.. exempt ?? []];
        _ownAddresses = [.. ownAddresses ?? (mode == DestinationMode.Public ? InterfaceAddresses() : [])];
    }

    /// <summary>A policy that allows everything (a local tool).</summary>
    public static DestinationPolicy Open { get; } = new(DestinationMode.Open);

    /// <summary>The mode in force.</summary>
    public DestinationMode Mode { get; }

    /// <summary>The ports that may be connected to.</summary>
    public PortList AllowedPorts { get; }

    /// <summary>Returns a copy that also allows <paramref name="endpoints"/> (the lab's listeners).</summary>
    public DestinationPolicy WithExempt(IEnumerable<IPEndPoint> endpoints) =>
        new(Mode, AllowedPorts, _exempt.Concat(endpoints), _ownAddresses);

    /// <summary>Decides whether <paramref name="destination"/> may be connected to.</summary>
    public PolicyDecision Check(IPEndPoint destination) => Check(destination, dnsPort: false);

    /// <summary>Whether a DNS server may be asked (resolving from the root asks servers the referrals name): its address
    /// is judged as any destination's, and port 53, DNS's own, is allowed whatever the allowed ports.</summary>
    public PolicyDecision CheckDnsServer(IPEndPoint server) => Check(server, dnsPort: server.Port == 53);

    private PolicyDecision Check(IPEndPoint destination, bool dnsPort)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (Mode == DestinationMode.Open || _exempt.Contains(destination))
            return PolicyDecision.Allow;
        if (!dnsPort && !AllowedPorts.Contains(destination.Port))
            return PolicyDecision.Refuse($"Port {destination.Port} is not in this server's allowed ports ({AllowedPorts}).");
        var address = destination.Address;
        if (Classify(address) is not { } kind)
            return _ownAddresses.Contains(Normalise(address))
                ? PolicyDecision.Refuse($"{address} is one of this server's own addresses; this server does not trace itself.")
                : PolicyDecision.Allow;
        if (Mode == DestinationMode.Local && LocalAllowed.Any(r => r.Contains(Normalise(address))))
            return PolicyDecision.Allow;
        return PolicyDecision.Refuse($"{address} is {kind}; this server does not trace {(Mode == DestinationMode.Local ? "such addresses" : "private or special networks")}.");
    }

    /// <summary>What kind of special address this is, or null for a public unicast address.</summary>
    public static string? Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && EmbeddedIPv4(address) is { } found)
            return Classify(found.Address) is { } inner ? $"{found.How} of {found.Address}, {inner}" : null;
        var ranges = address.AddressFamily == AddressFamily.InterNetwork ? SpecialV4 : SpecialV6;
        return ranges.FirstOrDefault(r => r.Contains(address))?.Name;
    }

    /// <summary>IPv4 addresses carried inside IPv6 ones (mapped, compatible, NAT64, 6to4), judged by the IPv4 address.</summary>
    internal static (IPAddress Address, string How)? EmbeddedIPv4(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (address.IsIPv4MappedToIPv6)
            return (address.MapToIPv4(), "an IPv4-mapped form");
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !(bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0 && bytes[15] <= 1))
            return (new IPAddress(bytes.AsSpan(12, 4)), "an IPv4-compatible form");
        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return (new IPAddress(bytes.AsSpan(12, 4)), "a NAT64 form");
        if (bytes[0] == 0x20 && bytes[1] == 0x02)
            return (new IPAddress(bytes.AsSpan(2, 4)), "a 6to4 form");
        return null;
    }

    private static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static IEnumerable<IPAddress> InterfaceAddresses()
    {
        try
        {
            return [.. NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address)];
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
