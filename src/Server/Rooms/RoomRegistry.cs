using System.Collections.Concurrent;
using FlowTrace.Server.Storage;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Rooms;

/// <summary>The server's open rooms, in memory.</summary>
public sealed class RoomRegistry(IOptions<RoomOptions> options, TimeProvider time) : Operations.IRoomCounts
{
    /// <inheritdoc />
    public int OpenRooms => _rooms.Count;

    /// <inheritdoc />
    public int Attendees => _rooms.Values.Sum(r => r.AttendeeCount);

    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    /// <summary>Opens a room; null with the reason when the server holds as many rooms as it may.</summary>
    public (Room? Room, string? PresenterKey, string? Refusal) Open(string? title)
    {
        if (_rooms.Count >= options.Value.MaxRooms)
            return (null, null, $"This server has {options.Value.MaxRooms} workshop rooms open, the most it holds; try again when one closes.");
        var key = TraceIds.New();
        var name = string.IsNullOrWhiteSpace(title) ? "FlowTrace workshop" : title.Trim();
        while (true)
        {
            var room = new Room(RoomCodes.New(), name.Length > 100 ? name[..100] : name, key, time.GetUtcNow());
            if (_rooms.TryAdd(room.Code, room))
                return (room, key, null);
        }
    }

    /// <summary>The room with this code, or null.</summary>
    public Room? Find(string? code) => RoomCodes.Normalise(code) is { } normal && _rooms.TryGetValue(normal, out var room) ? room : null;

    /// <summary>Forgets a closed connection in every room.</summary>
    public void Leave(string connectionId)
    {
        foreach (var room in _rooms.Values)
            room.Leave(connectionId);
    }

    /// <summary>Closes rooms nobody used for longer than the idle timeout; how many.</summary>
    public int CloseIdle()
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
