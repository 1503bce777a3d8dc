namespace FlowTrace.Contracts.Rooms;

/// <summary><c>POST /api/rooms</c>'s answer: the room, and the key that alone may drive it.</summary>
/// <param name="Code">The join code attendees type (6 characters without look-alikes).</param>
/// <param name="PresenterKey">The presenter's key: every control action checks it; only the presenter's browser holds it.</param>
/// <param name="JoinUrl">The attendees' page, <c>/r/{code}</c>, on the address the room was created through.</param>
public sealed record RoomCreated(string Code, string PresenterKey, string JoinUrl);
