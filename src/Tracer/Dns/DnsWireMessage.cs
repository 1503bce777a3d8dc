namespace FlowTrace.Tracer.Dns;

/// <summary>A DNS message as read from the wire (RFC 1035 §4): its header, sections and its bytes explained.</summary>
/// <param name="Id">The message ID, which pairs an answer with its query.</param>
/// <param name="Response">QR: an answer rather than a query.</param>
/// <param name="Authoritative">AA: the server holds the zone.</param>
/// <param name="Truncated">TC: the answer did not fit (ask again over TCP).</param>
/// <param name="RecursionDesired">RD: the query asked the server to resolve on the client's behalf.</param>
/// <param name="RecursionAvailable">RA: the server offers recursion.</param>
/// <param name="ResponseCode">The RCODE (0 NoError, 3 NXDomain, ...).</param>
/// <param name="Answers">The answer section.</param>
/// <param name="Authority">The authority section (a referral's NS records).</param>
/// <param name="Additional">The additional section (glue; the OPT pseudo-record is left out).</param>
/// <param name="Fields">Every field of the message, explained, as far as it could be read.</param>
/// <param name="Malformed">Why the message could not be read to its end, or null when it could.</param>
internal sealed record DnsWireMessage(
    ushort Id, bool Response, bool Authoritative, bool Truncated, bool RecursionDesired, bool RecursionAvailable, int ResponseCode,
    IReadOnlyList<DnsWireRecord> Answers, IReadOnlyList<DnsWireRecord> Authority, IReadOnlyList<DnsWireRecord> Additional,
    IReadOnlyList<FlowTrace.Contracts.Events.ByteField> Fields, string? Malformed)
{
    /// <summary>The response code's mnemonic.</summary>
    public string ResponseCodeName => DnsNames.ResponseCodeName(ResponseCode);
}
