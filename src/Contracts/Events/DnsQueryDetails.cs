namespace FlowTrace.Contracts.Events;

/// <summary>One DNS query and its answer, as exchanged with one resolver.</summary>
/// <param name="QueryType">A, AAAA, ...</param>
/// <param name="Name">The name asked for, in ASCII form.</param>
/// <param name="Resolver">The resolver's address and port.</param>
/// <param name="Transport">udp or tcp.</param>
/// <param name="ResponseCode">NoError, NXDomain, ServFail, ... or null when no answer came.</param>
/// <param name="Truncated">The answer had the TC bit set (a retry over TCP follows).</param>
/// <param name="Answers">Every answer record, CNAMEs included, in the order received.</param>
/// <param name="ResponseBytes">Size of the answer message in bytes.</param>
/// <param name="Duration">Time from sending the query to receiving the answer.</param>
public sealed record DnsQueryDetails(
    string QueryType,
    string Name,
    string Resolver,
    string Transport,
    string? ResponseCode,
    bool Truncated,
    IReadOnlyList<DnsRecordInfo> Answers,
    int ResponseBytes,
    TimeSpan Duration) : TraceEventDetails;

/// <summary>One resource record of an answer.</summary>
/// <param name="Name">Owner name.</param>
/// <param name="Type">A, AAAA, CNAME, ...</param>
/// <param name="TimeToLive">TTL in seconds.</param>
/// <param name="Value">The record's data as text (an address, a target name).</param>
public sealed record DnsRecordInfo(string Name, string Type, int TimeToLive, string Value);
