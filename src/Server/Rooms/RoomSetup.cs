using FlowTrace.Server.Operations;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using StackExchange.Redis;

namespace FlowTrace.Server.Rooms;

/// <summary>Workshop rooms in this server's memory, or, when <c>ConnectionStrings:Redis</c> names a Redis server, in
/// Redis with SignalR's Redis backplane carrying the rooms' messages between instances.</summary>
public static class RoomSetup
{
    /// <summary>The prefix of every Redis channel the backplane uses, so that several apps can share one Redis.</summary>
    public const string RedisChannelPrefix = "flowtrace";

    /// <summary>Registers the rooms' services.</summary>
    public static void AddRooms(WebApplicationBuilder builder, ISignalRServerBuilder signalR, IHealthChecksBuilder health)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(signalR);
        ArgumentNullException.ThrowIfNull(health);
        var services = builder.Services;
        var connectionString = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddSingleton<RoomRegistry>();
            services.AddSingleton<IRoomDirectory>(sp => sp.GetRequiredService<RoomRegistry>());
        }
        else
        {
            var configuration = ConfigurationOptions.Parse(connectionString);
            // Keep trying while Redis is away (a restart mid-workshop) rather than failing the server's start.
            configuration.AbortOnConnectFail = false;
            // Back within a second of Redis, not after an exponential backoff: a room waits for it.
            configuration.ReconnectRetryPolicy = new LinearRetry(1000);
            configuration.ChannelPrefix = RedisChannel.Literal(RedisChannelPrefix);
            // One connection for the backplane, the rooms' state and the health check.
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));
            signalR.AddStackExchangeRedis();
            services.AddSingleton<RoomsUnavailable>();
            signalR.AddHubOptions<RoomHub>(o => o.AddFilter<RoomsUnavailable>());
            services.AddOptions<RedisOptions>().Configure<IServiceProvider>((o, sp) =>
                o.ConnectionFactory = _ => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()));
            services.AddSingleton<RedisRoomDirectory>();
            services.AddSingleton<IRoomDirectory>(sp => sp.GetRequiredService<RedisRoomDirectory>());
            services.AddHostedService<RoomBackplaneWatch>();
            health.AddCheck<RedisHealthCheck>("redis");
        }

        services.AddSingleton<IRoomCounts>(sp => sp.GetRequiredService<IRoomDirectory>());
        services.AddSingleton<RoomBroadcast>();
        services.AddHostedService<RoomUpkeep>();
    }
}
