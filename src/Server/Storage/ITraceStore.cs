using FlowTrace.Contracts.Storage;

namespace FlowTrace.Server.Storage;

/// <summary>
/// Where traces are kept: SQLite by default, PostgreSQL when <c>ConnectionStrings:Traces</c> names one. A trace is written
/// once, whole, in one statement, when it ends; it is never updated, so a crash mid-trace leaves nothing behind.
/// </summary>
public interface ITraceStore
{
    /// <summary>Which database this is, for the log and the page ("SQLite at …", "PostgreSQL").</summary>
    string Description { get; }

    /// <summary>Creates the schema, or migrates it to this version, once at start-up.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Stores a finished trace.</summary>
    Task SaveAsync(TraceRecord record, CancellationToken cancellationToken);

    /// <summary>The trace with this id, or null.</summary>
    Task<TraceRecord?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>One page of the traces that match, newest first.</summary>
    Task<(IReadOnlyList<TraceRecord> Items, int Total)> ListAsync(TraceQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes the trace with this id, if <paramref name="clientId"/> is null or it is that client's; whether one was deleted.</summary>
    Task<bool> DeleteAsync(string id, string? clientId, CancellationToken cancellationToken);

    /// <summary>Deletes traces stored before <paramref name="olderThan"/> and all but the newest <paramref name="keep"/>; how many went.</summary>
    Task<int> PruneAsync(DateTimeOffset olderThan, int keep, CancellationToken cancellationToken);
}
