using FlowTrace.Server.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FlowTrace.Server.Operations;

/// <summary>Healthy when the trace store's database (SQLite or PostgreSQL) opens a connection and answers a query.</summary>
public sealed class TraceStoreHealthCheck(TraceDatabase database) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy(database.Description);
        }
#pragma warning disable CA1031 // Whatever the database throws is the answer: unhealthy, with the reason.
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy($"{database.Description}: {e.Message}", e);
        }
    }
}
