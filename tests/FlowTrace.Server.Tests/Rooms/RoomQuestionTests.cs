using System.Net.Http.Json;
using System.Threading.Channels;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Rooms;
using FlowTrace.Server.Rooms;
using FlowTrace.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace FlowTrace.Server.Tests.Rooms;

/// <summary>Predict, then reveal: the presenter asks while the trace is paused, attendees answer, the reveal tells the
/// right answer from the trace itself.</summary>
[Collection(ServerCollection.Name)]
public sealed class RoomQuestionTests(ServerFixture server)
{
    private async Task<RoomCreated> OpenAsync()
    {
        using var http = server.Http();
        using var response = await http.PostAsJsonAsync("/api/rooms", new CreateRoomMessage(), TraceJson.Options);
        return (await response.Content.ReadFromJsonAsync<RoomCreated>(TraceJson.Options))!;
    }

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value, TraceJson.Options);

    private Task<HubConnection> ConnectAsync() => ServerClient.ConnectAsync(server.BaseAddress, RoomHub.Path);

    [Fact]
    public async Task AskAnswerReveal_TlsRoundTrips_TallyLiveThenTheTracesOwnAnswer()
    {
        var room = await OpenAsync();
        await using var presenter = await ConnectAsync();
        var tallies = Channel.CreateUnbounded<RoomTally>();
        presenter.On<RoomTally>(RoomHub.TallyMethod, t => tallies.Writer.TryWrite(t));
        await presenter.InvokeAsync<RoomSnapshot>("Present", room.Code, room.PresenterKey);
        await using var alice = await ConnectAsync();
        await using var bob = await ConnectAsync();
        var asked = new TaskCompletionSource<RoomQuestion>();
        var revealed = new TaskCompletionSource<RoomTally>();
        alice.On<RoomQuestion>(RoomHub.QuestionMethod, q => asked.TrySetResult(q));
        bob.On<RoomTally>(RoomHub.RevealMethod, t => revealed.TrySetResult(t));
        await alice.InvokeAsync<RoomSnapshot>("Join", room.Code);
        await bob.InvokeAsync<RoomSnapshot>("Join", room.Code);

        // Paused after TCP: the question is about the next step, TLS.
        var url = await server.LabUrlAsync("www");
        var stream = presenter.StreamAsync<TraceEvent>("Trace", room.Code, room.PresenterKey, new TraceRequestMessage { Url = url, StepMode = true }, "quiz").GetAsyncEnumerator();
        var pauses = 0;
        while (pauses < 2 && await stream.MoveNextAsync())
        {
            if (stream.Current.Details is StepPausedDetails)
                pauses++;
            if (pauses == 1 && stream.Current.Details is StepPausedDetails)
                await presenter.InvokeAsync<bool>("NextStep", room.Code, room.PresenterKey, "quiz");
        }

        var question = await presenter.InvokeAsync<RoomQuestion>("Ask", room.Code, room.PresenterKey, RoomQuestionKinds.TlsRoundTrips, null, null);
        Assert.Equal(Json(question), Json(await asked.Task.WaitAsync(TimeSpan.FromSeconds(10))));
        await alice.InvokeAsync("Answer", room.Code, question.Id, 0);
        await bob.InvokeAsync("Answer", room.Code, question.Id, 1);
        await bob.InvokeAsync("Answer", room.Code, question.Id, 0);
        RoomTally tally;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            do
                tally = await tallies.Reader.ReadAsync(timeout.Token);
            while (tally.Counts[0] < 2);
        }

        Assert.Equal([2, 0, 0], tally.Counts);
        Assert.False(tally.Revealed);
        Assert.Null(tally.Right);

        // Go on through TLS, then reveal: the trace says one round trip (TLS 1.3).
        Assert.True(await presenter.InvokeAsync<bool>("NextStep", room.Code, room.PresenterKey, "quiz"));
        while (await stream.MoveNextAsync() && stream.Current.Details is not StepPausedDetails)
        {
        }

        var reveal = await presenter.InvokeAsync<RoomTally>("Reveal", room.Code, room.PresenterKey, question.Id);
        Assert.Equal((true, 0), (reveal.Revealed, reveal.Right));
        Assert.Contains("1 round trip", reveal.Why, StringComparison.Ordinal);
        Assert.Equal(Json(reveal), Json(await revealed.Task.WaitAsync(TimeSpan.FromSeconds(10))));
        var late = await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync("Answer", room.Code, question.Id, 1));
        Assert.Contains("revealed already", late.Message, StringComparison.Ordinal);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task Attendee_AskOrReveal_RefusedAsNotThePresenter()
    {
        var room = await OpenAsync();
        await using var attendee = await ConnectAsync();
        await attendee.InvokeAsync<RoomSnapshot>("Join", room.Code);
        var ask = await Assert.ThrowsAsync<HubException>(() => attendee.InvokeAsync<RoomQuestion>("Ask", room.Code, "nope", null, "Is this mine?", new[] { "yes", "no" }));
        Assert.EndsWith(RoomHub.NotPresenter, ask.Message, StringComparison.Ordinal);
        var reveal = await Assert.ThrowsAsync<HubException>(() => attendee.InvokeAsync<RoomTally>("Reveal", room.Code, "", 1));
        Assert.EndsWith(RoomHub.NotPresenter, reveal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answer_Flooding_RefusedBeyondTheRate()
    {
        var room = await OpenAsync();
        await using var presenter = await ConnectAsync();
        var question = await presenter.InvokeAsync<RoomQuestion>("Ask", room.Code, room.PresenterKey, null, "Own question?", new[] { "a", "b" });
        await using var attendee = await ConnectAsync();
        await attendee.InvokeAsync<RoomSnapshot>("Join", room.Code);
        var refused = 0;
        for (var i = 0; i < 40; i++)
        {
            try
            {
                await attendee.InvokeAsync("Answer", room.Code, question.Id, i % 2);
            }
            catch (HubException e) when (e.Message.Contains("answers a minute", StringComparison.Ordinal))
            {
                refused++;
            }
        }

        Assert.Equal(10, refused);
        // Not in the room: no answer at all.
        await using var stranger = await ConnectAsync();
        var outside = await Assert.ThrowsAsync<HubException>(() => stranger.InvokeAsync("Answer", room.Code, question.Id, 0));
        Assert.Contains("Join the room first", outside.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "a,b", "1 to 200 characters")]
    [InlineData("Q?", "only", "2 to 8 answers")]
    [InlineData("Q?", "a,b,c,d,e,f,g,h,i", "2 to 8 answers")]
    public async Task Ask_BadQuestion_RefusedWithTheReason(string text, string choices, string expected)
    {
        var room = await OpenAsync();
        await using var presenter = await ConnectAsync();
        var error = await Assert.ThrowsAsync<HubException>(() => presenter.InvokeAsync<RoomQuestion>("Ask", room.Code, room.PresenterKey, null, text, choices.Split(',')));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
