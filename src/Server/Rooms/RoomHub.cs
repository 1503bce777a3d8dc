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
public sealed class RoomHub(IRoomDirectory rooms, RoomBroadcast broadcast, LiveTraceRunner runner, StepGates gates, IOptions<RoomOptions> options) : Hub
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

    /// <summary>Sent to attendees on an instance that lost Redis, in rooms presented elsewhere: they miss the room's
    /// messages until it returns (no arguments).</summary>
    public const string BehindMethod = "RoomBehind";

    /// <summary>Sent when Redis returned: join again to read the room's current trace, with what was missed (no arguments).</summary>
    public const string ResyncMethod = "RoomResync";

    /// <summary>Sent to everyone in the room when the presenter allows or stops attendees' own traces: <c>(allowed)</c>.</summary>
    public const string OwnTracesMethod = "RoomOwnTraces";

    /// <summary>What a control method answers to anyone but the presenter, and for a room that does not exist.</summary>
    public const string NotPresenter = "Only the room's presenter can do that.";

    /// <summary>What joining an unknown room answers.</summary>
    public const string NoSuchRoom = "No workshop room has that code.";

    /// <summary>The SignalR group of a room's browsers.</summary>
    public static string Group(string code) => $"room:{code}";

    /// <summary>Joins a room as an attendee: the room and its current trace so far.</summary>
    public async Task<RoomSnapshot> Join(string code)
    {
        var normal = RoomCodes.Normalise(code) ?? throw new HubException(NoSuchRoom);
        var cancellationToken = Context.ConnectionAborted;
        switch (await rooms.JoinAsync(normal, Context.ConnectionId, cancellationToken).ConfigureAwait(false))
        {
            case RoomJoin.NoSuchRoom:
                throw new HubException(NoSuchRoom);
            case RoomJoin.Full:
                throw new HubException($"This room is full ({options.Value.MaxAttendeesPerRoom} attendees).");
        }

        await broadcast.AddAsync(normal, Context.ConnectionId, cancellationToken).ConfigureAwait(false);
        return await rooms.SnapshotAsync(normal, cancellationToken).ConfigureAwait(false) ?? throw new HubException(NoSuchRoom);
    }

    /// <summary>Takes the presenter's place (the presenter's browser, after a reload too).</summary>
    public async Task<RoomSnapshot> Present(string code, string presenterKey)
    {
        var normal = await PresenterAsync(code, presenterKey).ConfigureAwait(false);
        await rooms.PresentAsync(normal, Context.ConnectionId, Context.ConnectionAborted).ConfigureAwait(false);
        return await rooms.SnapshotAsync(normal, Context.ConnectionAborted).ConfigureAwait(false) ?? throw new HubException(NotPresenter);
    }

    /// <summary>The presenter traces for the room: the events stream back to the presenter and go to every attendee.</summary>
    public async IAsyncEnumerable<TraceEvent> Trace(string code, string presenterKey, TraceRequestMessage request, string traceId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var normal = await PresenterAsync(code, presenterKey).ConfigureAwait(false);
        await rooms.PresentAsync(normal, Context.ConnectionId, cancellationToken).ConfigureAwait(false);
        await rooms.TraceStartedAsync(normal, traceId, cancellationToken).ConfigureAwait(false);
        await broadcast.SendAsync(normal, TraceStartedMethod, [traceId, request?.Url]).ConfigureAwait(false);
        async Task KeptAsync(Storage.StoreAttempt attempt)
        {
            if (attempt.Id is null)
                return;
            await rooms.KeptAsync(normal, attempt.Id, CancellationToken.None).ConfigureAwait(false);
            await broadcast.SendAsync(normal, TraceKeptMethod, [traceId, attempt.Id]).ConfigureAwait(false);
        }

        await foreach (var traceEvent in runner.RunAsync(request!, traceId, Context, Clients.Caller, KeptAsync, cancellationToken).ConfigureAwait(false))
        {
            await rooms.AddEventAsync(normal, traceEvent, CancellationToken.None).ConfigureAwait(false);
            await broadcast.SendAsync(normal, EventMethod, [traceId, traceEvent]).ConfigureAwait(false);
            yield return traceEvent;
        }
    }

    /// <summary>Step mode: the presenter lets the room's paused trace run its next step; everyone sees it advance.</summary>
    public async Task<bool> NextStep(string code, string presenterKey, string traceId)
    {
        await PresenterAsync(code, presenterKey).ConfigureAwait(false);
        return gates.Next(Context.ConnectionId, traceId);
    }

    /// <summary>The presenter lets attendees run traces of their own beside the room's (each through the trace hub, with
    /// its own limits, drawn apart from the room's trace), or stops offering it.</summary>
    public async Task AllowOwnTraces(string code, string presenterKey, bool allowed)
    {
        var normal = await PresenterAsync(code, presenterKey).ConfigureAwait(false);
        await rooms.AllowOwnTracesAsync(normal, allowed, Context.ConnectionAborted).ConfigureAwait(false);
        await broadcast.SendAsync(normal, OwnTracesMethod, [allowed]).ConfigureAwait(false);
    }

    /// <summary>The presenter asks the room a question: one FlowTrace offers (<paramref name="kind"/>, see
    /// <see cref="RoomQuestionKinds"/>; its text and choices are FlowTrace's) or their own with 2 to 8 choices.</summary>
    public async Task<RoomQuestion> Ask(string code, string presenterKey, string? kind, string? text, string[]? choices)
    {
        var normal = await PresenterAsync(code, presenterKey).ConfigureAwait(false);
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
        var question = await rooms.AskAsync(normal, text, [.. choices.Select(c => c.Trim())], kind, Context.ConnectionAborted).ConfigureAwait(false)
            ?? throw new HubException($"This room asked {options.Value.MaxQuestionsPerRoom} questions, the most it may.");
        await broadcast.SendAsync(normal, QuestionMethod, [question]).ConfigureAwait(false);
        return question;
    }

    /// <summary>An attendee answers (again, to change their answer, until the reveal); the presenter sees the tally.</summary>
    public async Task Answer(string code, int questionId, int choice)
    {
        var normal = RoomCodes.Normalise(code) ?? throw new HubException(NoSuchRoom);
        if (await rooms.AnswerAsync(normal, Context.ConnectionId, questionId, choice, Context.ConnectionAborted).ConfigureAwait(false) is { } refusal)
            throw new HubException(refusal);
        if (await rooms.PresenterConnectionAsync(normal, Context.ConnectionAborted).ConfigureAwait(false) is { } presenter &&
            await rooms.TallyAsync(normal, questionId, reveal: false, Context.ConnectionAborted).ConfigureAwait(false) is { } tally)
            await Clients.Client(presenter).SendAsync(TallyMethod, tally).ConfigureAwait(false);
    }

    /// <summary>The presenter reveals a question's answers to everyone, with the right one where the trace tells it.</summary>
    public async Task<RoomTally> Reveal(string code, string presenterKey, int questionId)
    {
        var normal = await PresenterAsync(code, presenterKey).ConfigureAwait(false);
        var tally = await rooms.TallyAsync(normal, questionId, reveal: true, Context.ConnectionAborted).ConfigureAwait(false) ?? throw new HubException("No such question.");
        await broadcast.SendAsync(normal, RevealMethod, [tally]).ConfigureAwait(false);
        return tally;
    }

    /// <inheritdoc />
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        broadcast.Remove(Context.ConnectionId);
        await rooms.LeaveAsync(Context.ConnectionId, CancellationToken.None).ConfigureAwait(false);
        await base.OnDisconnectedAsync(exception).ConfigureAwait(false);
    }

    /// <summary>The room's normalised code when <paramref name="presenterKey"/> is its presenter's; the same refusal for
    /// a wrong key and an unknown room.</summary>
    private async Task<string> PresenterAsync(string code, string presenterKey) =>
        RoomCodes.Normalise(code) is { } normal && await rooms.IsPresenterAsync(normal, presenterKey, Context.ConnectionAborted).ConfigureAwait(false)
            ? normal
            : throw new HubException(NotPresenter);
}
