using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace FlowTrace.Server.Operations;

/// <summary>Healthy when Redis answers a PING. While it is away the instance still works on its own (rooms then reach
/// only this instance's attendees until it returns), so that is Degraded, not Unhealthy.</summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Redis answered a PING in {latency.TotalMilliseconds:0.0} ms");
        }
#pragma warning disable CA1031 // Whatever the client throws is the answer: degraded, with the reason.
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Degraded($"Redis is unreachable: {e.Message}", e);
        }
    }
}
