using System.Net;

namespace FlowTrace.Lab.Dns;

/// <summary>The lab's DNS data: names with addresses, and CNAME aliases.</summary>
public sealed class LabZone
{
    private readonly Dictionary<string, List<IPAddress>> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates an empty zone.</summary>
    public LabZone(string origin) => Origin = origin.Trim('.');

    /// <summary>The zone's apex, e.g. <c>lab.test</c>.</summary>
    public string Origin { get; }

    /// <summary>TTL of address records, in seconds.</summary>
    public int AddressTtl { get; init; } = 300;

    /// <summary>TTL of CNAME records, in seconds.</summary>
    public int AliasTtl { get; init; } = 60;

    /// <summary>The zone's own name server (answered for the apex's NS, with its addresses), or null.</summary>
    public string? NameServer { get; init; }

    /// <summary>Adds addresses for a name.</summary>
    public LabZone Address(string name, params IPAddress[] addresses)
    {
        if (!_addresses.TryGetValue(name, out var list))
            _addresses[name] = list = [];
        list.AddRange(addresses);
        return this;
    }

    /// <summary>Adds a CNAME from <paramref name="alias"/> to <paramref name="target"/>.</summary>
    public LabZone Alias(string alias, string target)
    {
        _aliases[alias] = target;
        return this;
    }

    /// <summary>True when the name is in this zone.</summary>
    public bool Contains(string name)
    {
        name = name.TrimEnd('.');
        return name.Equals(Origin, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + Origin, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the name exists (has addresses or is an alias).</summary>
    public bool Exists(string name) => _addresses.ContainsKey(name.TrimEnd('.')) || _aliases.ContainsKey(name.TrimEnd('.'));

    /// <summary>The CNAME target of a name, if it is an alias.</summary>
    public string? AliasOf(string name) => _aliases.GetValueOrDefault(name.TrimEnd('.'));

    /// <summary>The addresses of a name (not following aliases).</summary>
    public IReadOnlyList<IPAddress> AddressesOf(string name) => _addresses.GetValueOrDefault(name.TrimEnd('.')) ?? [];
}
