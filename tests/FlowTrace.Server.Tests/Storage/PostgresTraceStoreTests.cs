using FlowTrace.Server.Storage;
using Npgsql;

namespace FlowTrace.Server.Tests.Storage;

/// <summary>The store's suite on a real PostgreSQL server (Debian's package, started by the fixture): a database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTraceStoreTests(PostgresFixture postgres) : TraceStoreContractTests, IAsyncLifetime
{
    private readonly Dictionary<SqlTraceStore, (PostgresTraceDatabase Database, string ConnectionString)> _stores = [];

    protected override async Task<SqlTraceStore> NewStoreAsync() => Open(await postgres.NewDatabaseAsync());

    protected override async Task ExecuteAsync(SqlTraceStore store, string sql)
    {
        await using var connection = new NpgsqlConnection(_stores[store].ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override Task<SqlTraceStore> ReopenAsync(SqlTraceStore store) => Task.FromResult(Open(_stores[store].ConnectionString));

    [Fact]
    public async Task InitializeAsync_TwoInstancesStartingAtOnce_OneSchema()
    {
        var connectionString = await postgres.NewDatabaseAsync();
        var stores = Enumerable.Range(0, 4).Select(_ => Open(connectionString)).ToList();
        await Task.WhenAll(stores.Select(s => s.InitializeAsync(default)));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM schema_version", connection);
        Assert.Equal((long)SqlTraceStore.SchemaVersion, await command.ExecuteScalarAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (store, (database, _)) in _stores)
        {
            store.Dispose();
            await database.DisposeAsync();
        }
    }

    private SqlTraceStore Open(string connectionString)
    {
        var database = new PostgresTraceDatabase(connectionString);
        var store = new SqlTraceStore(database);
        _stores[store] = (database, connectionString);
        return store;
    }
}
