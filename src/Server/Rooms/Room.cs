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
    private readonly List<RoomQuestion> _questions = [];
    private readonly Dictionary<int, Dictionary<string, int>> _answers = [];
    private readonly HashSet<int> _revealed = [];
    private readonly Dictionary<string, Queue<DateTimeOffset>> _answerTimes = [];
    private string? _presenter;
    private string? _currentTraceId;
    private bool _attendeesMayTrace;

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

    /// <summary>The presenter lets attendees trace on their own beside the room's trace, or not.</summary>
    public void AllowOwnTraces(bool allowed)
    {
        lock (_lock)
            _attendeesMayTrace = allowed;
    }

    /// <summary>Attendees connected.</summary>
    public int AttendeeCount
    {
        get
        {
            lock (_lock)
                return _attendees.Count;
        }
    }

    /// <summary>The presenter's connection, if connected.</summary>
    public string? PresenterConnection
    {
        get
        {
            lock (_lock)
                return _presenter;
        }
    }

    /// <summary>Asks a question; null when the room asked as many as it may.</summary>
    public RoomQuestion? Ask(string text, IReadOnlyList<string> choices, string? kind, int maxQuestions, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_questions.Count >= maxQuestions)
                return null;
            var question = new RoomQuestion(_questions.Count + 1, text, choices, kind);
            _questions.Add(question);
            _answers[question.Id] = [];
            LastActivity = now;
            return question;
        }
    }

    /// <summary>An attendee's answer (a later one replaces an earlier); the refusal when it is not taken.</summary>
    public string? Answer(string connectionId, int questionId, int choice, int perMinute, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_attendees.Contains(connectionId))
                return "Join the room first.";
            if (questionId < 1 || questionId > _questions.Count || choice < 0 || choice >= _questions[questionId - 1].Choices.Count)
                return "No such question or answer.";
            if (_revealed.Contains(questionId))
                return "The answer was revealed already.";
            var times = _answerTimes.TryGetValue(connectionId, out var queue) ? queue : _answerTimes[connectionId] = new Queue<DateTimeOffset>();
            while (times.Count > 0 && now - times.Peek() >= TimeSpan.FromMinutes(1))
                times.Dequeue();
            if (times.Count >= perMinute)
                return $"At most {perMinute} answers a minute.";
            times.Enqueue(now);
            _answers[questionId][connectionId] = choice;
            return null;
        }
    }

    /// <summary>The answers to a question so far; at the reveal (<paramref name="reveal"/>), with the right one where
    /// the current trace tells it. Null for an unknown question.</summary>
    public RoomTally? Tally(int questionId, bool reveal = false)
    {
        lock (_lock)
        {
            if (questionId < 1 || questionId > _questions.Count)
                return null;
            var question = _questions[questionId - 1];
            var counts = new int[question.Choices.Count];
            foreach (var choice in _answers[questionId].Values)
                counts[choice]++;
            if (reveal)
                _revealed.Add(questionId);
            var (right, why) = _revealed.Contains(questionId) ? RoomAnswers.Judge(question.Kind, _current) : (null, null);
            return new RoomTally(questionId, counts, _revealed.Contains(questionId), right, why);
        }
    }

    /// <summary>The room as anyone may see it.</summary>
    public RoomState State()
    {
        lock (_lock)
            return new RoomState(Code, Title, _presenter is not null, _attendees.Count, [.. _traces], _attendeesMayTrace);
    }

    /// <summary>The room and its current trace so far.</summary>
    public RoomSnapshot Snapshot()
    {
        lock (_lock)
            return new RoomSnapshot(new RoomState(Code, Title, _presenter is not null, _attendees.Count, [.. _traces], _attendeesMayTrace), _currentTraceId, [.. _current]);
    }
}
