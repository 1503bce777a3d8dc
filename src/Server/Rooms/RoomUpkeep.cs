namespace FlowTrace.Server.Rooms;

/// <summary>Closes rooms left idle beyond <see cref="RoomOptions.IdleTimeout"/>, once a minute.</summary>
public sealed class RoomUpkeep(IRoomDirectory rooms, TimeProvider time, ILogger<RoomUpkeep> log) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (await rooms.CloseIdleAsync(stoppingToken).ConfigureAwait(false) is > 0 and var closed)
                    log.LogInformation("Closed {Count} idle workshop rooms", closed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
