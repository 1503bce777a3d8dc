using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Ladder;

/// <summary>One message between two lanes: a DNS query or answer, a TCP segment of the handshake, a TLS record, an
/// HTTP message, the close.</summary>
/// <param name="From">The sending lane's id.</param>
/// <param name="To">The receiving lane's id.</param>
/// <param name="Sent">When it left the sender, from the trace's start.</param>
/// <param name="Arrived">When it reached the receiver.</param>
/// <param name="Measured">Which end was measured: the client stamps what it sends and receives; the other end is
/// estimated as half the round-trip time to that peer (the tracer cannot see the far side's clock).</param>
/// <param name="Label">A short name, e.g. <c>SYN</c>, <c>A? www.lab.test</c>, <c>ServerHello</c>.</param>
/// <param name="Detail">One line more: sizes, codes, what was inside.</param>
/// <param name="Step">The trace step it belongs to.</param>
/// <param name="Hop">The redirect hop.</param>
/// <param name="Sequence">The event it was drawn from.</param>
/// <param name="RoundTrip">When this arrow completes a round trip (an answer to what the client sent), its number
/// within its kind of peer: DNS round trips and server round trips are counted apart.</param>
public sealed record LadderArrow(
    string From,
    string To,
    TimeSpan Sent,
    TimeSpan Arrived,
    LadderMeasuredEnd Measured,
    string Label,
    string Detail,
    TraceStep Step,
    int Hop,
    int Sequence,
    int? RoundTrip);
