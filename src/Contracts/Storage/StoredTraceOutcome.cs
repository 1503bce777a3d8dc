namespace FlowTrace.Contracts.Storage;

/// <summary>How a stored trace ended.</summary>
public enum StoredTraceOutcome
{
    /// <summary>Every step completed.</summary>
    Completed,

    /// <summary>A step failed (the trace's summary says which and why).</summary>
    Failed,

    /// <summary>The trace was stopped before its end (the tab closed, the client cancelled, the server stopped).</summary>
    Cancelled,
}
