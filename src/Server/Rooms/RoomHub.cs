using System.Runtime.CompilerServices;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Rooms;
using FlowTrace.Server.Hubs;
using FlowTrace.Server.Tracing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Rooms;

/// <summary>
/// Workshop rooms over SignalR groups: attendees join by code and follow; the presenter (who alone holds the room's key)
/// traces, and every event reaches every attendee as it happens. Every control method checks the key, and answers an
/// unknown room exactly as a wrong key, so that neither codes nor keys can be probed.
/// </summary>
public sealed class RoomHub(RoomRegistry rooms, LiveTraceRunner runner, StepGates gates, IOptions<RoomOptions> options, TimeProvider time) : Hub
{
    /// <summary>The hub's path.</summary>
    public const string Path = "/hubs/room";

    /// <summary>Sent to a room's attendees when the presenter starts a trace: <c>(traceId, url)</c>.</summary>
    public const string TraceStartedMethod = "RoomTraceStarted";

    /// <summary>Sent to a room's attendees for each event of the presenter's trace: <c>(traceId, event)</c>.</summary>
    public const string EventMethod = "RoomEvent";

    /// <summary>Sent to a room's attendees when the presenter's trace was kept: <c>(traceId, storedId)</c>.</summary>
    public const string TraceKeptMethod = "RoomTraceKept";

    /// <summary>Sent to a room's attendees when the presenter asks a question: <c>(question)</c>.</summary>
    public const string QuestionMethod = "RoomQuestion";

    /// <summary>Sent to the presenter as answers arrive: <c>(tally)</c>.</summary>
    public const string TallyMethod = "RoomTally";

    /// <summary>Sent to everyone in the room at the reveal: <c>(tally)</c>, with the right answer where the trace tells it.</summary>
    public const string RevealMethod = "RoomReveal";

    /// <summary>What a control method answers to anyone but the presenter, and for a room that does not exist.</summary>
    public const string NotPresenter = "Only the room's presenter can do that.";

    /// <summary>What joining an unknown room answers.</summary>
    public const string NoSuchRoom = "No workshop room has that code.";

    /// <summary>Joins a room as an attendee: the room and its current trace so far.</summary>
    public async Task<RoomSnapshot> Join(string code)
    {
        var room = rooms.Find(code) ?? throw new HubException(NoSuchRoom);
        if (!room.Join(Context.ConnectionId, options.Value.MaxAttendeesPerRoom, time.GetUtcNow()))
            throw new HubException($"This room is full ({options.Value.MaxAttendeesPerRoom} attendees).");
        await Groups.AddToGroupAsync(Context.ConnectionId, room.Group).ConfigureAwait(false);
        return room.Snapshot();
    }

    /// <summary>Takes the presenter's place (the presenter's browser, after a reload too).</summary>
    public RoomSnapshot Present(string code, string presenterKey)
    {
        var room = Presenter(code, presenterKey);
        room.Present(Context.ConnectionId, time.GetUtcNow());
        return room.Snapshot();
    }

    /// <summary>The presenter traces for the room: the events stream back to the presenter and go to every attendee.</summary>
    public async IAsyncEnumerable<TraceEvent> Trace(string code, string presenterKey, TraceRequestMessage request, string traceId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var room = Presenter(code, presenterKey);
        room.Present(Context.ConnectionId, time.GetUtcNow());
        room.TraceStarted(traceId, time.GetUtcNow());
        var group = Clients.Group(room.Group);
        await group.SendAsync(TraceStartedMethod, traceId, request?.Url, cancellationToken).ConfigureAwait(false);
        async Task KeptAsync(Storage.StoreAttempt attempt)
        {
            if (attempt.Id is null)
                return;
            room.Kept(attempt.Id);
            await group.SendAsync(TraceKeptMethod, traceId, attempt.Id, CancellationToken.None).ConfigureAwait(false);
        }

        await foreach (var traceEvent in runner.RunAsync(request!, traceId, Context, Clients.Caller, KeptAsync, cancellationToken).ConfigureAwait(false))
        {
            room.Add(traceEvent);
            await group.SendAsync(EventMethod, traceId, traceEvent, CancellationToken.None).ConfigureAwait(false);
            yield return traceEvent;
        }
    }

    /// <summary>Step mode: the presenter lets the room's paused trace run its next step; everyone sees it advance.</summary>
    public bool NextStep(string code, string presenterKey, string traceId)
    {
        Presenter(code, presenterKey);
        return gates.Next(Context.ConnectionId, traceId);
    }

    /// <summary>The presenter asks the room a question: one FlowTrace offers (<paramref name="kind"/>, see
    /// <see cref="RoomQuestionKinds"/>; its text and choices are FlowTrace's) or their own with 2 to 8 choices.</summary>
    public async Task<RoomQuestion> Ask(string code, string presenterKey, string? kind, string? text, string[]? choices)
    {
        var room = Presenter(code, presenterKey);
        if (kind is not null)
        {
            var offered = RoomQuestionKinds.Offered.FirstOrDefault(o => o.Kind == kind);
            if (offered.Kind is null)
                throw new HubException($"FlowTrace offers no question '{kind}'.");
            (text, choices) = (offered.Text, [.. offered.Choices]);
        }

        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > 200)
            throw new HubException("A question is 1 to 200 characters.");
        if (choices is not { Length: >= 2 and <= 8 } || choices.Any(c => string.IsNullOrWhiteSpace(c) || c.Length > 100))
            throw new HubException("A question has 2 to 8 answers of 1 to 100 characters.");
        var question = room.Ask(text, [.. choices.Select(c => c.Trim())], kind, options.Value.MaxQuestionsPerRoom, time.GetUtcNow())
            ?? throw new HubException($"This room asked {options.Value.MaxQuestionsPerRoom} questions, the most it may.");
        await Clients.Group(room.Group).SendAsync(QuestionMethod, question).ConfigureAwait(false);
        return question;
    }

    /// <summary>An attendee answers (again, to change their answer, until the reveal); the presenter sees the tally.</summary>
    public async Task Answer(string code, int questionId, int choice)
    {
        var room = rooms.Find(code) ?? throw new HubException(NoSuchRoom);
        if (room.Answer(Context.ConnectionId, questionId, choice, options.Value.AnswersPerMinutePerAttendee, time.GetUtcNow()) is { } refusal)
            throw new HubException(refusal);
        if (room.PresenterConnection is { } presenter && room.Tally(questionId) is { } tally)
            await Clients.Client(presenter).SendAsync(TallyMethod, tally).ConfigureAwait(false);
    }

    /// <summary>The presenter reveals a question's answers to everyone, with the right one where the trace tells it.</summary>
    public async Task<RoomTally> Reveal(string code, string presenterKey, int questionId)
    {
        var room = Presenter(code, presenterKey);
        var tally = room.Tally(questionId, reveal: true) ?? throw new HubException("No such question.");
        await Clients.Group(room.Group).SendAsync(RevealMethod, tally).ConfigureAwait(false);
        return tally;
    }

    /// <inheritdoc />
    public override Task OnDisconnectedAsync(Exception? exception)
    {
        rooms.Leave(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    private Room Presenter(string code, string presenterKey) =>
        rooms.Find(code) is { } room && room.IsPresenterKey(presenterKey) ? room : throw new HubException(NotPresenter);
}
