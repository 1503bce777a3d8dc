using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Tracing;

/// <summary>
/// Decides whether a trace may start: per client IP rate limit, per browser connection cap, server-wide cap.
/// SignalR's own per-client invocation limit does not cover streaming methods and rate-limiting middleware cannot
/// see messages inside an open WebSocket, so the hub and the API both ask here.
/// </summary>
public sealed class TraceAdmission : IDisposable
{
    private readonly FlowTraceServerOptions _options;
    private readonly PartitionedRateLimiter<string> _perClient;
    private readonly ConcurrentDictionary<string, int> _perConnection = new();
    private readonly SemaphoreSlim _serverWide;

    /// <summary>Creates the admission control from the server options.</summary>
    public TraceAdmission(IOptions<FlowTraceServerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _perClient = PartitionedRateLimiter.Create<string, string>(ip => RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = _options.TracesPerMinutePerClient,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
        _serverWide = new SemaphoreSlim(_options.MaxConcurrentTraces);
    }

    /// <summary>Admits a trace (or <paramref name="traces"/> run one after the other, as a repeat does) or says, in
    /// words, why not. Dispose the lease when the last trace ends.</summary>
    public IDisposable? TryAdmit(string clientIp, string? connectionId, out string? refusal, int traces = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(traces, 1);
        if (traces > _options.TracesPerMinutePerClient)
        {
            refusal = $"{traces} runs are more than the {_options.TracesPerMinutePerClient} traces one client may start a minute on this server; ask for fewer.";
            return null;
        }

        using var permit = _perClient.AttemptAcquire(clientIp, traces);
        if (!permit.IsAcquired)
        {
            refusal = traces == 1
                ? $"Too many traces from {clientIp}: at most {_options.TracesPerMinutePerClient} a minute. Try again in a minute."
                : $"Too many traces from {clientIp}: {traces} more would pass the {_options.TracesPerMinutePerClient} a minute allowed. Try again in a minute, or ask for fewer runs.";
            return null;
        }

        if (connectionId is not null)
        {
            var running = _perConnection.AddOrUpdate(connectionId, 1, (_, n) => n + 1);
            if (running > _options.MaxTracesPerConnection)
            {
                Release(connectionId);
                refusal = $"At most {_options.MaxTracesPerConnection} traces can run at once from one page; wait for one to finish.";
                return null;
            }
        }

        if (!_serverWide.Wait(0))
        {
            if (connectionId is not null)
                Release(connectionId);
            refusal = $"The server is running its maximum of {_options.MaxConcurrentTraces} traces; try again shortly.";
            return null;
        }

        refusal = null;
        return new Lease(this, connectionId);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _perClient.Dispose();
        _serverWide.Dispose();
    }

    private void Release(string connectionId)
    {
        if (_perConnection.AddOrUpdate(connectionId, 0, (_, n) => n - 1) <= 0)
            _perConnection.TryRemove(new KeyValuePair<string, int>(connectionId, 0));
    }

    private sealed class Lease(TraceAdmission owner, string? connectionId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
                return;
            owner._serverWide.Release();
            if (connectionId is not null)
                owner.Release(connectionId);
        }
    }
}
