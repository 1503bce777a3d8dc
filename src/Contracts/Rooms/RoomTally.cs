namespace FlowTrace.Contracts.Rooms;

/// <summary>The answers to a question so far (to the presenter, live) or at its reveal (to everyone).</summary>
/// <param name="QuestionId">The question.</param>
/// <param name="Counts">How many chose each answer, in the question's order.</param>
/// <param name="Revealed">Whether the presenter revealed it.</param>
/// <param name="Right">At the reveal, the right answer's index where the trace tells it, else null.</param>
/// <param name="Why">At the reveal, what in the trace makes that answer right.</param>
public sealed record RoomTally(int QuestionId, IReadOnlyList<int> Counts, bool Revealed, int? Right, string? Why);
