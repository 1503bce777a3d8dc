using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Rooms;

/// <summary>The right answer to a question FlowTrace offers, read from the trace itself at the reveal (a workshop room's,
/// or the guided tour's in the page).</summary>
public static class RoomAnswers
{
    /// <summary>The right choice's index and why, or null where the trace does not tell (yet).</summary>
    public static (int? Right, string? Why) Judge(string? kind, IReadOnlyList<TraceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var details = events.Select(e => e.Details).ToList();
        switch (kind)
        {
            case RoomQuestionKinds.TlsRoundTrips when details.OfType<TlsHandshakeDetails>().FirstOrDefault() is { RoundTrips: > 0 } tls:
                return (Math.Min(tls.RoundTrips, 3) - 1, $"The handshake took {tls.RoundTrips} round trip{(tls.RoundTrips == 1 ? "" : "s")} ({tls.Version}).");
            case RoomQuestionKinds.LongestStep when details.OfType<TraceSummary>().LastOrDefault() is { Steps.Count: > 0 } summary:
                var longest = summary.Steps.GroupBy(s => s.Step).Select(g => (Step: g.Key, Took: g.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration))).MaxBy(s => s.Took);
                var index = TraceStepNames.Flow.ToList().IndexOf(longest.Step);
                return (index < 0 ? null : index, $"{TraceStepNames.Of(longest.Step)} took {TimeSplitWords.Duration(longest.Took)}, the longest of the trace's steps.");
            case RoomQuestionKinds.ConnectionReused when details.OfType<ConnectionDetails>().FirstOrDefault() is { } connection:
                return (connection.ReusedForNextHop ? 0 : 1, connection.Reason);
            default:
                return (null, null);
        }
    }
}
