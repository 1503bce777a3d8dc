using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Rooms;

/// <summary>What a browser joining a room gets: the room, and its current trace so far, so a late joiner catches up.</summary>
/// <param name="State">The room.</param>
/// <param name="CurrentTraceId">The trace the presenter runs now (or ran last), or null before the first.</param>
/// <param name="CurrentEvents">Its events so far, in order.</param>
public sealed record RoomSnapshot(RoomState State, string? CurrentTraceId, IReadOnlyList<TraceEvent> CurrentEvents);
