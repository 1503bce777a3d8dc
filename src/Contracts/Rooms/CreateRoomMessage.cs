namespace FlowTrace.Contracts.Rooms;

/// <summary><c>POST /api/rooms</c>'s body.</summary>
public sealed record CreateRoomMessage
{
    /// <summary>The workshop's title (optional, at most 100 characters).</summary>
    public string? Title { get; init; }
}
