using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Storage;

/// <summary>
/// Creates or migrates the trace database's schema at start-up and enforces retention in the background (traces older
/// than <see cref="TraceStoreOptions.MaxAge"/> and beyond <see cref="TraceStoreOptions.MaxCount"/> are deleted). A database
/// that is down is said loudly in the log; tracing goes on, and the store tries again on its next use.
/// </summary>
public sealed class TraceStoreUpkeep(ITraceStore store, IOptions<TraceStoreOptions> options, TimeProvider time, ILogger<TraceStoreUpkeep> log) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            log.LogInformation("Storing traces is switched off ({Section}:Enabled=false)", TraceStoreOptions.Section);
            return;
        }

        using var timer = new PeriodicTimer(settings.PruneInterval, time);
        do
        {
            try
            {
                await store.InitializeAsync(stoppingToken).ConfigureAwait(false);
                var pruned = await store.PruneAsync(time.GetUtcNow() - settings.MaxAge, settings.MaxCount, stoppingToken).ConfigureAwait(false);
                if (pruned > 0)
                    log.LogInformation("Retention deleted {Count} stored traces (older than {MaxAge} or beyond the newest {MaxCount})", pruned, settings.MaxAge, settings.MaxCount);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A database that is down must not stop the server; it is told and tried again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                log.LogError(e, "The trace store ({Store}) is unavailable; traces are not stored until it is back", store.Description);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
