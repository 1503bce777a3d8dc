namespace FlowTrace.Contracts.Storage;

/// <summary>What a stored trace holds.</summary>
public enum StoredTraceKind
{
    /// <summary>A trace of one URL: its events.</summary>
    Trace,

    /// <summary>An SNI comparison: its updates.</summary>
    Sni,
}
