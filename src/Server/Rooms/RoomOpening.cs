namespace FlowTrace.Server.Rooms;

/// <summary>A room opened (its code and the presenter's key, given once) or the reason it was not.</summary>
/// <param name="Code">The join code, or null when refused.</param>
/// <param name="PresenterKey">The presenter's key, or null when refused.</param>
/// <param name="Refusal">Why no room was opened.</param>
public sealed record RoomOpening(string? Code, string? PresenterKey, string? Refusal);
