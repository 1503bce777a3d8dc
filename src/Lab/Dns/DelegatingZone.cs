using System.Net;

namespace FlowTrace.Lab.Dns;

/// <summary>
/// A zone that holds no hosts, only delegations, as the root and a top-level domain do: asked for a name below one of
/// its children, it answers with a referral (the child's name server, and its address as glue), the step that
/// <c>dig +trace</c> and an iterative resolver follow.
/// </summary>
/// <param name="Origin">The zone's apex: "" for the root, "test" for a top-level domain.</param>
/// <param name="NameServer">The name of this zone's own server.</param>
/// <param name="Address">That server's address.</param>
/// <param name="Children">The zones delegated from here: each child's apex, its server's name and address.</param>
internal sealed record DelegatingZone(string Origin, string NameServer, IPAddress Address, IReadOnlyList<(string Zone, string NameServer, IPAddress Address)> Children)
{
    /// <summary>TTL of the delegation records, in seconds (the root's are two days).</summary>
    public const int Ttl = 172800;

    /// <summary>True when <paramref name="name"/> is at or below <paramref name="zone"/> ("" is the root).</summary>
    public static bool IsWithin(string name, string zone)
    {
        name = name.TrimEnd('.');
        return zone.Length == 0 || name.Equals(zone, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + zone, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The child zone a name falls in, if any.</summary>
    public (string Zone, string NameServer, IPAddress Address)? ChildOf(string name) =>
        Children.Where(c => IsWithin(name, c.Zone)).Select(c => ((string, string, IPAddress)?)c).FirstOrDefault();
}
