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
/// <param name="Referral">When the server answered with a referral instead (resolving from the root): the zone it
/// delegates to and that zone's servers; null otherwise.</param>
/// <param name="Authoritative">True when the server answered for its own zone (the AA bit), as the last server of a
/// lookup from the root does; a recursive resolver's answers are not.</param>
/// <param name="RecursionDesired">True when the query asked the server to resolve the name on the client's behalf (a
/// resolver); false when it asked the server only what it holds (resolving from the root).</param>
/// <param name="Query">The query's bytes as sent.</param>
/// <param name="QueryFields">The query's bytes field by field, explained.</param>
/// <param name="Answer">The answer's bytes as received, or null when none came.</param>
/// <param name="AnswerFields">The answer's bytes field by field, explained, as far as they could be read.</param>
public sealed record DnsQueryDetails(
    string QueryType,
    string Name,
    string Resolver,
    string Transport,
    string? ResponseCode,
    bool Truncated,
    IReadOnlyList<DnsRecordInfo> Answers,
    int ResponseBytes,
    TimeSpan Duration,
    DnsReferral? Referral = null,
    bool Authoritative = false,
    bool RecursionDesired = true,
    byte[]? Query = null,
    IReadOnlyList<ByteField>? QueryFields = null,
    byte[]? Answer = null,
    IReadOnlyList<ByteField>? AnswerFields = null) : TraceEventDetails;

/// <summary>One resource record of an answer.</summary>
/// <param name="Name">Owner name.</param>
/// <param name="Type">A, AAAA, CNAME, ...</param>
/// <param name="TimeToLive">TTL in seconds.</param>
/// <param name="Value">The record's data as text (an address, a target name).</param>
public sealed record DnsRecordInfo(string Name, string Type, int TimeToLive, string Value);
