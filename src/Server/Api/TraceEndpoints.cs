using System.Text.Json;
using System.Text.Json.Serialization;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Lab;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Sni;
using FlowTrace.Tracer.Policy;
using FlowTrace.Tracer.Sni;
using FlowTrace.Server.Tracing;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Server.Api;

/// <summary>The JSON API: <c>POST /api/traces</c>, <c>POST /api/sni</c> and <c>GET /api/lab</c>.</summary>
public static class TraceEndpoints
{
    private static readonly JsonSerializerOptions RequestOptions = CreateRequestOptions();

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapTraceApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/traces", RunTraceAsync);
        app.MapPost("/api/sni", CompareSniAsync);
        app.MapGet("/api/info", (DestinationPolicy policy, LabHost lab) => Results.Json(
            new ServerInfo(policy.Mode.ToString().ToLowerInvariant(), policy.AllowedPorts.ToString(), lab.Lab is not null), TraceJson.Options));
        app.MapGet("/api/lab", (LabHost lab) => Results.Json(lab.Lab?.Sites ?? (IReadOnlyList<LabSite>)[], TraceJson.Options));
        return app;
    }

    private static async Task<IResult> RunTraceAsync(HttpRequest http, ITracer tracer, TraceRequestFactory factory, TraceAdmission admission, CancellationToken cancellationToken)
    {
        TraceRequestMessage? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync<TraceRequestMessage>(http.Body, RequestOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            return Problem($"The request body is not a valid trace request: {e.Message}");
        }

        if (message is null)
            return Problem("The request body is empty; send {\"url\": \"https://...\"}.");
        if (message.StepMode == true)
            return Problem("Step mode needs a live connection: use the hub at /hubs/trace.");
        var request = factory.Create(message, null, out var errors);
        if (request is null)
            return Problem(string.Join(" ", errors));
        using var lease = admission.TryAdmit(ClientIp(http), null, out var refusal);
        if (lease is null)
            return TooMany(refusal!);

        var events = new List<TraceEvent>();
        await foreach (var traceEvent in tracer.TraceAsync(request, cancellationToken).ConfigureAwait(false))
            events.Add(traceEvent);
        return Results.Json(events, TraceJson.Options);
    }

    private static async Task<IResult> CompareSniAsync(HttpRequest http, SniComparer comparer, SniRequestFactory factory, TraceAdmission admission, CancellationToken cancellationToken)
    {
        SniComparisonMessage? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync<SniComparisonMessage>(http.Body, RequestOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            return Problem($"The request body is not a valid SNI comparison request: {e.Message}");
        }

        if (message is null)
            return Problem("The request body is empty; send {\"target\": \"host:port\", \"names\": [...]}.");
        var request = factory.Create(message, out var errors);
        if (request is null)
            return Problem(string.Join(" ", errors));
        using var lease = admission.TryAdmit(ClientIp(http), null, out var refusal);
        if (lease is null)
            return TooMany(refusal!);
        var updates = new List<SniComparisonUpdate>();
        await foreach (var update in comparer.CompareAsync(request, cancellationToken).ConfigureAwait(false))
            updates.Add(update);
        return Results.Json(updates, TraceJson.Options);
    }

    private static string ClientIp(HttpRequest http) => http.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static IResult TooMany(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many traces");

    private static IResult Problem(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid trace request");

    private static JsonSerializerOptions CreateRequestOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
        TraceJson.Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
