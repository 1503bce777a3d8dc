using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace FlowTrace.Server.Storage;

/// <summary>An SQLite file: the default, embedded, created with its directory on first start.</summary>
public sealed class SqliteTraceDatabase : TraceDatabase
{
    private readonly string _connectionString;

    /// <param name="path">The database file.</param>
    public SqliteTraceDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override string Description => $"SQLite at {Path}";

    /// <inheritdoc />
    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <inheritdoc />
    public override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Readers do not wait for the writer (one trace being stored does not hold up the history page).
        await using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
