namespace FlowTrace.Contracts.Rooms;

/// <summary>A room as anyone may see it (<c>GET /api/rooms/{code}</c>), without its key.</summary>
/// <param name="Code">The join code.</param>
/// <param name="Title">The workshop's title.</param>
/// <param name="PresenterConnected">Whether the presenter's browser is connected now.</param>
/// <param name="Attendees">How many attendees are connected.</param>
/// <param name="Traces">The stored ids of the room's finished traces, oldest first.</param>
/// <param name="AttendeesMayTrace">Whether the presenter lets attendees run traces of their own beside the room's.</param>
public sealed record RoomState(string Code, string Title, bool PresenterConnected, int Attendees, IReadOnlyList<string> Traces, bool AttendeesMayTrace);
