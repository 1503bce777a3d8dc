using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Storage;
using FlowTrace.Server.Storage;

namespace FlowTrace.Server.Tests.Storage;

/// <summary>The one suite both databases must pass: each test has an empty database of its own.</summary>
public abstract class TraceStoreContractTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A store on an empty database, its schema not yet created.</summary>
    protected abstract Task<SqlTraceStore> NewStoreAsync();

    protected static TraceRecord Record(
        string host = "www.lab.test", DateTimeOffset? at = null, string? client = "client-a", StoredTraceOutcome outcome = StoredTraceOutcome.Completed,
        int? status = 200, TraceStep? failing = null, string? id = null) =>
        new(new StoredTraceInfo(id ?? TraceIds.New(), at ?? Noon, StoredTraceKind.Trace, $"https://{host}/", host, outcome, status, failing,
                outcome == StoredTraceOutcome.Cancelled ? null : TimeSpan.FromMilliseconds(12.345), 3),
            client, $$"""{"url":"https://{{host}}/"}""", "{\"sequence\":0}\n{\"sequence\":1}\n{\"sequence\":2}\n");

    [Fact]
    public async Task SaveAsync_ThenFindAsync_ReturnsEveryColumnAsStored()
    {
        var store = await NewStoreAsync();
        var failed = Record(outcome: StoredTraceOutcome.Failed, status: null, failing: TraceStep.Tls);
        var cancelled = Record(outcome: StoredTraceOutcome.Cancelled, client: null);
        await store.SaveAsync(failed, default);
        await store.SaveAsync(cancelled, default);
        Assert.Equal(failed, await store.FindAsync(failed.Info.Id, default));
        Assert.Equal(cancelled, await store.FindAsync(cancelled.Info.Id, default));
        Assert.Null(await store.FindAsync(TraceIds.New(), default));
    }

    [Fact]
    public async Task SaveAsync_TotalsOfAnyTickCount_ReadBackToTheTick()
    {
        var store = await NewStoreAsync();
        // 108,182 ticks was read back as 108,181 (10.8182 ms is not exact in binary); and a spread of others.
        var random = new Random(7);
        long[] ticks = [108_182, 1, 9_999_999, TimeSpan.TicksPerHour + 3, .. Enumerable.Range(0, 200).Select(_ => random.NextInt64(1, 10 * TimeSpan.TicksPerMinute))];
        foreach (var tick in ticks)
        {
            var record = Record();
            record = record with { Info = record.Info with { Total = TimeSpan.FromTicks(tick) } };
            await store.SaveAsync(record, default);
            Assert.Equal(tick, (await store.FindAsync(record.Info.Id, default))!.Info.Total?.Ticks);
        }
    }

    [Fact]
    public async Task InitializeAsync_AgainOnTheSameDatabase_KeepsTheRows()
    {
        var store = await NewStoreAsync();
        var record = Record();
        await store.SaveAsync(record, default);
        // Start-up runs it every time; a second server instance runs it too.
        await store.InitializeAsync(default);
        Assert.Equal(record, await store.FindAsync(record.Info.Id, default));
    }

    [Fact]
    public async Task SaveAsync_AnIdTaken_FailsAndTheFirstStays()
    {
        var store = await NewStoreAsync();
        var first = Record(host: "first.test");
        await store.SaveAsync(first, default);
        await Assert.ThrowsAnyAsync<Exception>(() => store.SaveAsync(Record(host: "second.test", id: first.Info.Id), default));
        Assert.Equal(first, await store.FindAsync(first.Info.Id, default));
    }

    [Fact]
    public async Task ListAsync_Filters_NewestFirstAndPaged()
    {
        var store = await NewStoreAsync();
        var records = Enumerable.Range(0, 7).Select(i => Record(host: i % 2 == 0 ? "even.test" : "odd.test", at: Noon.AddMinutes(i))).ToList();
        var failed = Record(host: "even.test", at: Noon.AddMinutes(10), outcome: StoredTraceOutcome.Failed, status: null, failing: TraceStep.Tcp, client: "client-b");
        foreach (var record in records.Append(failed))
            await store.SaveAsync(record, default);

        var (all, total) = await store.ListAsync(new TraceQuery(PageSize: 3), default);
        Assert.Equal(8, total);
        Assert.Equal([failed.Info.Id, records[6].Info.Id, records[5].Info.Id], all.Select(r => r.Info.Id));
        var (second, _) = await store.ListAsync(new TraceQuery(Page: 2, PageSize: 3), default);
        Assert.Equal([records[4].Info.Id, records[3].Info.Id, records[2].Info.Id], second.Select(r => r.Info.Id));
        // A listing carries no events.
        Assert.All(all, r => Assert.Equal("", r.EventsNdjson));

        Assert.Equal(5, (await store.ListAsync(new TraceQuery(Host: "EVEN.test"), default)).Total);
        Assert.Equal([failed.Info.Id], (await store.ListAsync(new TraceQuery(FailingStep: TraceStep.Tcp), default)).Items.Select(r => r.Info.Id));
        Assert.Equal([failed.Info.Id], (await store.ListAsync(new TraceQuery(Outcome: StoredTraceOutcome.Failed), default)).Items.Select(r => r.Info.Id));
        Assert.Equal(7, (await store.ListAsync(new TraceQuery(Status: 200), default)).Total);
        Assert.Equal(7, (await store.ListAsync(new TraceQuery(ClientId: "client-a"), default)).Total);
        Assert.Equal([failed.Info.Id], (await store.ListAsync(new TraceQuery(ClientId: "client-b"), default)).Items.Select(r => r.Info.Id));
        Assert.Equal(0, (await store.ListAsync(new TraceQuery(ClientId: "nobody"), default)).Total);
    }

    [Fact]
    public async Task DeleteAsync_ByAnotherClient_KeepsItByItsOwnerDeletesIt()
    {
        var store = await NewStoreAsync();
        var record = Record(client: "owner");
        await store.SaveAsync(record, default);
        Assert.False(await store.DeleteAsync(record.Info.Id, "someone-else", default));
        Assert.NotNull(await store.FindAsync(record.Info.Id, default));
        Assert.True(await store.DeleteAsync(record.Info.Id, "owner", default));
        Assert.Null(await store.FindAsync(record.Info.Id, default));
        Assert.False(await store.DeleteAsync(record.Info.Id, null, default));
    }

    [Fact]
    public async Task PruneAsync_AgeAndCount_DeletesTheOldestOnly()
    {
        var store = await NewStoreAsync();
        var records = Enumerable.Range(0, 6).Select(i => Record(at: Noon.AddDays(-i))).ToList();
        foreach (var record in records)
            await store.SaveAsync(record, default);

        // Older than four and a half days: the two oldest; then beyond the newest three: one more.
        Assert.Equal(3, await store.PruneAsync(Noon.AddDays(-4.5), keep: 3, default));
        var (left, total) = await store.ListAsync(new TraceQuery(), default);
        Assert.Equal(3, total);
        Assert.Equal(records.Take(3).Select(r => r.Info.Id), left.Select(r => r.Info.Id));
        Assert.Equal(0, await store.PruneAsync(Noon.AddDays(-30), keep: 10, default));
    }

    [Fact]
    public async Task InitializeAsync_SchemaNewerThanThisVersion_RefusesWithTheReason()
    {
        var store = await NewStoreAsync();
        await store.InitializeAsync(default);
        await ExecuteAsync(store, $"INSERT INTO schema_version (version) VALUES ({SqlTraceStore.SchemaVersion + 1})");
        var fresh = await ReopenAsync(store);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => fresh.InitializeAsync(default));
        Assert.Contains("newer than this FlowTrace", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs SQL on the store's database.</summary>
    protected abstract Task ExecuteAsync(SqlTraceStore store, string sql);

    /// <summary>A new store on the same database (as a restarted server would open it).</summary>
    protected abstract Task<SqlTraceStore> ReopenAsync(SqlTraceStore store);
}
