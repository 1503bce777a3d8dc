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
    private readonly long _startTimestamp;
    private readonly Channel<TraceEvent> _events = Channel.CreateUnbounded<TraceEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<StepTiming> _timings = [];
    private readonly Lock _gate = new();
    private readonly Dictionary<(int Hop, TraceStep Step), TimeSpan> _openSteps = [];
    private int _sequence;

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

    public ChannelReader<TraceEvent> Reader => _events.Reader;

    public IReadOnlyList<StepTiming> Timings
    {
        get
        {
            lock (_gate)
                return [.. _timings];
        }
    }

    /// <summary>Reads the trace's one clock.</summary>
    public long Now() => _time.GetTimestamp();

    /// <summary>Converts a timestamp of this trace's clock to an offset from the trace's start.</summary>
    public TimeSpan OffsetOf(long timestamp) => _time.GetElapsedTime(_startTimestamp, timestamp);

    /// <summary>Time between two timestamps of this trace's clock.</summary>
    public TimeSpan Between(long start, long end) => _time.GetElapsedTime(start, end);

    public TimeSpan Elapsed => OffsetOf(Now());

    public void Started(TraceStep step, string message, TraceEventDetails? details = null, long? at = null)
    {
        var offset = OffsetOf(at ?? Now());
        lock (_gate)
            _openSteps[(Hop, step)] = offset;
        Write(step, TraceEventKind.Started, offset, message, details);
    }

    public void Detail(TraceStep step, string message, TraceEventDetails? details = null, long? at = null) =>
        Write(step, TraceEventKind.Detail, OffsetOf(at ?? Now()), message, details);

    /// <summary>Completes a step. <paramref name="at"/> lets a step end at a wire timestamp rather than "now";
    /// <paramref name="startedAt"/> moves the step's start to a wire timestamp (the first SYN, say), so its duration
    /// is what crossed the network rather than the tracer's own set-up.</summary>
    public void Completed(TraceStep step, string message, TraceEventDetails? details = null, long? at = null, TimeSpan? clientProcessing = null, long? startedAt = null)
    {
        if (startedAt is { } rebased)
        {
            lock (_gate)
            {
                if (_openSteps.ContainsKey((Hop, step)))
                    _openSteps[(Hop, step)] = OffsetOf(rebased);
            }
        }

        Finish(step, TraceEventKind.Completed, message, details, at, clientProcessing);
    }

    public void Failed(TraceStep step, string code, string reason, long? at = null) =>
        Finish(step, TraceEventKind.Failed, reason, new StepFailureDetails(code, reason), at, null);

    /// <summary>True while a step of the current hop has started and not finished.</summary>
    public bool IsOpen(TraceStep step)
    {
        lock (_gate)
            return _openSteps.ContainsKey((Hop, step));
    }

    public void Summary(TraceSummary summary) => Write(TraceStep.Trace, TraceEventKind.Completed, Elapsed,
        summary.Succeeded ? $"Trace completed in {Format.Duration(summary.Total)}" : $"Trace failed: {summary.Failure?.Reason}", summary);

    /// <summary>Step mode: announces the pause and waits for the caller to continue.</summary>
    public async ValueTask PauseAfterAsync(TraceStep step, TraceStep next, CancellationToken cancellationToken)
    {
        if (_pause is null)
            return;
        Detail(TraceStep.Trace, $"Paused after {step}: waiting for the next step ({next})", new StepPausedDetails(step, next));
        await _pause(step, cancellationToken).ConfigureAwait(false);
    }

    public void Complete() => _events.Writer.TryComplete();

    private void Finish(TraceStep step, TraceEventKind kind, string message, TraceEventDetails? details, long? at, TimeSpan? clientProcessing)
    {
        var end = OffsetOf(at ?? Now());
        TimeSpan? duration = null;
        lock (_gate)
        {
            if (details is StepFailureDetails failure)
                LastFailure = failure;
            if (_openSteps.Remove((Hop, step), out var start))
            {
                duration = end >= start ? end - start : TimeSpan.Zero;
                _timings.Add(new StepTiming(Hop, step, start, duration.Value, clientProcessing, kind == TraceEventKind.Completed));
            }
        }

        Write(step, kind, end, message, details, duration);
    }

    private void Write(TraceStep step, TraceEventKind kind, TimeSpan offset, string message, TraceEventDetails? details, TimeSpan? duration = null)
    {
        lock (_gate)
        {
            // Sequence numbers are handed out under the lock so that the channel order is the sequence order.
            var traceEvent = new TraceEvent(_sequence++, Hop, step, kind, offset, message, details, duration);
            _events.Writer.TryWrite(traceEvent);
        }
    }
}
