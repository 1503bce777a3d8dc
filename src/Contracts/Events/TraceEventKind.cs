namespace FlowTrace.Contracts.Events;

/// <summary>What an event says about its step.</summary>
public enum TraceEventKind
{
    /// <summary>The step began.</summary>
    Started,
    /// <summary>Something observed while the step runs (a TLS record, a DNS answer, a TCP attempt).</summary>
    Detail,
    /// <summary>The step finished successfully.</summary>
    Completed,
    /// <summary>The step failed; the details carry the reason.</summary>
    Failed,
}
