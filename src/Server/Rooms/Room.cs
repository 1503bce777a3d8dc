using System.Security.Cryptography;
using System.Text;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Rooms;

namespace FlowTrace.Server.Rooms;

/// <summary>
/// One workshop room: its code, the hash of its presenter key, who is connected, and the presenter's current trace so far
/// (for late joiners). Every member is safe to call from several hub connections at once.
/// </summary>
public sealed class Room
{
    private readonly Lock _lock = new();
    private readonly byte[] _keyHash;
    private readonly HashSet<string> _attendees = [];
    private readonly List<TraceEvent> _current = [];
    private readonly List<string> _traces = [];
    private string? _presenter;
    private string? _currentTraceId;

    /// <param name="code">The join code.</param>
    /// <param name="title">The workshop's title.</param>
    /// <param name="presenterKey">The presenter's key; only its hash is kept.</param>
    /// <param name="now">When the room was opened.</param>
    public Room(string code, string title, string presenterKey, DateTimeOffset now)
    {
        Code = code;
        Title = title;
        _keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(presenterKey));
        LastActivity = now;
    }

    /// <summary>The join code.</summary>
    public string Code { get; }

    /// <summary>The workshop's title.</summary>
    public string Title { get; }

    /// <summary>When somebody last joined, presented or traced.</summary>
    public DateTimeOffset LastActivity { get; private set; }

    /// <summary>The SignalR group of the room's browsers.</summary>
    public string Group => $"room:{Code}";

    /// <summary>Whether <paramref name="key"/> is the presenter's, compared in constant time.</summary>
    public bool IsPresenterKey(string? key) =>
        key is not null && CryptographicOperations.FixedTimeEquals(_keyHash, SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Adds an attendee's connection; false when the room is full.</summary>
    public bool Join(string connectionId, int maxAttendees, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_attendees.Contains(connectionId) && _attendees.Count >= maxAttendees)
                return false;
            _attendees.Add(connectionId);
            LastActivity = now;
            return true;
        }
    }

    /// <summary>Makes <paramref name="connectionId"/> the presenter's connection.</summary>
    public void Present(string connectionId, DateTimeOffset now)
    {
        lock (_lock)
        {
            _presenter = connectionId;
            LastActivity = now;
        }
    }

    /// <summary>Forgets a connection that closed.</summary>
    public void Leave(string connectionId)
    {
        lock (_lock)
        {
            _attendees.Remove(connectionId);
            if (_presenter == connectionId)
                _presenter = null;
        }
    }

    /// <summary>The presenter starts a trace: late joiners see it from here.</summary>
    public void TraceStarted(string traceId, DateTimeOffset now)
    {
        lock (_lock)
        {
            _currentTraceId = traceId;
            _current.Clear();
            LastActivity = now;
        }
    }

    /// <summary>An event of the current trace.</summary>
    public void Add(TraceEvent traceEvent)
    {
        lock (_lock)
            _current.Add(traceEvent);
    }

    /// <summary>The current trace was kept under <paramref name="storedId"/>.</summary>
    public void Kept(string storedId)
    {
        lock (_lock)
            _traces.Add(storedId);
    }

    /// <summary>The room as anyone may see it.</summary>
    public RoomState State()
    {
        lock (_lock)
            return new RoomState(Code, Title, _presenter is not null, _attendees.Count, [.. _traces]);
    }

    /// <summary>The room and its current trace so far.</summary>
    public RoomSnapshot Snapshot()
    {
        lock (_lock)
            return new RoomSnapshot(new RoomState(Code, Title, _presenter is not null, _attendees.Count, [.. _traces]), _currentTraceId, [.. _current]);
    }
}
