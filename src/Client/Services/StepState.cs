using FlowTrace.Contracts.Events;

namespace FlowTrace.Client.Services;

/// <summary>Where one step of one hop stands, built only from that step's events.</summary>
public sealed class StepState(int hop, TraceStep step)
{
    /// <summary>Redirect hop.</summary>
    public int Hop { get; } = hop;

    /// <summary>The step.</summary>
    public TraceStep Step { get; } = step;

    private readonly List<TraceEvent> _events = [];
    private bool _skipped;

    /// <summary>Every event of this step, in order.</summary>
    public IReadOnlyList<TraceEvent> Events => _events;

    /// <summary>Counts changes, so that a component draws the step again only when it changed.</summary>
    public int Version { get; private set; }

    /// <summary>Adds the step's next event.</summary>
    public void Add(TraceEvent traceEvent)
    {
        ArgumentNullException.ThrowIfNull(traceEvent);
        _events.Add(traceEvent);
        // Kept as they arrive: a streamed body's step has thousands of events, and every drawing asks for these.
        if (traceEvent.Kind == TraceEventKind.Started)
            Started ??= traceEvent;
        else if (traceEvent.Kind is TraceEventKind.Completed or TraceEventKind.Failed)
            Done = traceEvent;
        Version++;
    }

    /// <summary>The Started event, once it arrived.</summary>
    public TraceEvent? Started { get; private set; }

    /// <summary>The Completed or Failed event, once it arrived.</summary>
    public TraceEvent? Done { get; private set; }

    /// <summary>waiting, running, done or failed.</summary>
    public string Status => Done?.Kind == TraceEventKind.Failed ? "failed" : Done is not null ? "done" : Started is not null ? "running" : Skipped ? "skipped" : "waiting";

    /// <summary>True when the trace ended without this step running (plain http has no TLS, for example).</summary>
    public bool Skipped
    {
        get => _skipped;
        set
        {
            if (_skipped == value)
                return;
            _skipped = value;
            Version++;
        }
    }

    /// <summary>True when the step did not run because an earlier one failed (not because the trace had no need of it).</summary>
    public bool NotReached { get; set; }

    /// <summary>Typed details of this step's events.</summary>
    public IEnumerable<T> Details<T>() where T : TraceEventDetails => Events.Select(e => e.Details).OfType<T>();
}
