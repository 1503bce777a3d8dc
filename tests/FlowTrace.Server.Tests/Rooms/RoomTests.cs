using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Rooms;
using FlowTrace.Server.Rooms;
using FlowTrace.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace FlowTrace.Server.Tests.Rooms;

[Collection(ServerCollection.Name)]
public sealed class RoomTests(ServerFixture server)
{
    private async Task<RoomCreated> OpenAsync(string title = "TLS in depth")
    {
        using var http = server.Http();
        using var response = await http.PostAsJsonAsync("/api/rooms", new CreateRoomMessage { Title = title }, TraceJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RoomCreated>(TraceJson.Options))!;
    }

    private Task<HubConnection> RoomConnectionAsync() => ServerClient.ConnectAsync(server.BaseAddress, RoomHub.Path);

    /// <summary>An attendee: joined, its room events collected as they arrive.</summary>
    private async Task<(HubConnection Connection, Channel<TraceEvent> Events, RoomSnapshot Snapshot)> AttendAsync(string code)
    {
        var connection = await RoomConnectionAsync();
        var events = Channel.CreateUnbounded<TraceEvent>();
        connection.On<string, TraceEvent>(RoomHub.EventMethod, (_, e) => events.Writer.TryWrite(e));
        var snapshot = await connection.InvokeAsync<RoomSnapshot>("Join", code);
        return (connection, events, snapshot);
    }

    [Fact]
    public async Task Open_Api_ShortCodeSecretKeyAndJoinUrl_StateWithoutTheKey()
    {
        var room = await OpenAsync();
        Assert.Matches($"^[{RoomCodes.Alphabet}]{{6}}$", room.Code);
        Assert.Equal(22, room.PresenterKey.Length);
        Assert.Equal(new Uri(server.BaseAddress, $"/r/{room.Code}").ToString(), room.JoinUrl);
        using var http = server.Http();
        var text = await http.GetStringAsync($"/api/rooms/{room.Code.ToLowerInvariant()}");
        Assert.DoesNotContain(room.PresenterKey, text, StringComparison.Ordinal);
        var state = System.Text.Json.JsonSerializer.Deserialize<RoomState>(text, TraceJson.Options)!;
        Assert.Equal((room.Code, "TLS in depth", false, 0), (state.Code, state.Title, state.PresenterConnected, state.Attendees));
        var svg = await http.GetStringAsync($"/api/rooms/{room.Code}/qr.svg");
        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("<path", svg, StringComparison.Ordinal);
        using var missing = await http.GetAsync("/api/rooms/ZZZZZZ");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task PresenterTrace_TwoAttendees_EachGetsEveryEventInOrder()
    {
        var room = await OpenAsync();
        var (alice, aliceEvents, _) = await AttendAsync(room.Code);
        var (bob, bobEvents, _) = await AttendAsync(room.Code);
        await using var presenter = await RoomConnectionAsync();
        var url = await server.LabUrlAsync("redirect");
        var sent = new List<TraceEvent>();
        await foreach (var e in presenter.StreamAsync<TraceEvent>("Trace", room.Code, room.PresenterKey, new TraceRequestMessage { Url = url }, "room-trace-1"))
            sent.Add(e);
        foreach (var events in new[] { aliceEvents, bobEvents })
        {
            var received = new List<TraceEvent>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (received.Count < sent.Count)
                received.Add(await events.Reader.ReadAsync(timeout.Token));
            Assert.Equal(sent.Select(TraceJson.Serialize), received.Select(TraceJson.Serialize));
        }

        using var http = server.Http();
        var state = await http.GetFromJsonAsync<RoomState>($"/api/rooms/{room.Code}", TraceJson.Options);
        Assert.Equal(2, state!.Attendees);
        Assert.True(state.PresenterConnected);
        // The finished trace is kept and listed: a late joiner opens the room's earlier traces from here.
        var kept = Assert.Single(state.Traces);
        var stored = await http.GetFromJsonAsync<FlowTrace.Contracts.Storage.StoredTrace>($"/api/traces/{kept}", TraceJson.Options);
        Assert.Equal(sent.Count, stored!.Events.Count);
        await alice.DisposeAsync();
        await bob.DisposeAsync();
    }

    [Fact]
    public async Task StepMode_LateJoiner_CatchesUpThenAdvancesWithTheRoom()
    {
        var room = await OpenAsync();
        await using var presenter = await RoomConnectionAsync();
        var url = await server.LabUrlAsync("www");
        var stream = presenter.StreamAsync<TraceEvent>("Trace", room.Code, room.PresenterKey, new TraceRequestMessage { Url = url, StepMode = true }, "room-step").GetAsyncEnumerator();
        // Run to the first pause.
        while (await stream.MoveNextAsync() && stream.Current.Details is not StepPausedDetails)
        {
        }

        var (late, lateEvents, snapshot) = await AttendAsync(room.Code);
        Assert.Equal("room-step", snapshot.CurrentTraceId);
        Assert.Contains(snapshot.CurrentEvents, e => e.Step == TraceStep.Dns && e.Kind == TraceEventKind.Completed);
        Assert.IsType<StepPausedDetails>(snapshot.CurrentEvents[^1].Details);

        Assert.True(await presenter.InvokeAsync<bool>("NextStep", room.Code, room.PresenterKey, "room-step"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        TraceEvent next;
        do
            next = await lateEvents.Reader.ReadAsync(timeout.Token);
        while (!(next.Step == TraceStep.Tcp && next.Kind == TraceEventKind.Completed));
        await stream.DisposeAsync();
        await late.DisposeAsync();
    }

    [Fact]
    public async Task ControlMethods_NotThePresenter_RefusedAlikeForAWrongKeyAndAnUnknownRoom()
    {
        var room = await OpenAsync();
        var (attendee, _, _) = await AttendAsync(room.Code);
        var url = await server.LabUrlAsync("www");
        async Task RefusedAsync(Func<Task> call)
        {
            var error = await Assert.ThrowsAsync<HubException>(call);
            Assert.EndsWith(RoomHub.NotPresenter, error.Message, StringComparison.Ordinal);
        }

        async Task TraceAsync(string code, string key)
        {
            await foreach (var unused in attendee.StreamAsync<TraceEvent>("Trace", code, key, new TraceRequestMessage { Url = url }, "attempt"))
            {
            }
        }

        await RefusedAsync(() => TraceAsync(room.Code, "guessed-key-guessed-key"));
        await RefusedAsync(() => TraceAsync(room.Code, ""));
        await RefusedAsync(() => TraceAsync("ZZZZZZ", room.PresenterKey));
        await RefusedAsync(() => attendee.InvokeAsync<bool>("NextStep", room.Code, "wrong", "attempt"));
        await RefusedAsync(() => attendee.InvokeAsync<RoomSnapshot>("Present", room.Code, room.PresenterKey[..^1] + "x"));
        await RefusedAsync(() => attendee.InvokeAsync("AllowOwnTraces", room.Code, "wrong", true));
        var unknown = await Assert.ThrowsAsync<HubException>(() => attendee.InvokeAsync<RoomSnapshot>("Join", "ZZZZZZ"));
        Assert.EndsWith(RoomHub.NoSuchRoom, unknown.Message, StringComparison.Ordinal);
        await attendee.DisposeAsync();
    }

    [Fact]
    public async Task Present_UnknownRoomAgainstWrongKey_NeitherWordsNorTimeTellThemApart()
    {
        var room = await OpenAsync();
        await using var guesser = await RoomConnectionAsync();
        async Task<(string Message, double Ms)> GuessAsync(string code)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<HubException>(() => guesser.InvokeAsync<RoomSnapshot>("Present", code, "guessed-key-guessed-key"));
            return (error.Message, clock.Elapsed.TotalMilliseconds);
        }

        // Warm both paths, then alternate so that a busy moment falls on both alike.
        await GuessAsync(room.Code);
        await GuessAsync("ZZZZZZ");
        var known = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            var (knownMessage, knownMs) = await GuessAsync(room.Code);
            var (unknownMessage, unknownMs) = await GuessAsync("ZZZZZZ");
            Assert.Equal(knownMessage, unknownMessage);
            known.Add(knownMs);
            unknown.Add(unknownMs);
        }

        // The same work either way (a lookup, then one constant-time comparison or none): the medians are alike, well
        // within the noise of a hub round trip, where a code that exists would stand out if it took a database or a
        // hash the unknown one skipped.
        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var ratio = Median(known) / Median(unknown);
        Assert.InRange(ratio, 1 / 3.0, 3.0);
    }

    [Fact]
    public async Task AllowOwnTraces_ThePresenter_AttendeesToldAndStateSaysSo()
    {
        var room = await OpenAsync();
        await using var presenter = await RoomConnectionAsync();
        await presenter.InvokeAsync<RoomSnapshot>("Present", room.Code, room.PresenterKey);
        var (attendee, _, snapshot) = await AttendAsync(room.Code);
        Assert.False(snapshot.State.AttendeesMayTrace);
        var told = new TaskCompletionSource<bool>();
        attendee.On<bool>(RoomHub.OwnTracesMethod, allowed => told.TrySetResult(allowed));
        await presenter.InvokeAsync("AllowOwnTraces", room.Code, room.PresenterKey, true);
        Assert.True(await told.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        using var http = server.Http();
        Assert.True((await http.GetFromJsonAsync<RoomState>($"/api/rooms/{room.Code}", TraceJson.Options))!.AttendeesMayTrace);
        // A late joiner reads it from the room.
        var (late, _, lateSnapshot) = await AttendAsync(room.Code);
        Assert.True(lateSnapshot.State.AttendeesMayTrace);
        await late.DisposeAsync();
        await attendee.DisposeAsync();
    }

    [Fact]
    public async Task Open_MoreThanMaxRooms_RefusedWithTheReason()
    {
        await using var app = FlowTraceServer.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing", "--FlowTrace:Rooms:MaxRooms=1", "--FlowTrace:Storage:Enabled=false", .. ServerArguments.LabOnFreePorts]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var first = await http.PostAsJsonAsync("/api/rooms", new CreateRoomMessage(), TraceJson.Options);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var second = await http.PostAsJsonAsync("/api/rooms", new CreateRoomMessage(), TraceJson.Options);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Contains("the most it holds", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await app.StopAsync();
    }
}
