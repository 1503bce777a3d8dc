namespace FlowTrace.Contracts.Requests;

/// <summary>Address families a trace may use.</summary>
public enum AddressFamilyPreference
{
    /// <summary>IPv6 and IPv4, raced as browsers race them.</summary>
    Any,
    /// <summary>IPv4 only.</summary>
    IPv4,
    /// <summary>IPv6 only.</summary>
    IPv6,
}
