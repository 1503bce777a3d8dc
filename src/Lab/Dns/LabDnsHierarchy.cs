using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlowTrace.Lab.Dns;

/// <summary>
/// The lab's DNS from the root down, so that an iterative lookup (FlowTrace's "resolve from the root", <c>dig +trace</c>)
/// works offline: a root server on 127.0.0.2 that refers the lab's top-level domain to a server on 127.0.0.3, which
/// refers the lab's zone to its authoritative server on 127.0.0.1, all on one port (as <c>dig -p</c> expects).
/// </summary>
public sealed class LabDnsHierarchy : IAsyncDisposable
{
    /// <summary>The root server's address.</summary>
    public static readonly IPAddress RootAddress = IPAddress.Parse("127.0.0.2");

    /// <summary>The top-level domain's server's address.</summary>
    public static readonly IPAddress TopLevelAddress = IPAddress.Parse("127.0.0.3");

    private readonly LabDnsServer _authoritative;
    private readonly LabDnsServer? _root;
    private readonly LabDnsServer? _topLevel;

    private LabDnsHierarchy(LabDnsServer authoritative, LabDnsServer? root, LabDnsServer? topLevel)
    {
        _authoritative = authoritative;
        _root = root;
        _topLevel = topLevel;
    }

    /// <summary>The zone's authoritative server (the lab's DNS server: it also answers recursive-style queries).</summary>
    public IPEndPoint EndPoint => _authoritative.EndPoint;

    /// <summary>The lab's root servers (one), for an iterative lookup; none where the system has no 127.0.0.2 (loopback
    /// is all of 127/8 on Linux, only 127.0.0.1 elsewhere), and then lab names are not walked from the lab's root.</summary>
    public IReadOnlyList<IPEndPoint> RootServers => _root is null ? [] : [_root.EndPoint];

    /// <summary>Starts the three servers on <paramref name="port"/> (0: one free on all three addresses).</summary>
    public static LabDnsHierarchy Start(LabZone zone, int port)
    {
        var labels = zone.Origin.Split('.');
        var topLevel = labels[^1];
        var rootName = $"a.root-servers.{topLevel}";
        var topLevelName = $"ns.{topLevel}";
        for (var attempt = 0; ; attempt++)
        {
            var authoritative = new LabDnsServer(zone, port);
            var bound = authoritative.EndPoint.Port;
            LabDnsServer? root = null;
            try
            {
                // The root and the top-level domain: each knows only the next server down, and its address (glue).
                root = new LabDnsServer(new DelegatingZone("", rootName, RootAddress, [(topLevel, topLevelName, TopLevelAddress)]), RootAddress, bound);
                var tld = labels.Length > 1
                    ? new LabDnsServer(new DelegatingZone(topLevel, topLevelName, TopLevelAddress, [(zone.Origin, zone.NameServer!, IPAddress.Loopback)]), TopLevelAddress, bound)
                    : throw new ArgumentException($"The lab's zone '{zone.Origin}' needs a parent domain (lab.test, not test).", nameof(zone));
                return new LabDnsHierarchy(authoritative, root, tld);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
            {
                Dispose(root);
                return new LabDnsHierarchy(authoritative, null, null);
            }
            catch (SocketException) when (port == 0 && attempt < 20)
            {
                // The port is free on 127.0.0.1 but taken on another address: pick again.
                Dispose(root);
                Dispose(authoritative);
            }
            catch
            {
                Dispose(root);
                Dispose(authoritative);
                throw;
            }
        }
    }

    private static void Dispose(LabDnsServer? server)
    {
        if (server is not null)
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _authoritative.DisposeAsync().ConfigureAwait(false);
        if (_root is not null)
            await _root.DisposeAsync().ConfigureAwait(false);
        if (_topLevel is not null)
            await _topLevel.DisposeAsync().ConfigureAwait(false);
    }
}
