namespace FlowTrace.Contracts.Events;

/// <summary>A referral: a server that does not hold the name says which zone's servers to ask next (resolving from
/// the root).</summary>
/// <param name="Zone">The zone delegated, e.g. <c>test.</c> from the root.</param>
/// <param name="NameServers">That zone's servers, by name (the authority section's NS records).</param>
/// <param name="Glue">Their addresses, when the referral carried them (the additional section's A and AAAA records).</param>
public sealed record DnsReferral(string Zone, IReadOnlyList<string> NameServers, IReadOnlyList<DnsRecordInfo> Glue);
