namespace FlowTrace.Contracts.Events;

/// <summary>One connection attempt to one address.</summary>
/// <param name="Attempt">The attempt's number within the race, starting at 1.</param>
/// <param name="Remote">The address and port tried.</param>
/// <param name="Local">The local endpoint, once the socket is connected.</param>
/// <param name="Outcome">Where the attempt stands.</param>
/// <param name="Duration">From the SYN being sent to the outcome; null while pending.</param>
/// <param name="Error">The socket error, for failed attempts.</param>
public sealed record TcpAttemptDetails(
    int Attempt,
    string Remote,
    string? Local,
    TcpAttemptOutcome Outcome,
    TimeSpan? Duration,
    string? Error) : TraceEventDetails;

/// <summary>The outcome of a connection attempt.</summary>
public enum TcpAttemptOutcome
{
    /// <summary>The attempt was started.</summary>
    Started,
    /// <summary>The three-way handshake completed and this attempt won.</summary>
    Connected,
    /// <summary>The peer answered with a reset.</summary>
    Refused,
    /// <summary>No answer within the connect timeout.</summary>
    TimedOut,
    /// <summary>No route to the address.</summary>
    Unreachable,
    /// <summary>Another attempt won the race; this one was abandoned.</summary>
    Abandoned,
    /// <summary>Any other socket error.</summary>
    Failed,
    /// <summary>Not attempted: the server's destination policy does not allow this address or port.</summary>
    NotAllowed,
}
