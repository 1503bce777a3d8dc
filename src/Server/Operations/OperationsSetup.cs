using System.Net;
using System.Text.Json;
using FlowTrace.Server.Tracing;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace FlowTrace.Server.Operations;

/// <summary>
/// What whoever runs the server needs: health checks at <c>/healthz</c> (the trace store's database; Redis is added by
/// <see cref="Rooms.RoomSetup"/> when configured) and OpenTelemetry
/// metrics (scraped at <c>/metrics</c> in Prometheus' format, and pushed over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set).
/// </summary>
public static class OperationsSetup
{
    /// <summary>The health endpoint's path.</summary>
    public const string HealthPath = "/healthz";

    /// <summary>The Prometheus scraping endpoint's path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Registers the health checks and the metrics; the health checks' builder, for the checks of other parts.</summary>
    public static IHealthChecksBuilder AddOperations(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var health = builder.Services.AddHealthChecks().AddCheck<TraceStoreHealthCheck>("storage");
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(TraceMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
                "Microsoft.AspNetCore.Http.Connections");
            metrics.AddPrometheusExporter();
            if (otlp)
                metrics.AddOtlpExporter();
        });
        return health;
    }

    /// <summary>Maps <c>/healthz</c> and <c>/metrics</c>. The metrics answer only loopback clients unless
    /// <see cref="FlowTraceServerOptions.MetricsFromAnyAddress"/> is set (they tell how the server is used).</summary>
    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResponseWriter = WriteHealthAsync });
        // Made now, not at the first trace: the rooms' gauges are read from the start.
        _ = app.ServiceProvider.GetRequiredService<TraceMetrics>();
        var anyAddress = app.ServiceProvider.GetRequiredService<IOptions<FlowTraceServerOptions>>().Value.MetricsFromAnyAddress;
        app.MapPrometheusScrapingEndpoint(MetricsPath).AddEndpointFilter(async (context, next) =>
            MayReadMetrics(context.HttpContext.Connection.RemoteIpAddress, anyAddress) ? await next(context).ConfigureAwait(false) : Results.NotFound());
        return app;
    }

    /// <summary>Whether a client at <paramref name="client"/> may read <c>/metrics</c>: from loopback always, from
    /// elsewhere only when the server allows any address. Others get 404, as if there were none.</summary>
    public static bool MayReadMetrics(IPAddress? client, bool anyAddress) =>
        anyAddress || client is not null && IPAddress.IsLoopback(client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client);

    private static Task WriteHealthAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new HealthAnswer(report.Status.ToString(),
            [.. report.Entries.Select(e => new HealthEntry(e.Key, e.Value.Status.ToString(), e.Value.Description, e.Value.Duration.TotalMilliseconds))]);
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJson.Default.HealthAnswer));
    }
}
