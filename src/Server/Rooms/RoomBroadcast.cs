using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace FlowTrace.Server.Rooms;

/// <summary>
/// Sends a room's messages to everyone in it: through the room's SignalR group, which with Redis reaches every instance
/// (the backplane). When Redis is away the group cannot carry anything, so the message goes straight to this instance's
/// own attendees (a message to one local connection never touches Redis): those on the presenter's instance keep
/// following, and the others are told they are behind (<see cref="RoomBackplaneWatch"/>).
/// </summary>
public sealed class RoomBroadcast(IHubContext<RoomHub> hub, ILogger<RoomBroadcast> log, IConnectionMultiplexer? redis = null)
{
    /// <summary>How long a message may wait for Redis before it goes to the local attendees instead.</summary>
    private static readonly TimeSpan GroupSendLimit = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _local = new(StringComparer.Ordinal);

    /// <summary>Puts a connection of this instance into the room's group.</summary>
    public async Task AddAsync(string code, string connectionId, CancellationToken cancellationToken)
    {
        _local.GetOrAdd(code, _ => new(StringComparer.Ordinal))[connectionId] = 0;
        try
        {
            await hub.Groups.AddToGroupAsync(connectionId, RoomHub.Group(code), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (redis is not null && e is RedisException or TimeoutException)
        {
            // The group's subscription is made again when Redis returns; meanwhile the local list reaches this one.
            log.LogWarning(e, "Room {Code}: Redis is away, joining the group waits for it", code);
        }
    }

    /// <summary>Forgets a closed connection.</summary>
    public void Remove(string connectionId)
    {
        foreach (var connections in _local.Values)
            connections.TryRemove(connectionId, out _);
    }

    /// <summary>This instance's connections in the room.</summary>
    public IReadOnlyList<string> LocalConnections(string code) =>
        _local.TryGetValue(code, out var connections) ? [.. connections.Keys] : [];

    /// <summary>The rooms with connections on this instance.</summary>
    public IReadOnlyList<string> LocalRooms => [.. _local.Where(r => !r.Value.IsEmpty).Select(r => r.Key)];

    /// <summary>Sends <paramref name="method"/> to everyone in the room; to this instance's attendees alone while Redis is away.</summary>
    public async Task SendAsync(string code, string method, object?[] args)
    {
        if (redis is null || redis.IsConnected)
        {
            try
            {
                await hub.Clients.Group(RoomHub.Group(code)).SendCoreAsync(method, args).WaitAsync(GroupSendLimit).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (redis is not null && e is RedisException or TimeoutException)
            {
                log.LogWarning(e, "Room {Code}: Redis did not take {Method}; this instance's attendees get it directly", code, method);
            }
        }

        await SendLocalAsync(code, method, args).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="method"/> to this instance's connections in the room only.</summary>
    public async Task SendLocalAsync(string code, string method, object?[] args)
    {
        foreach (var connectionId in LocalConnections(code))
        {
            try
            {
                await hub.Clients.Client(connectionId).SendCoreAsync(method, args).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One closed connection must not keep the message from the others.
            catch (Exception e)
#pragma warning restore CA1031
            {
                log.LogDebug(e, "Room {Code}: {Method} did not reach {Connection}", code, method, connectionId);
            }
        }
    }
}
