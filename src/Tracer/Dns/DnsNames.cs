namespace FlowTrace.Tracer.Dns;

/// <summary>The names of DNS's numbers (IANA's DNS parameters registry).</summary>
internal static class DnsNames
{
    public const ushort A = 1;
    public const ushort Ns = 2;
    public const ushort Cname = 5;
    public const ushort Soa = 6;
    public const ushort Aaaa = 28;
    public const ushort Opt = 41;

    /// <summary>A record type's mnemonic, or TYPEn (RFC 3597) for one without.</summary>
    public static string TypeName(int type) => type switch
    {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        41 => "OPT",
        43 => "DS",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        64 => "SVCB",
        65 => "HTTPS",
        257 => "CAA",
        _ => $"TYPE{type}",
    };

    /// <summary>A response code's mnemonic (RFC 6895).</summary>
    public static string ResponseCodeName(int code) => code switch
    {
        0 => "NoError",
        1 => "FormErr",
        2 => "ServFail",
        3 => "NXDomain",
        4 => "NotImp",
        5 => "Refused",
        _ => $"RCODE{code}",
    };

    /// <summary>A class's mnemonic.</summary>
    public static string ClassName(int @class) => @class switch
    {
        1 => "IN",
        3 => "CH",
        4 => "HS",
        _ => $"CLASS{@class}",
    };
}
