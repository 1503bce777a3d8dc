using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Rooms;
using FlowTrace.Server.Operations;

namespace FlowTrace.Server.Rooms;

/// <summary>
/// Where workshop rooms live: in this server's memory (<see cref="RoomRegistry"/>, one instance) or in Redis
/// (<see cref="RedisRoomDirectory"/>, shared by every instance), so that a presenter on one instance and attendees on
/// another are in the same room. Codes are normalised here (<see cref="RoomCodes.Normalise"/>); an unknown code is null
/// or false, never an exception.
/// </summary>
public interface IRoomDirectory : IRoomCounts
{
    /// <summary>Opens a room: its code and the presenter's key, or the refusal when as many rooms are open as may be.</summary>
    Task<RoomOpening> OpenAsync(string? title, CancellationToken cancellationToken);

    /// <summary>The room's state, or null when there is no such room.</summary>
    Task<RoomState?> StateAsync(string? code, CancellationToken cancellationToken);

    /// <summary>The room and its current trace so far, or null when there is no such room.</summary>
    Task<RoomSnapshot?> SnapshotAsync(string? code, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="key"/> is the presenter's key of an open room <paramref name="code"/> (compared in
    /// constant time; an unknown room is simply false).</summary>
    Task<bool> IsPresenterAsync(string? code, string? key, CancellationToken cancellationToken);

    /// <summary>Adds an attendee's connection, unless the room is full or does not exist.</summary>
    Task<RoomJoin> JoinAsync(string code, string connectionId, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="connectionId"/> the presenter's connection.</summary>
    Task PresentAsync(string code, string connectionId, CancellationToken cancellationToken);

    /// <summary>Forgets a connection that closed, in every room it was in.</summary>
    Task LeaveAsync(string connectionId, CancellationToken cancellationToken);

    /// <summary>The presenter's connection, if connected.</summary>
    Task<string?> PresenterConnectionAsync(string code, CancellationToken cancellationToken);

    /// <summary>The presenter starts a trace: late joiners see it from here.</summary>
    Task TraceStartedAsync(string code, string traceId, CancellationToken cancellationToken);

    /// <summary>An event of the room's current trace.</summary>
    Task AddEventAsync(string code, TraceEvent traceEvent, CancellationToken cancellationToken);

    /// <summary>The current trace was kept under <paramref name="storedId"/>.</summary>
    Task KeptAsync(string code, string storedId, CancellationToken cancellationToken);

    /// <summary>Asks a question; null when the room asked as many as it may.</summary>
    Task<RoomQuestion?> AskAsync(string code, string text, IReadOnlyList<string> choices, string? kind, CancellationToken cancellationToken);

    /// <summary>An attendee's answer (a later one replaces an earlier); the refusal when it is not taken.</summary>
    Task<string?> AnswerAsync(string code, string connectionId, int questionId, int choice, CancellationToken cancellationToken);

    /// <summary>The answers to a question so far; at the reveal (<paramref name="reveal"/>), with the right one where the
    /// current trace tells it. Null for an unknown question.</summary>
    Task<RoomTally?> TallyAsync(string code, int questionId, bool reveal, CancellationToken cancellationToken);

    /// <summary>The presenter lets attendees run traces of their own beside the room's, or not.</summary>
    Task AllowOwnTracesAsync(string code, bool allowed, CancellationToken cancellationToken);

    /// <summary>Closes rooms nobody used for longer than the idle timeout; how many.</summary>
    Task<int> CloseIdleAsync(CancellationToken cancellationToken);
}
