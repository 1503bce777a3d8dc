using System.Collections.Concurrent;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Rooms;
using FlowTrace.Server.Storage;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Rooms;

/// <summary>The server's open rooms, in memory: one instance's rooms (without <c>ConnectionStrings:Redis</c>).</summary>
public sealed class RoomRegistry(IOptions<RoomOptions> options, TimeProvider time) : IRoomDirectory
{
    /// <inheritdoc />
    public int OpenRooms => _rooms.Count;

    /// <inheritdoc />
    public int Attendees => _rooms.Values.Sum(r => r.AttendeeCount);

    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<RoomOpening> OpenAsync(string? title, CancellationToken cancellationToken)
    {
        if (_rooms.Count >= options.Value.MaxRooms)
            return Task.FromResult(new RoomOpening(null, null, RoomLimits.TooManyRooms(options.Value.MaxRooms)));
        var key = TraceIds.New();
        var name = RoomLimits.Title(title);
        while (true)
        {
            var room = new Room(RoomCodes.New(), name, key, time.GetUtcNow());
            if (_rooms.TryAdd(room.Code, room))
                return Task.FromResult(new RoomOpening(room.Code, key, null));
        }
    }

    /// <inheritdoc />
    public Task<RoomState?> StateAsync(string? code, CancellationToken cancellationToken) => Task.FromResult(Find(code)?.State());

    /// <inheritdoc />
    public Task<RoomSnapshot?> SnapshotAsync(string? code, CancellationToken cancellationToken) => Task.FromResult(Find(code)?.Snapshot());

    /// <inheritdoc />
    public Task<bool> IsPresenterAsync(string? code, string? key, CancellationToken cancellationToken) =>
        Task.FromResult(Find(code)?.IsPresenterKey(key) == true);

    /// <inheritdoc />
    public Task<RoomJoin> JoinAsync(string code, string connectionId, CancellationToken cancellationToken) =>
        Task.FromResult(Find(code) is not { } room ? RoomJoin.NoSuchRoom
            : room.Join(connectionId, options.Value.MaxAttendeesPerRoom, time.GetUtcNow()) ? RoomJoin.Joined : RoomJoin.Full);

    /// <inheritdoc />
    public Task PresentAsync(string code, string connectionId, CancellationToken cancellationToken)
    {
        Find(code)?.Present(connectionId, time.GetUtcNow());
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string?> PresenterConnectionAsync(string code, CancellationToken cancellationToken) => Task.FromResult(Find(code)?.PresenterConnection);

    /// <inheritdoc />
    public Task TraceStartedAsync(string code, string traceId, CancellationToken cancellationToken)
    {
        Find(code)?.TraceStarted(traceId, time.GetUtcNow());
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AddEventAsync(string code, TraceEvent traceEvent, CancellationToken cancellationToken)
    {
        Find(code)?.Add(traceEvent);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task KeptAsync(string code, string storedId, CancellationToken cancellationToken)
    {
        Find(code)?.Kept(storedId);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<RoomQuestion?> AskAsync(string code, string text, IReadOnlyList<string> choices, string? kind, CancellationToken cancellationToken) =>
        Task.FromResult(Find(code)?.Ask(text, choices, kind, options.Value.MaxQuestionsPerRoom, time.GetUtcNow()));

    /// <inheritdoc />
    public Task<string?> AnswerAsync(string code, string connectionId, int questionId, int choice, CancellationToken cancellationToken) =>
        Task.FromResult(Find(code) is { } room ? room.Answer(connectionId, questionId, choice, options.Value.AnswersPerMinutePerAttendee, time.GetUtcNow()) : RoomHub.NoSuchRoom);

    /// <inheritdoc />
    public Task<RoomTally?> TallyAsync(string code, int questionId, bool reveal, CancellationToken cancellationToken) =>
        Task.FromResult(Find(code)?.Tally(questionId, reveal));

    /// <inheritdoc />
    public Task LeaveAsync(string connectionId, CancellationToken cancellationToken)
    {
        Leave(connectionId);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AllowOwnTracesAsync(string code, bool allowed, CancellationToken cancellationToken)
    {
        Find(code)?.AllowOwnTraces(allowed);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> CloseIdleAsync(CancellationToken cancellationToken) => Task.FromResult(CloseIdle());

    /// <summary>The room with this code, or null.</summary>
    private Room? Find(string? code) => RoomCodes.Normalise(code) is { } normal && _rooms.TryGetValue(normal, out var room) ? room : null;

    private void Leave(string connectionId)
    {
        foreach (var room in _rooms.Values)
            room.Leave(connectionId);
    }

    private int CloseIdle()
    {
        var before = time.GetUtcNow() - options.Value.IdleTimeout;
        var closed = 0;
        foreach (var (code, room) in _rooms)
        {
            if (room.LastActivity < before && _rooms.TryRemove(code, out _))
                closed++;
        }

        return closed;
    }
}
