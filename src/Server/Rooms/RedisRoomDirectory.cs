using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Rooms;
using FlowTrace.Server.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FlowTrace.Server.Rooms;

/// <summary>
/// Rooms in Redis, shared by every server instance (<c>ConnectionStrings:Redis</c>): a hash per room (title, the
/// presenter key's SHA-256, the presenter's connection, the current trace), sets of attendees and revealed questions,
/// lists of the current trace's events, the kept traces and the questions, a hash of answers per question, and a sorted
/// set of every room by last activity (the room count and idle closing).
/// </summary>
/// <remarks>
/// The instance that presents a room also keeps that room's current trace in memory (<see cref="PresentedRoom"/>): while
/// Redis is away the presenter goes on (the key is checked here, the events are kept here), and when Redis returns
/// <see cref="RestoreAsync"/> writes what it missed, so that every attendee catches up with nothing lost. Writes for the
/// current trace are not awaited (a trace never waits for Redis) and are skipped while Redis is unreachable.
/// </remarks>
public sealed class RedisRoomDirectory : IRoomDirectory
{
    private const string Index = "flowtrace:rooms";
    private readonly IConnectionMultiplexer _redis;
    private readonly IOptions<RoomOptions> _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, PresentedRoom> _presented = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HashSet<string>> _connectionRooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _answerTimes = new(StringComparer.Ordinal);
    private int _localAttendees;

    /// <param name="redis">The server's Redis connection.</param>
    /// <param name="options">Room limits.</param>
    /// <param name="time">The clock.</param>
    public RedisRoomDirectory(IConnectionMultiplexer redis, IOptions<RoomOptions> options, TimeProvider time)
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _options = options;
        _time = time;
    }

    /// <summary>Rooms open across every instance, as last read (the gauge must not wait for Redis).</summary>
    public int OpenRooms { get; private set; }

    /// <inheritdoc />
    public int Attendees => Volatile.Read(ref _localAttendees);

    private IDatabase Db => _redis.GetDatabase();

    /// <summary>Whether Redis can be written now.</summary>
    public bool Connected => _redis.IsConnected;

    /// <summary>The rooms presented from this instance, whose state it keeps.</summary>
    public IEnumerable<string> PresentedCodes => _presented.Keys;

    /// <inheritdoc />
    public async Task<RoomOpening> OpenAsync(string? title, CancellationToken cancellationToken)
    {
        var max = _options.Value.MaxRooms;
        var open = await Db.SortedSetLengthAsync(Index).ConfigureAwait(false);
        OpenRooms = (int)open;
        if (open >= max)
            return new RoomOpening(null, null, RoomLimits.TooManyRooms(max));
        var key = TraceIds.New();
        var hash = Convert.ToBase64String(Hash(key));
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        while (true)
        {
            var code = RoomCodes.New();
            var transaction = Db.CreateTransaction();
            transaction.AddCondition(Condition.KeyNotExists(Room(code)));
            _ = transaction.HashSetAsync(Room(code), [new("title", RoomLimits.Title(title)), new("key", hash), new("activity", now)]);
            _ = transaction.SortedSetAddAsync(Index, code, now);
            if (await transaction.ExecuteAsync().ConfigureAwait(false))
            {
                _presented[code] = new PresentedRoom(RoomLimits.Title(title), Hash(key));
                return new RoomOpening(code, key, null);
            }
        }
    }

    /// <inheritdoc />
    public async Task<RoomState?> StateAsync(string? code, CancellationToken cancellationToken) =>
        RoomCodes.Normalise(code) is { } normal ? await ReadStateAsync(normal).ConfigureAwait(false) : null;

    /// <inheritdoc />
    public async Task<RoomSnapshot?> SnapshotAsync(string? code, CancellationToken cancellationToken)
    {
        if (RoomCodes.Normalise(code) is not { } normal || await ReadStateAsync(normal).ConfigureAwait(false) is not { } state)
            return null;
        var current = await Db.HashGetAsync(Room(normal), "current").ConfigureAwait(false);
        return new RoomSnapshot(state, current.IsNullOrEmpty ? null : current.ToString(), await EventsAsync(normal).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<bool> IsPresenterAsync(string? code, string? key, CancellationToken cancellationToken)
    {
        if (key is null || RoomCodes.Normalise(code) is not { } normal)
            return false;
        byte[]? hash;
        if (_presented.TryGetValue(normal, out var presented))
            hash = presented.KeyHash;
        else
        {
            var stored = await Db.HashGetAsync(Room(normal), "key").ConfigureAwait(false);
            hash = stored.IsNullOrEmpty ? null : Convert.FromBase64String(stored.ToString());
        }

        return hash is not null && CryptographicOperations.FixedTimeEquals(hash, Hash(key));
    }

    /// <inheritdoc />
    public async Task<RoomJoin> JoinAsync(string code, string connectionId, CancellationToken cancellationToken)
    {
        // Checked first: an attendee set for a room that does not exist would outlive every idle closing.
        if (!await Db.KeyExistsAsync(Room(code)).ConfigureAwait(false))
            return RoomJoin.NoSuchRoom;
        var attendees = AttendeesKey(code);
        var added = await Db.SetAddAsync(attendees, connectionId).ConfigureAwait(false);
        if (await Db.SetLengthAsync(attendees).ConfigureAwait(false) > _options.Value.MaxAttendeesPerRoom)
        {
            if (added)
                await Db.SetRemoveAsync(attendees, connectionId).ConfigureAwait(false);
            return RoomJoin.Full;
        }

        var rooms = _connectionRooms.GetOrAdd(connectionId, _ => []);
        lock (rooms)
        {
            if (rooms.Add(code))
                Interlocked.Increment(ref _localAttendees);
        }

        await TouchAsync(code).ConfigureAwait(false);
        return RoomJoin.Joined;
    }

    /// <inheritdoc />
    public async Task PresentAsync(string code, string connectionId, CancellationToken cancellationToken)
    {
        if (!_presented.ContainsKey(code))
        {
            // Presenting from this instance (a reload that landed here): keep the room's key and current trace here too.
            var room = await Db.HashGetAsync(Room(code), ["key", "current", "title"]).ConfigureAwait(false);
            if (room[0].IsNullOrEmpty)
                return;
            var presented = new PresentedRoom(room[2].ToString(), Convert.FromBase64String(room[0].ToString()));
            presented.Start(room[1].IsNullOrEmpty ? null : room[1].ToString(), await EventsAsync(code).ConfigureAwait(false));
            foreach (var kept in await Db.ListRangeAsync(Traces(code)).ConfigureAwait(false))
                presented.Kept(kept.ToString());
            _presented.TryAdd(code, presented);
        }

        _presented[code].Connection = connectionId;
        var rooms = _connectionRooms.GetOrAdd(connectionId, _ => []);
        lock (rooms)
            rooms.Add(code);
        if (Connected)
        {
            await Db.HashSetAsync(Room(code), "presenter", connectionId).ConfigureAwait(false);
            await TouchAsync(code).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task LeaveAsync(string connectionId, CancellationToken cancellationToken)
    {
        _answerTimes.TryRemove(connectionId, out _);
        if (!_connectionRooms.TryRemove(connectionId, out var rooms))
            return;
        string[] codes;
        lock (rooms)
            codes = [.. rooms];
        foreach (var code in codes)
        {
            if (_presented.TryGetValue(code, out var presented) && presented.Connection == connectionId)
            {
                presented.Connection = null;
                if (Connected)
                    await Db.HashDeleteAsync(Room(code), "presenter").ConfigureAwait(false);
            }
            else
            {
                Interlocked.Decrement(ref _localAttendees);
                if (Connected)
                    await Db.SetRemoveAsync(AttendeesKey(code), connectionId).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async Task<string?> PresenterConnectionAsync(string code, CancellationToken cancellationToken)
    {
        var presenter = await Db.HashGetAsync(Room(code), "presenter").ConfigureAwait(false);
        return presenter.IsNullOrEmpty ? null : presenter.ToString();
    }

    /// <inheritdoc />
    public Task TraceStartedAsync(string code, string traceId, CancellationToken cancellationToken)
    {
        if (_presented.TryGetValue(code, out var presented))
            presented.Start(traceId, []);
        if (Connected)
        {
            var transaction = Db.CreateTransaction();
            _ = transaction.HashSetAsync(Room(code), [new("current", traceId), new("activity", _time.GetUtcNow().ToUnixTimeMilliseconds())]);
            _ = transaction.KeyDeleteAsync(Events(code));
            _ = transaction.ExecuteAsync(CommandFlags.FireAndForget);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AddEventAsync(string code, TraceEvent traceEvent, CancellationToken cancellationToken)
    {
        _presented.GetValueOrDefault(code)?.Add(traceEvent);
        if (Connected)
            Db.ListRightPush(Events(code), TraceJson.Serialize(traceEvent), flags: CommandFlags.FireAndForget);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task KeptAsync(string code, string storedId, CancellationToken cancellationToken)
    {
        _presented.GetValueOrDefault(code)?.Kept(storedId);
        if (Connected)
            Db.ListRightPush(Traces(code), storedId, flags: CommandFlags.FireAndForget);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<RoomQuestion?> AskAsync(string code, string text, IReadOnlyList<string> choices, string? kind, CancellationToken cancellationToken)
    {
        if (await Db.ListLengthAsync(Questions(code)).ConfigureAwait(false) >= _options.Value.MaxQuestionsPerRoom)
            return null;
        var asked = new RoomQuestion(0, text, choices, kind);
        var id = (int)await Db.ListRightPushAsync(Questions(code), JsonSerializer.Serialize(asked, TraceJson.TypeInfo<RoomQuestion>())).ConfigureAwait(false);
        await TouchAsync(code).ConfigureAwait(false);
        return asked with { Id = id };
    }

    /// <inheritdoc />
    public async Task<string?> AnswerAsync(string code, string connectionId, int questionId, int choice, CancellationToken cancellationToken)
    {
        if (!await Db.SetContainsAsync(AttendeesKey(code), connectionId).ConfigureAwait(false))
            return "Join the room first.";
        if (questionId < 1 || await QuestionAsync(code, questionId).ConfigureAwait(false) is not { } question || choice < 0 || choice >= question.Choices.Count)
            return "No such question or answer.";
        if (await Db.SetContainsAsync(Revealed(code), questionId).ConfigureAwait(false))
            return "The answer was revealed already.";
        // An attendee is connected to one instance, so the rate is counted here.
        var perMinute = _options.Value.AnswersPerMinutePerAttendee;
        var now = _time.GetUtcNow();
        var times = _answerTimes.GetOrAdd(connectionId, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            while (times.Count > 0 && now - times.Peek() >= TimeSpan.FromMinutes(1))
                times.Dequeue();
            if (times.Count >= perMinute)
                return $"At most {perMinute} answers a minute.";
            times.Enqueue(now);
        }

        await Db.HashSetAsync(Answers(code, questionId), connectionId, choice).ConfigureAwait(false);
        return null;
    }

    /// <inheritdoc />
    public async Task<RoomTally?> TallyAsync(string code, int questionId, bool reveal, CancellationToken cancellationToken)
    {
        if (questionId < 1 || await QuestionAsync(code, questionId).ConfigureAwait(false) is not { } question)
            return null;
        if (reveal)
            await Db.SetAddAsync(Revealed(code), questionId).ConfigureAwait(false);
        var counts = new int[question.Choices.Count];
        foreach (var answer in await Db.HashValuesAsync(Answers(code, questionId)).ConfigureAwait(false))
        {
            if (answer.TryParse(out int choice) && choice >= 0 && choice < counts.Length)
                counts[choice]++;
        }

        var revealed = reveal || await Db.SetContainsAsync(Revealed(code), questionId).ConfigureAwait(false);
        var (right, why) = revealed ? RoomAnswers.Judge(question.Kind, await CurrentEventsAsync(code).ConfigureAwait(false)) : (null, null);
        return new RoomTally(questionId, counts, revealed, right, why);
    }

    /// <inheritdoc />
    public async Task AllowOwnTracesAsync(string code, bool allowed, CancellationToken cancellationToken) =>
        await Db.HashSetAsync(Room(code), "ownTraces", allowed ? 1 : 0).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<int> CloseIdleAsync(CancellationToken cancellationToken)
    {
        var before = (_time.GetUtcNow() - _options.Value.IdleTimeout).ToUnixTimeMilliseconds();
        var idle = await Db.SortedSetRangeByScoreAsync(Index, double.NegativeInfinity, before).ConfigureAwait(false);
        foreach (var value in idle)
        {
            var code = value.ToString();
            var questions = await Db.ListLengthAsync(Questions(code)).ConfigureAwait(false);
            RedisKey[] keys = [Room(code), AttendeesKey(code), Events(code), Traces(code), Questions(code), Revealed(code),
                .. Enumerable.Range(1, (int)questions).Select(q => Answers(code, q))];
            await Db.KeyDeleteAsync(keys).ConfigureAwait(false);
            await Db.SortedSetRemoveAsync(Index, code).ConfigureAwait(false);
            _presented.TryRemove(code, out _);
        }

        OpenRooms = (int)await Db.SortedSetLengthAsync(Index).ConfigureAwait(false);
        return idle.Length;
    }

    /// <summary>After Redis was away: writes what this instance's presented rooms did meanwhile (the presenter's
    /// connection, the current trace's events, the kept traces), replacing what Redis holds of them, and the room itself
    /// where Redis lost it (questions asked before are then gone: run Redis with persistence to keep them).</summary>
    /// <returns>The codes of the rooms written, whose attendees should now catch up.</returns>
    public async Task<IReadOnlyList<string>> RestoreAsync()
    {
        var restored = new List<string>();
        foreach (var (code, presented) in _presented)
        {
            var (traceId, events, traces, connection) = presented.Read();
            var transaction = Db.CreateTransaction();
            // A Redis that came back empty (no persistence) gets the room itself again; attendees join again on resync.
            _ = transaction.HashSetAsync(Room(code), "title", presented.Title, When.NotExists);
            _ = transaction.HashSetAsync(Room(code), "key", Convert.ToBase64String(presented.KeyHash), When.NotExists);
            _ = transaction.HashSetAsync(Room(code), "activity", _time.GetUtcNow().ToUnixTimeMilliseconds());
            _ = transaction.SortedSetAddAsync(Index, code, _time.GetUtcNow().ToUnixTimeMilliseconds());
            _ = connection is null ? transaction.HashDeleteAsync(Room(code), "presenter") : transaction.HashSetAsync(Room(code), "presenter", connection);
            if (traceId is not null)
                _ = transaction.HashSetAsync(Room(code), "current", traceId);
            _ = transaction.KeyDeleteAsync(Events(code));
            if (events.Count > 0)
                _ = transaction.ListRightPushAsync(Events(code), [.. events.Select(e => (RedisValue)TraceJson.Serialize(e))]);
            _ = transaction.KeyDeleteAsync(Traces(code));
            if (traces.Count > 0)
                _ = transaction.ListRightPushAsync(Traces(code), [.. traces.Select(t => (RedisValue)t)]);
            if (await transaction.ExecuteAsync().ConfigureAwait(false))
                restored.Add(code);
        }

        return restored;
    }

    /// <summary>Whether this instance presents <paramref name="code"/>'s room (its presenter is connected here).</summary>
    public bool PresentsHere(string code) => _presented.TryGetValue(code, out var presented) && presented.Connection is not null;

    private async Task<RoomState?> ReadStateAsync(string code)
    {
        var room = await Db.HashGetAsync(Room(code), ["title", "presenter", "ownTraces"]).ConfigureAwait(false);
        if (room[0].IsNullOrEmpty)
            return null;
        var attendees = await Db.SetLengthAsync(AttendeesKey(code)).ConfigureAwait(false);
        var traces = await Db.ListRangeAsync(Traces(code)).ConfigureAwait(false);
        return new RoomState(code, room[0].ToString(), !room[1].IsNullOrEmpty, (int)attendees, [.. traces.Select(t => t.ToString())], room[2] == 1);
    }

    private async Task<IReadOnlyList<TraceEvent>> EventsAsync(string code) =>
        [.. (await Db.ListRangeAsync(Events(code)).ConfigureAwait(false)).Select(e => TraceJson.Deserialize(e.ToString()))];

    /// <summary>The current trace's events: this instance's own copy where it presents the room, else Redis'.</summary>
    private async Task<IReadOnlyList<TraceEvent>> CurrentEventsAsync(string code) =>
        _presented.TryGetValue(code, out var presented) ? presented.Read().Events : await EventsAsync(code).ConfigureAwait(false);

    private async Task<RoomQuestion?> QuestionAsync(string code, int id)
    {
        var json = await Db.ListGetByIndexAsync(Questions(code), id - 1).ConfigureAwait(false);
        return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize(json.ToString(), TraceJson.TypeInfo<RoomQuestion>())! with { Id = id };
    }

    private async Task TouchAsync(string code)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await Db.HashSetAsync(Room(code), "activity", now).ConfigureAwait(false);
        await Db.SortedSetAddAsync(Index, code, now).ConfigureAwait(false);
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static RedisKey Room(string code) => $"flowtrace:room:{code}";

    private static RedisKey AttendeesKey(string code) => $"flowtrace:room:{code}:attendees";

    private static RedisKey Events(string code) => $"flowtrace:room:{code}:events";

    private static RedisKey Traces(string code) => $"flowtrace:room:{code}:traces";

    private static RedisKey Questions(string code) => $"flowtrace:room:{code}:questions";

    private static RedisKey Revealed(string code) => $"flowtrace:room:{code}:revealed";

    private static RedisKey Answers(string code, int question) => $"flowtrace:room:{code}:answers:{question.ToString(CultureInfo.InvariantCulture)}";
}
