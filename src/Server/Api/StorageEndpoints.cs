using FlowTrace.Contracts;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Storage;
using FlowTrace.Server.Storage;
using FlowTrace.Tracer.Export;
using FlowTrace.Tracer.Policy;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Api;

/// <summary>
/// Stored traces: <c>GET /api/traces</c> (the history, newest first, filtered and paged), <c>GET /api/traces/{id}</c>,
/// <c>DELETE /api/traces/{id}</c>, <c>GET /api/traces/{id}/ndjson</c> (the events as <c>flowtrace --json</c> prints
/// them) and <c>POST /api/traces/import</c>. A permalink is readable by whoever has its id; on a public server the
/// history lists, and delete reaches, only the asking browser's own traces.
/// </summary>
public static class StorageEndpoints
{
    /// <summary>The most traces one history page lists.</summary>
    public const int MaxPageSize = 200;

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapStorageApi(this IEndpointRouteBuilder app)
    {
        var traces = app.MapGroup("/api/traces").AddEndpointFilter(StoreUnavailableAsync);
        traces.MapGet("", ListAsync);
        traces.MapGet("{id}", GetAsync);
        traces.MapDelete("{id}", DeleteAsync);
        traces.MapGet("{id}/ndjson", NdjsonAsync);
        traces.MapGet("{id}/har", HarAsync);
        traces.MapGet("{id}/commands", CommandsAsync);
        traces.MapPost("import", ImportAsync);
        return app;
    }

    /// <summary>A database that is down is a 503 that says so (and an error in the log), not an unhandled exception.</summary>
    private static async ValueTask<object?> StoreUnavailableAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException e)
        {
            var services = context.HttpContext.RequestServices;
            var store = services.GetRequiredService<ITraceStore>();
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StorageEndpoints)).LogError(e, "The trace store ({Store}) is unavailable", store.Description);
            return Results.Problem($"The trace store is unavailable: {e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage unavailable");
        }
    }

    private static async Task<IResult> ListAsync(HttpContext http, ITraceStore store, DestinationPolicy policy, CancellationToken cancellationToken,
        string? host = null, int? status = null, string? failingStep = null, string? outcome = null, int page = 1, int pageSize = 50)
    {
        if (page < 1 || pageSize < 1 || pageSize > MaxPageSize)
            return Problem($"'page' starts at 1 and 'pageSize' is 1 to {MaxPageSize}.");
        TraceStep? step = null;
        if (failingStep is not null)
        {
            if (!Enum.TryParse<TraceStep>(failingStep, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return Problem($"'failingStep' is one of {string.Join(", ", Enum.GetNames<TraceStep>())}.");
            step = parsed;
        }

        StoredTraceOutcome? ended = null;
        if (outcome is not null)
        {
            if (!Enum.TryParse<StoredTraceOutcome>(outcome, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return Problem($"'outcome' is one of {string.Join(", ", Enum.GetNames<StoredTraceOutcome>())}.");
            ended = parsed;
        }

        var query = new TraceQuery(OwnerFilter(http, policy), string.IsNullOrWhiteSpace(host) ? null : host.Trim(), status, step, ended, page, pageSize);
        var (items, total) = await store.ListAsync(query, cancellationToken).ConfigureAwait(false);
        return Results.Json(new StoredTraceList([.. items.Select(i => i.Info)], total, page, pageSize), TraceJson.Options);
    }

    private static async Task<IResult> GetAsync(string id, ITraceStore store, CancellationToken cancellationToken) =>
        await FindAsync(id, store, cancellationToken).ConfigureAwait(false) is { } record
            ? Results.Json(StoredTraces.ToContract(record), TraceJson.Options)
            : NotFound(id);

    private static async Task<IResult> NdjsonAsync(string id, ITraceStore store, CancellationToken cancellationToken) =>
        await FindAsync(id, store, cancellationToken).ConfigureAwait(false) is { } record
            ? Results.Text(record.EventsNdjson, "application/x-ndjson; charset=utf-8")
            : NotFound(id);

    private static async Task<IResult> HarAsync(string id, HttpContext http, ITraceStore store, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, store, cancellationToken).ConfigureAwait(false) is not { Info.Kind: StoredTraceKind.Trace } record)
            return NotFound(id);
        var events = StoredTraces.ToContract(record).Events;
        // Stored when it ended: it started its whole time earlier.
        var took = (events.Count > 0 ? events[^1].Details as TraceSummary : null)?.Total ?? (events.Count > 0 ? events[^1].Offset : TimeSpan.Zero);
        var version = typeof(StorageEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"flowtrace-{record.Info.Host}-{id}.har\"";
        return Results.Text(HarExport.Write(events, record.Info.CreatedAt - took, version), "application/json; charset=utf-8");
    }

    private static async Task<IResult> CommandsAsync(string id, ITraceStore store, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, store, cancellationToken).ConfigureAwait(false) is not { Info.Kind: StoredTraceKind.Trace } record)
            return NotFound(id);
        var stored = StoredTraces.ToContract(record);
        // A CA the trace was told to trust is the user's own file; the command names it as ca.pem.
        var curl = ReproduceCommands.Curl(stored.Events, string.IsNullOrWhiteSpace(stored.Request?.TrustedRoots) ? null : "ca.pem");
        return Results.Json(new TraceCommands(curl?.Text, curl?.Note, ReproduceCommands.Openssl(stored.Events)?.Text), TraceJson.Options);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, ITraceStore store, DestinationPolicy policy, CancellationToken cancellationToken)
    {
        if (!TraceIds.IsWellFormed(id))
            return NotFound(id);
        // On a public server only the browser that made a trace may delete it; a permalink lets others read, not delete.
        return await store.DeleteAsync(id, OwnerFilter(http, policy), cancellationToken).ConfigureAwait(false) ? Results.NoContent() : NotFound(id);
    }

    private static async Task<IResult> ImportAsync(HttpContext http, TraceRecorder recorder, IOptions<TraceStoreOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (http.Request.ContentLength > limits.MaxImportBytes)
            return Problem($"The file is larger than {limits.MaxImportBytes:N0} bytes, the most an import may be.", StatusCodes.Status413PayloadTooLarge);
        // Read up to the limit and no further, whatever the request said its length was.
        using var body = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (body.Length + read > limits.MaxImportBytes)
                return Problem($"The file is larger than {limits.MaxImportBytes:N0} bytes, the most an import may be.", StatusCodes.Status413PayloadTooLarge);
            body.Write(chunk, 0, read);
        }

        var text = System.Text.Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);

        var events = StoredTraces.ParseImport(text, limits.MaxImportEvents, out var error);
        if (events is null)
            return Problem(error!);
        var started = (TraceStartedDetails)events[0].Details!;
        var attempt = await recorder.SaveTraceAsync(new TraceRequestMessage { Url = started.Url }, events, ClientIds.Of(http)).ConfigureAwait(false);
        return attempt.Id is null
            ? Results.Problem(attempt.Error, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The trace could not be stored")
            : Results.Created($"/api/traces/{attempt.Id}", new TraceStoredResult(attempt.Id, attempt.Permalink, events, null));
    }

    /// <summary>Whose traces this request may list or delete: the asking browser's on a public server, anyone's otherwise.</summary>
    private static string? OwnerFilter(HttpContext http, DestinationPolicy policy) =>
        policy.Mode == DestinationMode.Public ? ClientIds.Of(http) ?? "" : null;

    private static async Task<TraceRecord?> FindAsync(string id, ITraceStore store, CancellationToken cancellationToken) =>
        TraceIds.IsWellFormed(id) ? await store.FindAsync(id, cancellationToken).ConfigureAwait(false) : null;

    private static IResult NotFound(string id) =>
        Results.Problem($"No stored trace has the id '{id}' (it may have been deleted, or be older than the server keeps).", statusCode: StatusCodes.Status404NotFound, title: "No such trace");

    private static IResult Problem(string detail, int status = StatusCodes.Status400BadRequest) =>
        Results.Problem(detail: detail, statusCode: status, title: "Invalid request");
}
