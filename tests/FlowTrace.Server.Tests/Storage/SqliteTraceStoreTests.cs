using Microsoft.Data.Sqlite;
using FlowTrace.Server.Storage;

namespace FlowTrace.Server.Tests.Storage;

/// <summary>The store's suite on SQLite, the default: a file per test in a temporary directory.</summary>
public sealed class SqliteTraceStoreTests : TraceStoreContractTests, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("flowtrace-sqlite-");
    private readonly Dictionary<SqlTraceStore, string> _paths = [];

    protected override Task<SqlTraceStore> NewStoreAsync() => Task.FromResult(Open(Path.Combine(_directory.FullName, "nested", $"{Guid.NewGuid():N}.db")));

    protected override async Task ExecuteAsync(SqlTraceStore store, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_paths[store]}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    protected override Task<SqlTraceStore> ReopenAsync(SqlTraceStore store) => Task.FromResult(Open(_paths[store]));

    [Fact]
    public async Task InitializeAsync_NoDirectoryYet_CreatesTheFileWithItsSchema()
    {
        var path = Path.Combine(_directory.FullName, "data", "first-start", "traces.db");
        var store = Open(path);
        await store.InitializeAsync(default);
        Assert.True(File.Exists(path));
        await store.SaveAsync(Record(), default);
        Assert.Equal(1, (await store.ListAsync(new TraceQuery(), default)).Total);
    }

    public void Dispose()
    {
        foreach (var store in _paths.Keys)
            store.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private SqlTraceStore Open(string path)
    {
        var store = new SqlTraceStore(new SqliteTraceDatabase(path));
        _paths[store] = path;
        return store;
    }
}
