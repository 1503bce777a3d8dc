using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Storage;

namespace FlowTrace.Server.Storage;

/// <summary>
/// The trace store on a relational database through Dapper: the same SQL on SQLite and PostgreSQL (text, integer and
/// double columns only; times as Unix milliseconds), the differences kept in <see cref="TraceDatabase"/>.
/// </summary>
public sealed class SqlTraceStore(TraceDatabase database) : ITraceStore, IDisposable
{
    /// <summary>Held while the schema is checked: the first call checks it, and calls after a failed check try again, so
    /// a database that was down at start-up is used once it is up.</summary>
    private readonly SemaphoreSlim _schema = new(1, 1);
    private bool _ready;

    /// <summary>The schema's versions, in order; a database at version N runs the steps after N at start-up.</summary>
    private static readonly string[][] Migrations =
    [
        [
            """
            CREATE TABLE traces (
                id TEXT NOT NULL PRIMARY KEY,
                created_at BIGINT NOT NULL,
                kind TEXT NOT NULL,
                client_id TEXT NULL,
                url TEXT NOT NULL,
                host TEXT NOT NULL,
                outcome TEXT NOT NULL,
                final_status INTEGER NULL,
                failing_step TEXT NULL,
                total_ms DOUBLE PRECISION NULL,
                event_count INTEGER NOT NULL,
                request_json TEXT NOT NULL,
                events_ndjson TEXT NOT NULL)
            """,
            "CREATE INDEX traces_by_time ON traces (created_at)",
            "CREATE INDEX traces_by_client ON traces (client_id, created_at)",
            "CREATE INDEX traces_by_host ON traces (host, created_at)",
        ],
    ];

    private const string Columns =
        "id AS Id, created_at AS CreatedAt, kind AS Kind, client_id AS ClientId, url AS Url, host AS Host, outcome AS Outcome, " +
        "final_status AS FinalStatus, failing_step AS FailingStep, total_ms AS TotalMs, event_count AS EventCount";

    /// <inheritdoc />
    public string Description => database.Description;

    /// <summary>The schema version this code writes.</summary>
    public static int SchemaVersion => Migrations.Length;

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_ready)
            return;
        await _schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_ready)
                await MigrateAsync(cancellationToken).ConfigureAwait(false);
            _ready = true;
        }
        finally
        {
            _schema.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _schema.Dispose();

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await database.PrepareAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await database.LockSchemaAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var version = await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT MAX(version) FROM schema_version", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
        if (version > Migrations.Length)
            throw new InvalidOperationException($"The trace database ({database.Description}) has schema version {version}, newer than this FlowTrace's {Migrations.Length}.");
        for (var next = version; next < Migrations.Length; next++)
        {
            foreach (var statement in Migrations[next])
                await connection.ExecuteAsync(new CommandDefinition(statement, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO schema_version (version) VALUES (@version)", new { version = next + 1 }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SaveAsync(TraceRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var info = record.Info;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // One statement: the row is there whole or not at all.
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO traces (id, created_at, kind, client_id, url, host, outcome, final_status, failing_step, total_ms, event_count, request_json, events_ndjson) " +
            "VALUES (@Id, @CreatedAt, @Kind, @ClientId, @Url, @Host, @Outcome, @FinalStatus, @FailingStep, @TotalMs, @EventCount, @RequestJson, @EventsNdjson)",
            new
            {
                info.Id,
                CreatedAt = info.CreatedAt.ToUnixTimeMilliseconds(),
                Kind = info.Kind.ToString(),
                record.ClientId,
                info.Url,
                info.Host,
                Outcome = info.Outcome.ToString(),
                info.FinalStatus,
                FailingStep = info.FailingStep?.ToString(),
                TotalMs = info.Total?.TotalMilliseconds,
                info.EventCount,
                record.RequestJson,
                record.EventsNdjson,
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<TraceRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns}, request_json AS RequestJson, events_ndjson AS EventsNdjson FROM traces WHERE id = @id", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <inheritdoc />
    public async Task<(IReadOnlyList<TraceRecord> Items, int Total)> ListAsync(TraceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new StringBuilder("1 = 1");
        var parameters = new DynamicParameters();
        void Filter(string column, string name, object? value)
        {
            if (value is null)
                return;
            where.Append(CultureInfo.InvariantCulture, $" AND {column} = @{name}");
            parameters.Add(name, value);
        }

        Filter("client_id", "clientId", query.ClientId);
        Filter("host", "host", query.Host?.ToLowerInvariant());
        Filter("final_status", "status", query.Status);
        Filter("failing_step", "failingStep", query.FailingStep?.ToString());
        Filter("outcome", "outcome", query.Outcome?.ToString());
        parameters.Add("take", query.PageSize);
        parameters.Add("skip", (query.Page - 1) * query.PageSize);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM traces WHERE {where}", parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns}, '' AS RequestJson, '' AS EventsNdjson FROM traces WHERE {where} ORDER BY created_at DESC, id LIMIT @take OFFSET @skip",
            parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return ([.. rows.Select(r => r.ToRecord())], (int)total);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string id, string? clientId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var deleted = clientId is null
            ? await connection.ExecuteAsync(new CommandDefinition("DELETE FROM traces WHERE id = @id", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false)
            : await connection.ExecuteAsync(new CommandDefinition("DELETE FROM traces WHERE id = @id AND client_id = @clientId", new { id, clientId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return deleted > 0;
    }

    /// <inheritdoc />
    public async Task<int> PruneAsync(DateTimeOffset olderThan, int keep, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var old = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM traces WHERE created_at < @cutoff", new { cutoff = olderThan.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        // All but the newest `keep`: older than the keep-th newest (a tie at that instant stays, which errs on keeping).
        var beyond = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM traces WHERE created_at < (SELECT created_at FROM traces ORDER BY created_at DESC LIMIT 1 OFFSET @offset)",
            new { offset = keep - 1 }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return old + beyond;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await database.OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A row as Dapper reads it (the columns' SQL names are aliased to these).</summary>
    private sealed class Row
    {
        public string Id { get; init; } = "";
        public long CreatedAt { get; init; }
        public string Kind { get; init; } = "";
        public string? ClientId { get; init; }
        public string Url { get; init; } = "";
        public string Host { get; init; } = "";
        public string Outcome { get; init; } = "";
        public int? FinalStatus { get; init; }
        public string? FailingStep { get; init; }
        public double? TotalMs { get; init; }
        public int EventCount { get; init; }
        public string RequestJson { get; init; } = "";
        public string EventsNdjson { get; init; } = "";

        public TraceRecord ToRecord() => new(
            new StoredTraceInfo(
                Id,
                DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
                Enum.Parse<StoredTraceKind>(Kind),
                Url,
                Host,
                Enum.Parse<StoredTraceOutcome>(Outcome),
                FinalStatus,
                FailingStep is null ? null : Enum.Parse<TraceStep>(FailingStep),
                // Kept as milliseconds for listing and sorting; back to the exact tick count the trace measured.
                TotalMs is { } ms ? TimeSpan.FromTicks((long)Math.Round(ms * TimeSpan.TicksPerMillisecond)) : null,
                EventCount),
            ClientId,
            RequestJson,
            EventsNdjson);
    }
}
