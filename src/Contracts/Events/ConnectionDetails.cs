namespace FlowTrace.Contracts.Events;

/// <summary>What became of the connection after a response.</summary>
/// <param name="KeepAlive">True when the server allows the connection to be reused.</param>
/// <param name="ClosedBy">Who closed first.</param>
/// <param name="ReusedForNextHop">True when the next redirect hop uses this connection.</param>
/// <param name="Reason">Why, in words (a Connection: close header, HTTP/1.0, the trace ended...).</param>
/// <param name="SessionTicketLifetimes">The lifetime of each session ticket the server issued on this connection
/// (TLS NewSessionTicket), in order; empty when it issued none or the connection was not TLS.</param>
public sealed record ConnectionDetails(bool KeepAlive, ConnectionCloser ClosedBy, bool ReusedForNextHop, string Reason,
    IReadOnlyList<TimeSpan>? SessionTicketLifetimes = null) : TraceEventDetails;

/// <summary>Who closed a connection first.</summary>
public enum ConnectionCloser
{
    /// <summary>Still open (kept for the next hop).</summary>
    NotClosed,
    /// <summary>The server closed first.</summary>
    Server,
    /// <summary>The tracer closed first.</summary>
    Client,
}
