using System.Net;

namespace FlowTrace.Tracer.Dns;

/// <summary>One resource record as read from a DNS message.</summary>
/// <param name="Name">Owner name, without the final dot ("" for the root).</param>
/// <param name="Type">The record type's number (1 A, 2 NS, 5 CNAME, 28 AAAA, 41 OPT, ...).</param>
/// <param name="Ttl">Time to live in seconds.</param>
/// <param name="Value">The data as text: an address, a target name, or the bytes in hex.</param>
/// <param name="Address">The address of an A or AAAA record.</param>
/// <param name="Target">The name a CNAME or NS record points to.</param>
internal sealed record DnsWireRecord(string Name, ushort Type, uint Ttl, string Value, IPAddress? Address, string? Target)
{
    /// <summary>The type's mnemonic.</summary>
    public string TypeName => DnsNames.TypeName(Type);
}
