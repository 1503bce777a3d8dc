using StackExchange.Redis;

namespace FlowTrace.Server.Rooms;

/// <summary>
/// Watches the Redis connection rooms are shared over. When it drops, this instance's attendees of rooms presented
/// elsewhere are told they are behind (<see cref="RoomHub.BehindMethod"/>); when it returns, the rooms presented here are
/// written back (<see cref="RedisRoomDirectory.RestoreAsync"/>) and everyone in them, on every instance, is told to catch
/// up (<see cref="RoomHub.ResyncMethod"/>: the browser joins again and reads the room's current trace).
/// </summary>
public sealed class RoomBackplaneWatch(IConnectionMultiplexer redis, RedisRoomDirectory rooms, RoomBroadcast broadcast, ILogger<RoomBackplaneWatch> log) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionFailed += OnFailed;
        redis.ConnectionRestored += OnRestored;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionFailed -= OnFailed;
        redis.ConnectionRestored -= OnRestored;
        return Task.CompletedTask;
    }

    private void OnFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Subscription)
            return;
        log.LogWarning("Redis is away ({Failure}): rooms presented on other instances stop reaching this one's attendees", e.FailureType);
        _ = RunAsync(async () =>
        {
            foreach (var code in broadcast.LocalRooms.Where(code => !rooms.PresentsHere(code)))
                await broadcast.SendLocalAsync(code, RoomHub.BehindMethod, []).ConfigureAwait(false);
        });
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        log.LogInformation("Redis is back ({Connection}): rooms catch up", e.ConnectionType);
        _ = RunAsync(async () =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                // What this instance presented meanwhile goes back to Redis, then every instance's attendees read it.
                foreach (var code in await rooms.RestoreAsync().ConfigureAwait(false))
                    await broadcast.SendAsync(code, RoomHub.ResyncMethod, []).ConfigureAwait(false);
            }
            else
            {
                // This instance hears the rooms again: its own attendees read what they missed.
                foreach (var code in broadcast.LocalRooms.Where(code => !rooms.PresentsHere(code)))
                    await broadcast.SendLocalAsync(code, RoomHub.ResyncMethod, []).ConfigureAwait(false);
            }
        });
    }

    private async Task RunAsync(Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Redis may go away again while this runs; the next restore tries again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            log.LogWarning(e, "Catching rooms up after Redis returned failed");
        }
    }
}
