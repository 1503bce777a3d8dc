namespace FlowTrace.Contracts.Rooms;

/// <summary>A question the presenter asks the room, usually about the step the paused trace takes next.</summary>
/// <param name="Id">The question's id in its room.</param>
/// <param name="Text">The question.</param>
/// <param name="Choices">The answers to choose from (2 to 8).</param>
/// <param name="Kind">A question FlowTrace offers (<see cref="RoomQuestionKinds"/>), whose right answer the trace tells; null for the presenter's own.</param>
public sealed record RoomQuestion(int Id, string Text, IReadOnlyList<string> Choices, string? Kind);
