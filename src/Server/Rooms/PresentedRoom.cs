using FlowTrace.Contracts.Events;

namespace FlowTrace.Server.Rooms;

/// <summary>What the presenting instance keeps of a room in Redis: the key's hash, the presenter's connection, the
/// current trace and the kept ones, so that it goes on while Redis is away and writes them back when it returns (the
/// room itself too, should Redis have come back empty).</summary>
internal sealed class PresentedRoom(string title, byte[] keyHash)
{
    private readonly Lock _lock = new();
    private readonly List<TraceEvent> _events = [];
    private readonly List<string> _traces = [];
    private string? _traceId;

    public string Title { get; } = title;

    public byte[] KeyHash { get; } = keyHash;

    public string? Connection { get; set; }

    public void Start(string? traceId, IReadOnlyList<TraceEvent> events)
    {
        lock (_lock)
        {
            _traceId = traceId;
            _events.Clear();
            _events.AddRange(events);
        }
    }

    public void Add(TraceEvent traceEvent)
    {
        lock (_lock)
            _events.Add(traceEvent);
    }

    public void Kept(string storedId)
    {
        lock (_lock)
            _traces.Add(storedId);
    }

    public (string? TraceId, IReadOnlyList<TraceEvent> Events, IReadOnlyList<string> Traces, string? Connection) Read()
    {
        lock (_lock)
            return (_traceId, [.. _events], [.. _traces], Connection);
    }
}
