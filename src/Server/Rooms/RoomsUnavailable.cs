using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace FlowTrace.Server.Rooms;

/// <summary>
/// Redis away (with <c>ConnectionStrings:Redis</c>) is an answer, not an unhandled exception: the room hub's methods
/// fail with words the page shows, and the room API answers 503. The presenter's trace itself does not wait for Redis
/// (<see cref="RedisRoomDirectory"/>); what needs the shared state (joining, opening a room, answering) waits for its return.
/// </summary>
public sealed class RoomsUnavailable(ILogger<RoomsUnavailable> log) : IHubFilter
{
    /// <summary>What the hub and the API say while Redis is away.</summary>
    public const string Message = "The workshop rooms' shared state (Redis) is unreachable just now; try again in a moment.";

    /// <inheritdoc />
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(invocationContext).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            log.LogWarning(e, "Room hub {Method}: Redis is unreachable", invocationContext.HubMethodName);
            throw new HubException(Message);
        }
    }

    /// <summary>The room API's filter: 503 with <see cref="Message"/>.</summary>
    public static async ValueTask<object?> EndpointAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            context.HttpContext.RequestServices.GetRequiredService<ILogger<RoomsUnavailable>>().LogWarning(e, "Room API: Redis is unreachable");
            return Results.Problem(Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Rooms unavailable");
        }
    }
}
