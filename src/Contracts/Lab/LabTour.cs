using FlowTrace.Contracts.Rooms;

namespace FlowTrace.Contracts.Lab;

/// <summary>The guided tour: lab traces in an order that teaches, each with a question to answer before it runs (the
/// workshop's questions, judged from the trace the same way).</summary>
public static class LabTour
{
    /// <summary>The tour's stops, in order.</summary>
    public static IReadOnlyList<LabTourStop> Stops { get; } =
    [
        new("www", RoomQuestionKinds.TlsRoundTrips, "A healthy site over TLS 1.3. Before it runs: how long will the handshake keep the client waiting?"),
        new("tls12", RoomQuestionKinds.TlsRoundTrips, "The same question for a server that speaks only TLS 1.2."),
        new("slow", RoomQuestionKinds.LongestStep, "A server that takes its time. Where will the time go?"),
        new("redirect", RoomQuestionKinds.ConnectionReused, "A site that redirects to another page of itself."),
        new("close", RoomQuestionKinds.ConnectionReused, "A server that says 'Connection: close' in its answer."),
    ];
}
