using System.Data.Common;

namespace FlowTrace.Server.Storage;

/// <summary>What differs between the databases <see cref="SqlTraceStore"/> keeps traces in: how a connection opens, and
/// how a schema migration is kept to one server instance at a time. The SQL itself is the same for both.</summary>
public abstract class TraceDatabase : IAsyncDisposable
{
    /// <summary>Which database this is, for the log.</summary>
    public abstract string Description { get; }

    /// <summary>Opens a connection.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Runs once at start-up, before the schema's transaction.</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once before the schema is created or migrated, inside the migration's transaction.</summary>
    public virtual Task LockSchemaAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
