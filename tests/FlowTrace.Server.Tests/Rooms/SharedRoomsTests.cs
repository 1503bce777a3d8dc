using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Rooms;
using FlowTrace.Contracts.Storage;
using FlowTrace.Server.Rooms;
using FlowTrace.Server.Tests.Storage;
using FlowTrace.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR.Client;

namespace FlowTrace.Server.Tests.Rooms;

/// <summary>
/// Two server instances sharing rooms over a real redis-server (SignalR's Redis backplane, the rooms' state in Redis)
/// and their history in a real PostgreSQL: the presenter on instance A, attendees on instance B.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedRoomsTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("flowtrace-rooms-");
    private RedisServer _redis = null!;
    private WebApplication _a = null!;
    private WebApplication _b = null!;

    private Uri A => new(_a.Urls.First());

    private Uri B => new(_b.Urls.First());

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        var traces = await postgres.NewDatabaseAsync();
        _a = await StartAsync(traces);
        _b = await StartAsync(traces);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _redis.DisposeAsync();
        _data.Delete(recursive: true);
    }

    private async Task<WebApplication> StartAsync(string traces)
    {
        var app = FlowTraceServer.Build(
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Testing", $"--ConnectionStrings:Traces={traces}",
            $"--ConnectionStrings:Redis={_redis.ConnectionString}", .. ServerArguments.LabOnFreePorts, .. ServerArguments.StorageIn(_data.FullName),
        ]);
        await app.StartAsync();
        return app;
    }

    private static async Task<RoomCreated> OpenAsync(Uri server)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var response = await http.PostAsJsonAsync("/api/rooms", new CreateRoomMessage { Title = "Two instances" }, TraceJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RoomCreated>(TraceJson.Options))!;
    }

    [Fact]
    public async Task PresenterOnA_AttendeeOnB_EveryEventQuestionKeptTraceAndLateJoinerCrossOver()
    {
        var room = await OpenAsync(A);
        await using var presenter = await ServerClient.ConnectAsync(A, RoomHub.Path);
        var tallies = Channel.CreateUnbounded<RoomTally>();
        presenter.On<RoomTally>(RoomHub.TallyMethod, t => tallies.Writer.TryWrite(t));
        await presenter.InvokeAsync<RoomSnapshot>("Present", room.Code, room.PresenterKey);
        await using var attendee = await Attendee.JoinAsync(B, room.Code);

        var url = await ServerClient.LabUrlAsync(A, "www");
        var traced = new List<TraceEvent>();
        await foreach (var e in presenter.StreamAsync<TraceEvent>("Trace", room.Code, room.PresenterKey, new TraceRequestMessage { Url = url }, "shared-1"))
            traced.Add(e);
        Assert.IsType<TraceSummary>(traced[^1].Details);

        // Every event reached instance B's attendee, in order, and the kept trace is read from B (one PostgreSQL).
        Assert.Equal(traced.Select(TraceJson.Serialize), await attendee.ReadEventsAsync(traced.Count));
        var storedId = await attendee.Kept.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        using var http = new HttpClient { BaseAddress = B };
        var stored = await http.GetFromJsonAsync<StoredTrace>($"/api/traces/{storedId}", TraceJson.Options);
        Assert.Equal(traced.Count, stored!.Events.Count);
        var state = await http.GetFromJsonAsync<RoomState>($"/api/rooms/{room.Code}", TraceJson.Options);
        Assert.Equal((true, 1, storedId), (state!.PresenterConnected, state.Attendees, Assert.Single(state.Traces)));

        // A question asked on A is answered on B; the presenter on A sees the tally; the reveal reaches B.
        var question = await presenter.InvokeAsync<RoomQuestion>("Ask", room.Code, room.PresenterKey, RoomQuestionKinds.TlsRoundTrips, null, null);
        Assert.Equal(question.Id, (await attendee.Questions.Reader.ReadAsync().AsTask().WaitAsync(Wait)).Id);
        await attendee.Connection.InvokeAsync("Answer", room.Code, question.Id, 0);
        var tally = await tallies.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal(1, tally.Counts[0]);
        await presenter.InvokeAsync<RoomTally>("Reveal", room.Code, room.PresenterKey, question.Id);
        var reveal = await attendee.Reveals.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal(0, reveal.Right);

        // The presenter on A lets attendees trace on their own: B's attendee is told, and B's state says so.
        var allowed = new TaskCompletionSource<bool>();
        attendee.Connection.On<bool>(RoomHub.OwnTracesMethod, a => allowed.TrySetResult(a));
        await presenter.InvokeAsync("AllowOwnTraces", room.Code, room.PresenterKey, true);
        Assert.True(await allowed.Task.WaitAsync(Wait));

        // A late joiner on B catches up from Redis: the whole trace, and the kept one.
        await using var late = await Attendee.JoinAsync(B, room.Code);
        Assert.Equal(traced.Select(TraceJson.Serialize), late.Snapshot.CurrentEvents.Select(TraceJson.Serialize));
        Assert.Equal([storedId], late.Snapshot.State.Traces);
        Assert.True(late.Snapshot.State.AttendeesMayTrace);
    }

    [Fact]
    public async Task RedisGoneMidTrace_PresentersInstanceKeepsFollowing_OthersToldBehindThenCatchUpWithNothingLost()
    {
        var room = await OpenAsync(A);
        await using var presenter = await ServerClient.ConnectAsync(A, RoomHub.Path);
        await presenter.InvokeAsync<RoomSnapshot>("Present", room.Code, room.PresenterKey);
        await using var onA = await Attendee.JoinAsync(A, room.Code);
        await using var onB = await Attendee.JoinAsync(B, room.Code);

        var url = await ServerClient.LabUrlAsync(A, "www");
        var traced = new List<TraceEvent>();
        await using var stream = presenter.StreamAsync<TraceEvent>("Trace", room.Code, room.PresenterKey, new TraceRequestMessage { Url = url, StepMode = true }, "shared-2").GetAsyncEnumerator();
        // The first step, with Redis there: both attendees have it.
        while (await stream.MoveNextAsync())
        {
            traced.Add(stream.Current);
            if (stream.Current.Details is StepPausedDetails)
                break;
        }

        await onB.ReadEventsAsync(traced.Count);
        await onA.ReadEventsAsync(traced.Count);

        // Redis goes away: the presenter goes on through every step.
        await _redis.StopAsync();
        await onB.Behind.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        while (true)
        {
            var paused = traced[^1].Details is StepPausedDetails;
            if (paused)
                await presenter.InvokeAsync<bool>("NextStep", room.Code, room.PresenterKey, "shared-2");
            if (!await stream.MoveNextAsync())
                break;
            traced.Add(stream.Current);
        }

        Assert.IsType<TraceSummary>(traced[^1].Details);
        // What needs the room's shared state fails with words, not as an unexpected error.
        var unavailable = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => onB.Connection.InvokeAsync<RoomSnapshot>("Join", room.Code));
        Assert.EndsWith(RoomsUnavailable.Message, unavailable.Message, StringComparison.Ordinal);
        // The attendee on the presenter's instance followed every event without Redis.
        Assert.Equal(traced.Select(TraceJson.Serialize), await onA.ReadEventsAsync(traced.Count));
        Assert.True(onB.EventCount < traced.Count, "the attendee on B cannot have heard the room without Redis");

        // Redis returns (empty: it kept nothing): B is told to catch up, and joining again gives it the whole trace.
        await _redis.StartAgainAsync();
        await onB.Resync.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        RoomSnapshot? caughtUp = null;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            try
            {
                caughtUp = await onB.Connection.InvokeAsync<RoomSnapshot>("Join", room.Code);
                if (caughtUp.CurrentEvents.Count == traced.Count)
                    break;
            }
            catch (Microsoft.AspNetCore.SignalR.HubException)
            {
                // The room is written back by the presenter's instance a moment after Redis returns.
            }

            await Task.Delay(250);
        }

        Assert.NotNull(caughtUp);
        Assert.Equal(traced.Select(TraceJson.Serialize), caughtUp.CurrentEvents.Select(TraceJson.Serialize));
        Assert.Equal("shared-2", caughtUp.CurrentTraceId);
        Assert.Single(caughtUp.State.Traces);
    }

    [Fact]
    public async Task Healthz_RedisConfigured_CheckedBesideTheStoreAndDegradedWhileAway()
    {
        using var http = new HttpClient { BaseAddress = A };
        static async Task<Dictionary<string, string>> ChecksAsync(HttpClient http)
        {
            using var response = await http.GetAsync(FlowTrace.Server.Operations.OperationsSetup.HealthPath);
            using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return body.RootElement.GetProperty("checks").EnumerateArray()
                .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!);
        }

        Assert.Equal(new Dictionary<string, string> { ["storage"] = "Healthy", ["redis"] = "Healthy" }, await ChecksAsync(http));
        await _redis.StopAsync();
        // Away, the instance still serves on its own: degraded, not unhealthy (a load balancer keeps it).
        Assert.Equal("Degraded", (await ChecksAsync(http))["redis"]);
        await _redis.StartAgainAsync();
    }

    /// <summary>A room's attendee: joined on one instance, its room messages collected as they arrive.</summary>
    private sealed class Attendee : IAsyncDisposable
    {
        private readonly Channel<TraceEvent> _events = Channel.CreateUnbounded<TraceEvent>();
        private int _count;

        private Attendee(HubConnection connection) => Connection = connection;

        public HubConnection Connection { get; }

        public RoomSnapshot Snapshot { get; private set; } = null!;

        public Channel<string> Kept { get; } = Channel.CreateUnbounded<string>();

        public Channel<RoomQuestion> Questions { get; } = Channel.CreateUnbounded<RoomQuestion>();

        public Channel<RoomTally> Reveals { get; } = Channel.CreateUnbounded<RoomTally>();

        public Channel<bool> Behind { get; } = Channel.CreateUnbounded<bool>();

        public Channel<bool> Resync { get; } = Channel.CreateUnbounded<bool>();

        public int EventCount => Volatile.Read(ref _count);

        public static async Task<Attendee> JoinAsync(Uri server, string code)
        {
            var attendee = new Attendee(await ServerClient.ConnectAsync(server, RoomHub.Path));
            var connection = attendee.Connection;
            connection.On<string, TraceEvent>(RoomHub.EventMethod, (_, e) =>
            {
                Interlocked.Increment(ref attendee._count);
                attendee._events.Writer.TryWrite(e);
            });
            connection.On<string, string>(RoomHub.TraceKeptMethod, (_, id) => attendee.Kept.Writer.TryWrite(id));
            connection.On<RoomQuestion>(RoomHub.QuestionMethod, q => attendee.Questions.Writer.TryWrite(q));
            connection.On<RoomTally>(RoomHub.RevealMethod, t => attendee.Reveals.Writer.TryWrite(t));
            connection.On(RoomHub.BehindMethod, () => attendee.Behind.Writer.TryWrite(true));
            connection.On(RoomHub.ResyncMethod, () => attendee.Resync.Writer.TryWrite(true));
            attendee.Snapshot = await connection.InvokeAsync<RoomSnapshot>("Join", code);
            return attendee;
        }

        /// <summary>The room events received so far, as JSON, once there are <paramref name="count"/>.</summary>
        public async Task<IReadOnlyList<string>> ReadEventsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(Wait);
            var read = new List<string>();
            while (read.Count < count - _consumed)
                read.Add(TraceJson.Serialize(await _events.Reader.ReadAsync(timeout.Token)));
            _seen.AddRange(read);
            _consumed = _seen.Count;
            return [.. _seen];
        }

        private readonly List<string> _seen = [];
        private int _consumed;

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }
}
