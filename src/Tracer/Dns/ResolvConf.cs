using System.Net;

namespace FlowTrace.Tracer.Dns;

/// <summary>
/// The resolvers <c>/etc/resolv.conf</c> names, read as the C library reads them. DnsClient lists only the resolvers
/// of network interfaces that are up, so with the network down it found none and the trace said that none was
/// configured, which was false.
/// </summary>
public static class ResolvConf
{
    /// <summary>The usual place of the file.</summary>
    public const string DefaultPath = "/etc/resolv.conf";

    /// <summary>The <c>nameserver</c> lines of <paramref name="text"/>, on port 53, in order; unreadable lines are skipped.</summary>
    public static IReadOnlyList<IPEndPoint> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var servers = new List<IPEndPoint>();
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || fields[0] != "nameserver")
                continue;
            // An IPv6 address may carry its interface (fe80::1%eth0); IPAddress reads that form itself.
            if (IPAddress.TryParse(fields[1], out var address))
                servers.Add(new IPEndPoint(address, 53));
        }

        return servers;
    }

    /// <summary>The resolvers of the file at <paramref name="path"/>, or none when it is missing or unreadable.</summary>
    public static IReadOnlyList<IPEndPoint> Read(string path = DefaultPath)
    {
        try
        {
            return File.Exists(path) ? Parse(File.ReadAllText(path)) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
