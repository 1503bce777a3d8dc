using System.Net;
using DnsClient;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Policy;

namespace FlowTrace.Tracer.Tracing;

/// <summary>How the tracer itself is set up (as opposed to what one trace asks for).</summary>
public sealed record TracerOptions
{
    /// <summary>The clock every trace reads. Tests may substitute a fake.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The hosts file consulted before DNS.</summary>
    public string HostsFilePath { get; init; } = "/etc/hosts";

    /// <summary>The root hints for resolving from the root (named.root's format; Debian's dns-root-data installs them
    /// here), read when a trace asks to resolve from the root and names no root servers of its own.</summary>
    public string RootHintsPath { get; init; } = "/usr/share/dns/root.hints";

    /// <summary>The system's resolvers; by default those the OS uses (<c>/etc/resolv.conf</c> on Linux).</summary>
    public Func<IReadOnlyList<IPEndPoint>> SystemResolvers { get; init; } = DefaultResolvers;

    /// <summary>Which destinations may be connected to; by default every one (a tool on one's own machine).
    /// A server that strangers can reach uses <see cref="DestinationMode.Public"/>.</summary>
    public DestinationPolicy DestinationPolicy { get; init; } = DestinationPolicy.Open;

    /// <summary>Run one throw-away trace against an in-process loopback server before the first real trace,
    /// so JIT compilation does not land in the first trace's numbers.</summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>Sees every event of the warm-up's traces, so that a host can warm the code that consumes events too
    /// (rendering, serialising), which otherwise compiles while the first real trace runs. Exceptions it throws are ignored.</summary>
    public Action<TraceEvent>? WarmUpObserver { get; init; }

    private static IReadOnlyList<IPEndPoint> DefaultResolvers()
    {
        // What the C library reads, whether or not an interface is up; DnsClient's own discovery elsewhere.
        if (FlowTrace.Tracer.Dns.ResolvConf.Read() is { Count: > 0 } configured)
            return configured;
        try
        {
            return [.. NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false).Select(n => new IPEndPoint(IPAddress.Parse(n.Address), n.Port))];
        }
        catch (InvalidOperationException)
        {
            return [];
        }
    }
}
