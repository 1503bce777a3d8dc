using System.Net;
using FlowTrace.Tracer.Policy;

namespace FlowTrace.Server.Tracing;

/// <summary>Chooses the destination mode: configured, or from the addresses the server listens on.</summary>
public static class DestinationModeSelector
{
    /// <summary>Loopback-only listening means a developer's own server (local mode); anything else is public.</summary>
    public static DestinationMode Choose(DestinationMode? configured, string? urls)
    {
        if (configured is { } mode)
            return mode;
        var list = (urls ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return list.All(IsLoopback) ? DestinationMode.Local : DestinationMode.Public;
    }

    private static bool IsLoopback(string url)
    {
        // Kestrel accepts wildcards like http://*:80 and http://+:80, which are not URIs: those listen everywhere.
        var host = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        host = host.Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
