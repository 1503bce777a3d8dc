using System.Text.Json;
using System.Text.Json.Serialization;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Lab;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Sni;
using FlowTrace.Contracts.Storage;
using FlowTrace.Server.Storage;
using FlowTrace.Tracer.Policy;
using FlowTrace.Tracer.Sni;
using FlowTrace.Server.Tracing;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Server.Api;

/// <summary>The JSON API: <c>POST /api/traces</c> (the stored trace's id and its events, with a Location header; with
/// <c>repeat</c> above 1, every run, each stored, and the statistics), <c>POST /api/sni</c> and <c>GET /api/lab</c>.</summary>
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

    private static async Task<IResult> RunTraceAsync(HttpRequest http, ITracer tracer, FlowTracer unmetered, TraceRequestFactory factory, TraceAdmission admission, WarmUpKey warmUp, TraceRecorder recorder, CancellationToken cancellationToken)
    {
        var (message, invalid) = await ReadBodyAsync<TraceRequestMessage>(http, "trace request", "{\"url\": \"https://...\"}", cancellationToken).ConfigureAwait(false);
        if (message is null)
            return invalid!;
        if (message.StepMode == true)
            return Problem("Step mode needs a live connection: use the hub at /hubs/trace.");
        var request = factory.Create(message, null, out var errors);
        if (request is null)
            return Problem(string.Join(" ", errors));
        var runs = message.Repeat ?? 1;
        string? refusal = null;
        // The server's own warm-up request is no client's: it spends nobody's rate limit, and it is not kept.
        var ownWarmUp = warmUp.Marks(http);
        using var lease = ownWarmUp ? null : admission.TryAdmit(ClientIp(http), null, out refusal, runs);
        if (refusal is not null)
            return TooMany(refusal);

        // One run or several, through the one runner: one run's answer is its events, several runs' every run and the
        // statistics.
        var perRun = new List<List<TraceEvent>>();
        RepeatStatistics? statistics = null;
        try
        {
            // The server's own warm-up is nobody's trace: the metrics do not count it.
            await foreach (var update in (ownWarmUp ? unmetered : tracer).RepeatAsync(request, runs, cancellationToken).ConfigureAwait(false))
            {
                if (update.Event is { } runEvent)
                {
                    if (perRun.Count < update.Run)
                        perRun.Add([]);
                    perRun[update.Run - 1].Add(runEvent);
                }

                statistics = update.Statistics ?? statistics;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped before the tracer could tell it: handled below with the stops it did tell.
        }

        // The client went away (the tracer usually tells a stopped run and ends, so the loop ends without an exception):
        // what ran is still kept; each run says whether it finished or was stopped.
        var cancelled = cancellationToken.IsCancellationRequested;

        var stored = new List<StoreAttempt>();
        foreach (var run in perRun)
            stored.Add(ownWarmUp ? new StoreAttempt(null, "The server's warm-up is not stored.") : await recorder.SaveTraceAsync(message, run, ClientIds.Of(http.HttpContext)).ConfigureAwait(false));
        if (cancelled)
            return Results.Empty;
        if (runs == 1)
        {
            var attempt = stored.SingleOrDefault() ?? new StoreAttempt(null, "The trace produced no events.");
            var result = new TraceStoredResult(attempt.Id, attempt.Permalink, perRun.SingleOrDefault() ?? [], attempt.Error);
            if (attempt.Id is null)
                return Results.Json(result, TraceJson.Options);
            http.HttpContext.Response.Headers.Location = $"/api/traces/{attempt.Id}";
            return Results.Json(result, TraceJson.Options, statusCode: StatusCodes.Status201Created);
        }

        // Every trace ends with a summary, so statistics are missing only if the tracer broke its promise.
        return statistics is null
            ? Results.Problem("The runs ended without a summary.", statusCode: StatusCodes.Status500InternalServerError)
            : Results.Json(new RepeatResult([.. perRun], statistics, [.. stored.Select(s => s.Id)]), TraceJson.Options);
    }

    private static async Task<IResult> CompareSniAsync(HttpRequest http, SniComparer comparer, SniRequestFactory factory, TraceAdmission admission, TraceRecorder recorder, CancellationToken cancellationToken)
    {
        var (message, invalid) = await ReadBodyAsync<SniComparisonMessage>(http, "SNI comparison request", "{\"target\": \"host:port\", \"names\": [...]}", cancellationToken).ConfigureAwait(false);
        if (message is null)
            return invalid!;
        var request = factory.Create(message, out var errors);
        if (request is null)
            return Problem(string.Join(" ", errors));
        using var lease = admission.TryAdmit(ClientIp(http), null, out var refusal);
        if (lease is null)
            return TooMany(refusal!);
        var updates = new List<SniComparisonUpdate>();
        try
        {
            await foreach (var update in comparer.CompareAsync(request, cancellationToken).ConfigureAwait(false))
                updates.Add(update);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: kept below like a comparison that ended, marked cancelled.
        }

        // The client went away: what was compared is still kept, as a cancelled comparison, and nobody is left to answer.
        var attempt = await recorder.SaveSniAsync(message, updates, cancellationToken.IsCancellationRequested, ClientIds.Of(http.HttpContext)).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
            return Results.Empty;
        if (attempt.Id is not null)
            http.HttpContext.Response.Headers.Location = $"/api/traces/{attempt.Id}";
        return Results.Json(updates, TraceJson.Options);
    }

    /// <summary>Reads a JSON body strictly (unknown members refused); on failure returns the 400 to send instead.</summary>
    private static async Task<(T? Message, IResult? Invalid)> ReadBodyAsync<T>(HttpRequest http, string what, string example, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var message = await JsonSerializer.DeserializeAsync<T>(http.Body, RequestOptions, cancellationToken).ConfigureAwait(false);
            return message is null ? (null, Problem($"The request body is empty; send {example}.")) : (message, null);
        }
        catch (JsonException e)
        {
            return (null, Problem($"The request body is not a valid {what}: {e.Message}"));
        }
    }

    private static string ClientIp(HttpRequest http) => http.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static IResult TooMany(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many traces");

    private static IResult Problem(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid trace request");

    private static JsonSerializerOptions CreateRequestOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
        TraceJson.ConfigureForHost(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
