namespace FlowTrace.Contracts.Rooms;

/// <summary>The questions FlowTrace offers a presenter, each answered by the trace itself at the reveal.</summary>
public static class RoomQuestionKinds
{
    /// <summary>"How many round trips will the TLS handshake take?" (1, 2, 3 or more).</summary>
    public const string TlsRoundTrips = "tls-round-trips";

    /// <summary>"Which step will take longest?" (the seven steps).</summary>
    public const string LongestStep = "longest-step";

    /// <summary>"Will the connection be reused?" (yes, no).</summary>
    public const string ConnectionReused = "connection-reused";

    /// <summary>The offered questions: kind, text and choices.</summary>
    public static IReadOnlyList<(string Kind, string Text, IReadOnlyList<string> Choices)> Offered { get; } =
    [
        (TlsRoundTrips, "How many round trips will the TLS handshake take?", ["1", "2", "3 or more"]),
        (LongestStep, "Which step will take longest?", ["DNS lookup", "TCP connection", "TLS handshake", "HTTP request", "Server processing", "HTTP response", "Connection handling"]),
        (ConnectionReused, "Will the connection be reused for another request?", ["Yes", "No"]),
    ];
}
