using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Rooms;
using FlowTrace.Contracts.Storage;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace FlowTrace.Client.Services;

/// <summary>
/// The page's one trace: owns the hub connection, streams events into per-step state and tells the components
/// when something changed. Components subscribe to <see cref="Changed"/> and unsubscribe when disposed.
/// </summary>
public sealed class TraceSession(HubClient hub, PageMarks marks, TimeProvider time) : IAsyncDisposable
{
    private HubConnection? _connection;
    private HubConnection? _toldWhereStored;
    private HubConnection? _followedOn;
    private List<(string TraceId, TraceEvent Event)>? _joining;
    private readonly RunSlot _run = new();
    private string? _traceId;

    private bool _changeQueued;

    /// <summary>Raised once after each burst of changes (a TLS flight is a dozen events at once): the page then draws
    /// once for all that arrived, not once each. Handlers re-render what they show when it changed.</summary>
    public event Action? Changed;

    /// <summary>Counts the bursts of changes raised through <see cref="Changed"/>.</summary>
    public int Version { get; private set; }

    /// <summary>The latest offset of the current trace's events (the time axis's end): the last event's, since a trace's
    /// offsets never run backwards.</summary>
    public TimeSpan LastOffset => Events.Count == 0 ? TimeSpan.Zero : Events[^1].Offset;

    /// <summary>Every event of the current trace, in order.</summary>
    public List<TraceEvent> Events { get; } = [];

    /// <summary>Per hop, the seven steps.</summary>
    public List<IReadOnlyList<StepState>> Hops { get; } = [];

    /// <summary>The TLS handshake of hop <paramref name="hop"/>, once it completed.</summary>
    public TlsHandshakeDetails? Handshake(int hop) =>
        Events.Where(e => e.Hop == hop).Select(e => e.Details).OfType<TlsHandshakeDetails>().FirstOrDefault();

    /// <summary>True while a trace streams.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>Set while a step-mode trace waits for "Next step".</summary>
    public StepPausedDetails? Paused { get; private set; }

    /// <summary>The closing summary, once it arrived.</summary>
    public TraceSummary? Summary { get; private set; }

    /// <summary>An error of the connection or the request (not of the trace: those are events).</summary>
    public string? Error { get; private set; }

    /// <summary>The URL being traced.</summary>
    public string? Url { get; private set; }

    /// <summary>A repeated trace: the run shown (1-based); 0 for a single trace.</summary>
    public int Run { get; private set; }

    /// <summary>A repeated trace: how many runs were asked for; 0 for a single trace.</summary>
    public int Runs { get; private set; }

    /// <summary>How many traces this page has started; it marks the status line, so that whoever watches the page (the
    /// browser tests) can tell this trace's end from the previous one's.</summary>
    public int TracesStarted { get; private set; }

    /// <summary>The request of the trace shown (a stored trace's as it was asked): what "trace again" runs.</summary>
    public TraceRequestMessage? Request { get; private set; }

    /// <summary>The id the server keeps the trace shown under (its permalink is <c>/t/{id}</c>); null before it was
    /// stored, or when it could not be (<see cref="StorageError"/>).</summary>
    public string? StoredId { get; private set; }

    /// <summary>Why the server could not keep the trace, if it could not.</summary>
    public string? StorageError { get; private set; }

    /// <summary>When the trace shown was stored, for a trace opened from its permalink.</summary>
    public DateTimeOffset? StoredAt { get; private set; }

    /// <summary>In a workshop room the presenter drives: its code and key (traces then run for the whole room).</summary>
    public (string Code, string Key)? Presenting { get; private set; }

    /// <summary>In a workshop room as an attendee: the room's code (the presenter's traces are shown as they happen).</summary>
    public string? Following { get; private set; }

    private bool _resyncing;

    /// <summary>After "trace again": the stored trace the live one is compared with, step by step; null otherwise.</summary>
    public StoredTrace? Baseline { get; private set; }

    /// <summary>A repeated trace: each finished run's summary, in run order.</summary>
    public List<TraceSummary> RunSummaries { get; } = [];

    /// <summary>A repeated trace: the statistics over the runs, once they arrived.</summary>
    public RepeatStatistics? Statistics { get; private set; }

    /// <summary>The steps of the server's sample trace while the page draws them unseen, once, to compile its own code
    /// before a user's first trace (WebAssembly interprets code on first use); null otherwise.</summary>
    public List<IReadOnlyList<StepState>>? SampleHops { get; private set; }

    /// <summary>While the page is idle: connects to the hub and reads the server's sample trace through the same path
    /// as a real one, then hands it to the page to draw unseen (<see cref="SampleHops"/>). Failures only cost warmth.</summary>
    public async Task PrepareAsync()
    {
        try
        {
            var connection = await hub.ConnectAsync();
            var hops = new List<IReadOnlyList<StepState>>();
            await foreach (var traceEvent in connection.StreamAsync<TraceEvent>("Sample"))
                AddTo(hops, traceEvent);
            if (IsRunning || hops.Count == 0)
                return;
            // Drawing the step cards computes their explanations too.
            SampleHops = hops;
            NotifyChanged();
        }
        catch (Exception e) when (e is HubException or HttpRequestException or InvalidOperationException or IOException or OperationCanceledException)
        {
        }
    }

    /// <summary>The page drew the sample: forget it.</summary>
    public void SampleDrawn()
    {
        if (SampleHops is null)
            return;
        SampleHops = null;
        NotifyChanged();
    }

    /// <summary>Starts a trace, replacing the previous one.</summary>
    public Task StartAsync(TraceRequestMessage request) => StartAsync(request, baseline: null);

    /// <summary>"Trace again": a new live trace of a stored trace's request, compared with it step by step.</summary>
    public Task TraceAgainAsync(StoredTrace stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return StartAsync(stored.Request ?? new TraceRequestMessage { Url = stored.Info.Url }, stored);
    }

    /// <summary>Shows a stored trace as a live one is shown: at once, or (<paramref name="replay"/>) its events again at
    /// their original pace, so that a workshop can show a recorded trace as if it happened now.</summary>
    public async Task ShowStoredAsync(StoredTrace stored, bool replay)
    {
        ArgumentNullException.ThrowIfNull(stored);
        await CancelAsync();
        Reset(stored.Request ?? new TraceRequestMessage { Url = stored.Info.Url }, baseline: null);
        StoredId = stored.Info.Id;
        StoredAt = stored.Info.CreatedAt;
        IsRunning = replay;
        NotifyChanged();
        var token = _run.Begin();
        var started = time.GetTimestamp();
        try
        {
            foreach (var traceEvent in stored.Events)
            {
                var wait = traceEvent.Offset - time.GetElapsedTime(started);
                // Timers tick in milliseconds: events closer together than that are drawn in one burst, as live ones are.
                if (replay && wait > TimeSpan.FromMilliseconds(1))
                    await Task.Delay(wait, time, token);
                Apply(traceEvent);
            }

            if (Summary is null)
                Error = "This trace was cancelled before its end: what it got so far is shown.";
        }
        catch (OperationCanceledException)
        {
            Error ??= "The replay was stopped.";
        }
        finally
        {
            IsRunning = false;
            NotifyChanged();
        }
    }

    /// <summary>Takes the presenter's place in a room: the room's state, and its current trace shown.</summary>
    public async Task<RoomSnapshot> PresentAsync(string code, string key)
    {
        var connection = await hub.ConnectRoomAsync();
        var snapshot = await connection.InvokeAsync<RoomSnapshot>("Present", code, key);
        Presenting = (snapshot.State.Code, key);
        AttendeesMayTrace = snapshot.State.AttendeesMayTrace;
        Following = null;
        return snapshot;
    }

    /// <summary>Joins a room as an attendee: its current trace so far is shown at once, then every event of the
    /// presenter's traces as it happens.</summary>
    public async Task<RoomSnapshot> FollowAsync(string code)
    {
        await CancelAsync();
        var connection = await hub.ConnectRoomAsync();
        if (_followedOn != connection)
        {
            connection.On<string, string?>("RoomTraceStarted", (traceId, url) =>
            {
                Reset(new TraceRequestMessage { Url = url }, baseline: null);
                _traceId = traceId;
                IsRunning = true;
                NotifyChanged();
            });
            connection.On<string, TraceEvent>("RoomEvent", (traceId, traceEvent) =>
            {
                // While joining, events may arrive before the snapshot they follow: kept until it is shown.
                if (_joining is { } pending)
                    pending.Add((traceId, traceEvent));
                else
                    Follow(traceId, traceEvent);
            });
            connection.On<string, string>("RoomTraceKept", (traceId, storedId) => Stored(traceId, storedId, null));
            // The server lost Redis, which carries the room between server instances: this page may miss events.
            connection.On("RoomBehind", () =>
            {
                Behind = true;
                NotifyChanged();
            });
            connection.On<bool>("RoomOwnTraces", allowed =>
            {
                AttendeesMayTrace = allowed;
                NotifyChanged();
            });
            // Redis returned: join again and read the room's current trace, with what was missed.
            connection.On("RoomResync", () => _ = ResyncAsync());
            _followedOn = connection;
        }

        _joining = [];
        RoomSnapshot snapshot;
        try
        {
            snapshot = await connection.InvokeAsync<RoomSnapshot>("Join", code);
        }
        catch
        {
            _joining = null;
            throw;
        }

        Following = snapshot.State.Code;
        Presenting = null;
        Behind = false;
        AttendeesMayTrace = snapshot.State.AttendeesMayTrace;
        Reset(new TraceRequestMessage { Url = (snapshot.CurrentEvents.FirstOrDefault()?.Details as TraceStartedDetails)?.Url }, baseline: null);
        _traceId = snapshot.CurrentTraceId;
        foreach (var traceEvent in snapshot.CurrentEvents)
            Apply(traceEvent);
        IsRunning = snapshot.CurrentTraceId is not null && Summary is null;
        var early = _joining;
        _joining = null;
        foreach (var (traceId, traceEvent) in early)
            Follow(traceId, traceEvent);
        NotifyChanged();
        return snapshot;
    }

    /// <summary>An event of the room's trace, unless it is of another trace or already shown (the snapshot had it).</summary>
    private void Follow(string traceId, TraceEvent traceEvent)
    {
        if (traceId != _traceId || traceEvent.Sequence < Events.Count)
            return;
        if (traceEvent.Sequence > Events.Count)
        {
            // A gap: events went missing (the servers lost touch); read the room's trace again rather than show holes.
            Behind = true;
            _ = ResyncAsync();
            return;
        }

        Apply(traceEvent);
        if (traceEvent.Details is TraceSummary)
            IsRunning = false;
    }

    /// <summary>Whether the followed room's presenter lets attendees run traces of their own.</summary>
    public bool AttendeesMayTrace { get; private set; }

    /// <summary>The presenter lets the room's attendees run traces of their own beside the room's, or stops it.</summary>
    public async Task AllowOwnTracesAsync(bool allowed)
    {
        if (Presenting is not { } presenting)
            return;
        var connection = await hub.ConnectRoomAsync();
        await connection.InvokeAsync("AllowOwnTraces", presenting.Code, presenting.Key, allowed);
        AttendeesMayTrace = allowed;
        NotifyChanged();
    }

    /// <summary>Whether this attendee may have missed events of the room's trace (until the next resync).</summary>
    public bool Behind { get; private set; }

    /// <summary>Joins the followed room again, reading its current trace with whatever was missed.</summary>
    private async Task ResyncAsync()
    {
        if (Following is not { } code || _resyncing)
            return;
        _resyncing = true;
        try
        {
            // The room is written back by the presenter's server a moment after Redis returns: try for half a minute.
            for (var attempt = 0; attempt < 60 && Following == code; attempt++)
            {
                try
                {
                    await FollowAsync(code);
                    return;
                }
#pragma warning disable CA1031 // Any failure to join again is retried; the page stays as it was, marked behind.
                catch (Exception)
#pragma warning restore CA1031
                {
                    Behind = true;
                    NotifyChanged();
                    await Task.Delay(500);
                }
            }
        }
        finally
        {
            _resyncing = false;
        }
    }

    /// <summary>Leaves the room (the page closed): traces run for this page alone again.</summary>
    public void LeaveRoom()
    {
        Presenting = null;
        Following = null;
        _traceId = null;
    }

    /// <summary>Shows why a stored trace could not be opened.</summary>
    public void ShowError(string message)
    {
        Reset(null, baseline: null);
        Error = message;
        NotifyChanged();
    }

    private void Reset(TraceRequestMessage? request, StoredTrace? baseline)
    {
        Events.Clear();
        Hops.Clear();
        Summary = null;
        Error = null;
        Paused = null;
        Statistics = null;
        RunSummaries.Clear();
        Runs = request?.Repeat > 1 ? request.Repeat.Value : 0;
        Run = Runs > 0 ? 1 : 0;
        Url = request?.Url;
        Request = request;
        StoredId = null;
        StoredAt = null;
        StorageError = null;
        Baseline = baseline;
        TracesStarted++;
    }

    private async Task StartAsync(TraceRequestMessage request, StoredTrace? baseline)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CancelAsync();
        Reset(request, baseline);
        IsRunning = true;
        NotifyChanged();
        var token = _run.Begin();
        _traceId = Guid.NewGuid().ToString("N");
        try
        {
            var connection = _connection = Presenting is null ? await hub.ConnectAsync() : await hub.ConnectRoomAsync();
            if (_toldWhereStored != connection)
            {
                // The server says where it kept each trace before the trace's stream completes.
                connection.On<string, string?, string?, string?>("TraceStored", (id, storedId, _, error) => Stored(id, storedId, error));
                _toldWhereStored = connection;
            }

            if (Runs > 0)
            {
                await foreach (var update in connection.StreamAsync<RepeatUpdate>("Repeat", request, token))
                    Apply(update);
            }
            else
            {
                var events = Presenting is { } room
                    ? connection.StreamAsync<TraceEvent>("Trace", room.Code, room.Key, request, _traceId, token)
                    : connection.StreamAsync<TraceEvent>("Trace", request, _traceId, token);
                await foreach (var traceEvent in events)
                    Apply(traceEvent);
            }
        }
        catch (OperationCanceledException)
        {
            Error ??= "The trace was cancelled.";
        }
        catch (HubException e)
        {
            Error = HubErrors.Message(e);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or IOException)
        {
            Error = $"Lost the connection to the FlowTrace server: {e.Message}";
        }
        finally
        {
            IsRunning = false;
            Paused = null;
            NotifyChanged();
        }
    }

    private void Stored(string traceId, string? storedId, string? error)
    {
        if (traceId != _traceId)
            return;
        StoredId = storedId;
        StorageError = error;
        NotifyChanged();
    }

    /// <summary>Step mode: lets the paused trace run its next step.</summary>
    public async Task NextStepAsync()
    {
        if (_connection is null || _traceId is null || Paused is null)
            return;
        Paused = null;
        NotifyChanged();
        if (Presenting is { } room)
            await _connection.InvokeAsync<bool>("NextStep", room.Code, room.Key, _traceId);
        else
            await _connection.InvokeAsync<bool>("NextStep", _traceId);
    }

    /// <summary>Stops the running operation; the server cancels it at once.</summary>
    public Task CancelAsync() => _run.CancelAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await CancelAsync();

    private void Apply(RepeatUpdate update)
    {
        if (update.Statistics is { } statistics)
        {
            Statistics = statistics;
            NotifyChanged();
            return;
        }

        if (update.Run != Run)
        {
            // A new run: the steps show the run in progress, the earlier runs live on in the statistics.
            Run = update.Run;
            Events.Clear();
            Hops.Clear();
            Summary = null;
        }

        if (update.Event is { Details: TraceSummary summary })
            RunSummaries.Add(summary);
        if (update.Event is { } traceEvent)
            Apply(traceEvent);
    }

    private void Apply(TraceEvent traceEvent)
    {
        if (marks.Enabled)
            marks.Mark($"ft:item:{traceEvent.Sequence}");
        Events.Add(traceEvent);
        AddTo(Hops, traceEvent);
        // A pause lasts until the trace goes on: any later event ends it (a followed room's or a replayed trace's too,
        // where no "Next step" of this page's own clears it).
        if (traceEvent.Details is not StepPausedDetails)
            Paused = null;
        switch (traceEvent.Details)
        {
            case StepPausedDetails paused:
                Paused = paused;
                break;
            case TraceSummary summary:
                Summary = summary;
                foreach (var step in Hops.SelectMany(h => h))
                {
                    step.NotReached = step.Started is null && !summary.Succeeded;
                    step.Skipped = step.Started is null;
                }
                break;
        }

        NotifyChanged();
    }

    private void NotifyChanged()
    {
        if (_changeQueued)
            return;
        _changeQueued = true;
        _ = RaiseChangedAsync();
    }

    private async Task RaiseChangedAsync()
    {
        // Yields until the events already received are applied: the stream hands over what it has without waiting.
        await Task.Yield();
        _changeQueued = false;
        Version++;
        Changed?.Invoke();
    }

    /// <summary>Files <paramref name="traceEvent"/> under its hop and step.</summary>
    private static void AddTo(List<IReadOnlyList<StepState>> hops, TraceEvent traceEvent)
    {
        while (hops.Count <= traceEvent.Hop)
            hops.Add([.. StepNames.Flow.Select(step => new StepState(hops.Count, step))]);
        if (traceEvent.Step != TraceStep.Trace)
            hops[traceEvent.Hop].First(s => s.Step == traceEvent.Step).Add(traceEvent);
    }
}
