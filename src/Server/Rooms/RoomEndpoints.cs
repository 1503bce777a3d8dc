using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Rooms;
using QRCoder;

namespace FlowTrace.Server.Rooms;

/// <summary><c>POST /api/rooms</c> opens a workshop room; <c>GET /api/rooms/{code}</c> tells its state (never its key);
/// <c>GET /api/rooms/{code}/qr.svg</c> is the join link as a QR code for the projector.</summary>
public static class RoomEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapRoomApi(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms").AddEndpointFilter(RoomsUnavailable.EndpointAsync);
        rooms.MapPost("", Open);
        rooms.MapGet("/{code}", async (string code, IRoomDirectory rooms, CancellationToken cancellationToken) =>
            await rooms.StateAsync(code, cancellationToken).ConfigureAwait(false) is { } state ? Results.Json(state, TraceJson.Options) : NotFound());
        rooms.MapGet("/{code}/qr.svg", async (string code, HttpRequest http, IRoomDirectory rooms, CancellationToken cancellationToken) =>
            await rooms.StateAsync(code, cancellationToken).ConfigureAwait(false) is { } state ? Results.Text(QrSvg(JoinUrl(http, state.Code)), "image/svg+xml") : NotFound());
        return app;
    }

    /// <summary>The attendees' page for a room, on the address the request came through.</summary>
    public static string JoinUrl(HttpRequest http, string code)
    {
        ArgumentNullException.ThrowIfNull(http);
        return $"{http.Scheme}://{http.Host}{http.PathBase}/r/{code}";
    }

    /// <summary>A QR code of <paramref name="text"/> as SVG (QRCoder), medium error correction.</summary>
    public static string QrSvg(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(8);
    }

    private static async Task<IResult> Open(HttpRequest http, IRoomDirectory rooms, CreateRoomMessage? message, CancellationToken cancellationToken)
    {
        var opening = await rooms.OpenAsync(message?.Title, cancellationToken).ConfigureAwait(false);
        if (opening is not { Code: { } code, PresenterKey: { } key })
            return Results.Problem(opening.Refusal, statusCode: StatusCodes.Status503ServiceUnavailable, title: "No room left");
        return Results.Json(new RoomCreated(code, key, JoinUrl(http, code)), TraceJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static IResult NotFound() =>
        Results.Problem(RoomHub.NoSuchRoom, statusCode: StatusCodes.Status404NotFound, title: "No such room");
}
