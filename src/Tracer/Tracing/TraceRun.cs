using System.Runtime;
using System.Threading.Channels;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tracing;

/// <summary>
/// The state of one running trace: its monotonic clock, its event sequence and the step timings the
/// summary is built from. Steps write events here; the caller of <see cref="ITracer.TraceAsync"/> reads them.
/// </summary>
internal sealed class TraceRun
{
    private readonly TimeProvider _time;
    private long _startTimestamp;
    private readonly Channel<TraceEvent> _events = Channel.CreateUnbounded<TraceEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<StepTiming> _timings = [];
    private readonly Lock _gate = new();
    private readonly Dictionary<(int Hop, TraceStep Step), OpenStep> _openSteps = [];
    private readonly List<TraceInterval> _intervals = [];
    private (string Name, TimeSpan Start)? _pendingInterval;
    private int _sequence;
    private TimeSpan _accountedUntil;
    private TimeSpan _lastOffset;

    private readonly Func<TraceStep, CancellationToken, ValueTask>? _pause;

    public TraceRun(TimeProvider time, Func<TraceStep, CancellationToken, ValueTask>? pause = null)
    {
        _pause = pause;
        _time = time;
        _startTimestamp = time.GetTimestamp();
    }

    /// <summary>The redirect hop events are currently attributed to.</summary>
    public int Hop { get; set; }

    /// <summary>The most recent step failure, which ends the trace.</summary>
    public StepFailureDetails? LastFailure { get; private set; }

    // The protocol of the last response, for the summary's line ("HTTP/2 200").
    private string? _lastVersion;

    public ChannelReader<TraceEvent> Reader => _events.Reader;

    public IReadOnlyList<StepTiming> Timings
    {
        get
        {
            lock (_gate)
                return [.. _timings];
        }
    }

    /// <summary>Starts the trace's clock again: offset zero is when the trace's own work begins, not when it was queued.</summary>
    public void Begin()
    {
        lock (_gate)
        {
            _startTimestamp = _time.GetTimestamp();
            _accountedUntil = _lastOffset = TimeSpan.Zero;
        }
    }

    /// <summary>The clock reading at offset zero.</summary>
    public long StartTimestamp => _startTimestamp;

    /// <summary>Reads the trace's one clock.</summary>
    public long Now() => _time.GetTimestamp();

    /// <summary>Converts a timestamp of this trace's clock to an offset from the trace's start.</summary>
    public TimeSpan OffsetOf(long timestamp) => _time.GetElapsedTime(_startTimestamp, timestamp);

    /// <summary>Time between two timestamps of this trace's clock.</summary>
    public TimeSpan Between(long start, long end) => _time.GetElapsedTime(start, end);

    public TimeSpan Elapsed => OffsetOf(Now());

    /// <summary>Starts a step. Without <paramref name="at"/> the step begins where the trace's last step or interval
    /// ended (or at its last event, if later): whatever the tracer did in between (preparing this step, compiling its
    /// code) is this step's client work, so no time falls between steps unseen.</summary>
    public void Started(TraceStep step, string message, TraceEventDetails? details = null, long? at = null)
    {
        var jit = JitInfo.GetCompilationTime(currentThread: false);
        var gc = GC.GetTotalPauseDuration();
        TimeSpan offset;
        lock (_gate)
        {
            if (_pendingInterval is { } pending)
            {
                var now = Now();
                AddInterval(pending.Name, pending.Start, now);
                _pendingInterval = null;
            }

            offset = at is { } explicitStart ? OffsetOf(explicitStart) : _accountedUntil > _lastOffset ? _accountedUntil : _lastOffset;
            _openSteps[(Hop, step)] = new OpenStep(offset, jit, gc);
        }

        Write(step, TraceEventKind.Started, offset, message, details);
    }

    public void Detail(TraceStep step, string message, TraceEventDetails? details = null, long? at = null) =>
        Write(step, TraceEventKind.Detail, OffsetOf(at ?? Now()), message, details);

    /// <summary>Completes a step. <paramref name="at"/> lets a step end at a wire timestamp rather than "now".
    /// <paramref name="network"/> is the part of the step spent waiting for the network and the server; the rest is
    /// client time, split into the shares <paramref name="work"/> measured, JIT, GC and the tracer's own work.</summary>
    public void Completed(TraceStep step, string message, TraceEventDetails? details = null, long? at = null, TimeSpan? network = null, ClientWorkMeter? work = null) =>
        Finish(step, TraceEventKind.Completed, message, details, at, network, work);

    public void Failed(TraceStep step, string code, string reason, long? at = null, TimeSpan? network = null, ClientWorkMeter? work = null) =>
        Finish(step, TraceEventKind.Failed, reason, new StepFailureDetails(code, reason), at, network, work);

    /// <summary>Opens a named interval that lasts until the next step starts (the turn between two hops).</summary>
    public void IntervalUntilNextStep(string name)
    {
        lock (_gate)
            _pendingInterval = (name, _accountedUntil);
    }

    /// <summary>An interval from an offset (where the last step or interval ended, for the turns and pauses that follow
    /// it) to a clock reading. Its duration is the difference of the two offsets, never a separately rounded clock
    /// difference, so that intervals meeting at one moment neither overlap nor leave a gap of one tick between them.</summary>
    private void AddInterval(string name, TimeSpan start, long end)
    {
        var interval = new TraceInterval(Hop, name, start, Durations.Positive(OffsetOf(end) - start));
        _intervals.Add(interval);
        _accountedUntil = Durations.Max(_accountedUntil, interval.Start + interval.Duration);
    }

    /// <summary>True while a step of the current hop has started and not finished.</summary>
    public bool IsOpen(TraceStep step)
    {
        lock (_gate)
            return _openSteps.ContainsKey((Hop, step));
    }

    /// <summary>Writes the last event of the trace: every step's timing, the named intervals and what lies in neither.</summary>
    public void Summary(StepFailureDetails? failure, string finalUrl, int? finalStatus)
    {
        var end = Now();
        var total = OffsetOf(end);
        TraceSummary summary;
        lock (_gate)
        {
            // After the last step the tracer closes what the trace opened and hands the result over: named, not hidden.
            if (total > _accountedUntil)
                AddInterval(TraceIntervalNames.Finishing, _accountedUntil, end);
            var windows = _timings.Select(t => (t.Start, End: t.Start + t.Duration))
                .Concat(_intervals.Select(i => (i.Start, End: i.Start + i.Duration)));
            summary = new TraceSummary(failure is null, [.. _timings], total, finalUrl, finalStatus, failure, [.. _intervals],
                Durations.Positive(total - Covered(windows, total)));
        }

        Write(TraceStep.Trace, TraceEventKind.Completed, total,
            summary.Succeeded
                ? $"Trace completed in {Format.Duration(summary.Total)}{(finalStatus is { } status ? $": {_lastVersion ?? "HTTP"} {status}" : "")}"
                : $"Trace failed: {summary.Failure?.Reason}", summary);
    }

    /// <summary>The length of the union of <paramref name="windows"/> within [0, <paramref name="total"/>].</summary>
    internal static TimeSpan Covered(IEnumerable<(TimeSpan Start, TimeSpan End)> windows, TimeSpan total)
    {
        var covered = TimeSpan.Zero;
        var reached = TimeSpan.Zero;
        foreach (var (start, end) in windows.OrderBy(w => w.Start))
        {
            var from = Durations.Max(start, reached);
            var to = Durations.Min(end, total);
            if (to > from)
            {
                covered += to - from;
                reached = to;
            }
        }

        return covered;
    }

    /// <summary>Step mode: announces the pause and waits for the caller to continue.</summary>
    public async ValueTask PauseAfterAsync(TraceStep step, TraceStep next, CancellationToken cancellationToken)
    {
        if (_pause is null)
            return;
        // The pause starts where the step ended, as the turn between two hops does: announcing it is part of it, so no
        // moment between the step and the pause lies in neither (on a busy machine that moment was milliseconds).
        TimeSpan paused;
        lock (_gate)
            paused = _accountedUntil;
        Detail(TraceStep.Trace, $"Paused after {step}: waiting for the next step ({next})", new StepPausedDetails(step, next));
        try
        {
            await _pause(step, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            var resumed = Now();
            lock (_gate)
                AddInterval(TraceIntervalNames.Paused, paused, resumed);
        }
    }

    public void Complete() => _events.Writer.TryComplete();

    private void Finish(TraceStep step, TraceEventKind kind, string message, TraceEventDetails? details, long? at, TimeSpan? network, ClientWorkMeter? work)
    {
        var end = OffsetOf(at ?? Now());
        var jit = JitInfo.GetCompilationTime(currentThread: false);
        var gc = GC.GetTotalPauseDuration();
        TimeSpan? duration = null;
        StepTimeSplit? split = null;
        lock (_gate)
        {
            if (details is StepFailureDetails failure)
                LastFailure = failure;
            if (details is HttpResponseDetails response)
                _lastVersion = response.Version;
            if (_openSteps.Remove((Hop, step), out var open))
            {
                duration = Durations.Positive(end - open.Start);
                split = Split(duration.Value, network ?? TimeSpan.Zero, work, jit - open.Jit, gc - open.Gc);
                _timings.Add(new StepTiming(Hop, step, open.Start, duration.Value, split, kind == TraceEventKind.Completed));
                _accountedUntil = Durations.Max(_accountedUntil, end);
            }
        }

        Write(step, kind, end, message, details, duration, split);
    }

    /// <summary>
    /// Splits a step's duration: network as the step measured it; the client rest into the measured shares (each less
    /// the JIT and GC inside it), then JIT and GC elsewhere in the process during the step, counted only up to the client
    /// time nothing else explains (a background compilation need not have stalled the trace), then the tracer's own work.
    /// </summary>
    internal static StepTimeSplit Split(TimeSpan duration, TimeSpan network, ClientWorkMeter? work, TimeSpan processJit, TimeSpan processGc)
    {
        network = Durations.Min(Durations.Positive(network), duration);
        var client = duration - network;
        var rest = client;
        var parts = new List<TimeShare>();
        var (shares, jit, gc) = work?.Net() ?? ([], TimeSpan.Zero, TimeSpan.Zero);
        foreach (var share in shares)
        {
            var fits = Durations.Min(share.Duration, rest);
            parts.Add(share with { Duration = fits });
            rest -= fits;
        }

        jit = Durations.Min(jit, rest);
        rest -= jit;
        gc = Durations.Min(gc, rest);
        rest -= gc;
        var otherJit = Durations.Min(Durations.Positive(processJit - jit), rest);
        rest -= otherJit;
        var otherGc = Durations.Min(Durations.Positive(processGc - gc), rest);
        rest -= otherGc;
        parts.Add(new TimeShare(ClientWorkNames.Jit, jit + otherJit));
        parts.Add(new TimeShare(ClientWorkNames.Gc, gc + otherGc));
        parts.Add(new TimeShare(ClientWorkNames.Tracer, rest));
        return new StepTimeSplit(network, client, [.. parts.Where(p => p.Duration > TimeSpan.Zero)]);
    }


    private void Write(TraceStep step, TraceEventKind kind, TimeSpan offset, string message, TraceEventDetails? details, TimeSpan? duration = null, StepTimeSplit? split = null)
    {
        lock (_gate)
        {
            // Sequence numbers are handed out under the lock so that the channel order is the sequence order, and read in
            // that order the trace's clock never runs backwards: an event about a wire moment earlier than an event
            // already sent (a step that ends at its last byte's arrival, reported after an alert that came meanwhile) is
            // stamped at that event's time. The step's duration stays the measured one.
            offset = Durations.Max(offset, _lastOffset);
            var traceEvent = new TraceEvent(_sequence++, Hop, step, kind, offset, message, details, duration, split);
            _lastOffset = offset;
            _events.Writer.TryWrite(traceEvent);
        }
    }

    private readonly record struct OpenStep(TimeSpan Start, TimeSpan Jit, TimeSpan Gc);
}
