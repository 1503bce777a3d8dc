using System.Data.Common;
using Npgsql;

namespace FlowTrace.Server.Storage;

/// <summary>A PostgreSQL database named by <c>ConnectionStrings:Traces</c>, shared by several server instances.</summary>
public sealed class PostgresTraceDatabase : TraceDatabase
{
    /// <summary>The advisory lock that keeps two instances starting at once from migrating the schema together.</summary>
    private const long SchemaLock = 0x466C6F7754726163; // "FlowTrac"

    private readonly NpgsqlDataSource _dataSource;

    /// <param name="connectionString">An Npgsql connection string.</param>
    public PostgresTraceDatabase(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Description = $"PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port}";
    }

    /// <inheritdoc />
    public override string Description { get; }

    /// <inheritdoc />
    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override async Task LockSchemaAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({SchemaLock})";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
