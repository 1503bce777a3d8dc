using System.Net.Http.Json;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Storage;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tls;
using FlowTrace.Tracer.Tracing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace FlowTrace.Server.Tracing;

/// <summary>
/// Keeps the first real trace as warm as the hundredth: runs the tracer's warm-up at start, then one unseen trace of the
/// lab through the server's own API once it listens (which compiles the lab's server code, the request pipeline, routing
/// and the JSON on both sides, none of which a user's first trace should pay for), then keeps the system's trusted
/// certificates loaded for as long as the server runs (<see cref="TrustStoreKeeper"/>).
/// </summary>
/// <remarks>The tracer is resolved when this service starts, after the lab (registered before it) has started: the
/// destination policy built with the tracer needs the lab's ports.</remarks>
public sealed partial class TracerUpkeep(IServiceProvider services, LabHost lab, IServer server, IHostApplicationLifetime lifetime, WarmUpKey key, SampleTrace sample, TimeProvider time, ILogger<TracerUpkeep> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The tracer itself, not the metered one users reach: the server's own warm-up is nobody's trace.
        var tracer = services.GetRequiredService<FlowTracer>();
        await tracer.WarmUpAsync(stoppingToken).ConfigureAwait(false);
        if (lab.Lab?.Sites.FirstOrDefault() is { } site && !await TraceThroughApiAsync(site.Url, stoppingToken).ConfigureAwait(false))
        {
            // No address to reach the API at: trace the lab directly, which still compiles the lab's and the tracer's code.
            var requests = services.GetRequiredService<TraceRequestFactory>();
            if (requests.Create(new TraceRequestMessage { Url = site.Url }, null, out _) is { } request)
            {
                var events = new List<TraceEvent>();
                await foreach (var traceEvent in tracer.TraceAsync(request, stoppingToken).ConfigureAwait(false))
                    events.Add(traceEvent);
                sample.Keep(events);
            }
        }

        LogWarm();
        using var keeper = new TrustStoreKeeper();
        await keeper.RunAsync(time, TrustStoreKeeper.DefaultPeriod, stoppingToken).ConfigureAwait(false);
    }

    /// <summary>Traces <paramref name="url"/> through <c>POST /api/traces</c> on this server; false when it has no
    /// address this process can reach.</summary>
    private async Task<bool> TraceThroughApiAsync(string url, CancellationToken stoppingToken)
    {
        if (!await StartedAsync(stoppingToken).ConfigureAwait(false))
            return false;
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.Select(Reachable).FirstOrDefault(a => a is not null);
        if (address is null)
            return false;
        try
        {
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Add(WarmUpKey.Header, key.Value);
            using var lab = await http.GetAsync(new Uri("/api/lab", UriKind.Relative), stoppingToken).ConfigureAwait(false);
            using var trace = await http.PostAsJsonAsync(new Uri("/api/traces", UriKind.Relative), new TraceRequestMessage { Url = url }, stoppingToken).ConfigureAwait(false);
            if (!trace.IsSuccessStatusCode)
                return false;
            sample.Keep((await trace.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options, stoppingToken).ConfigureAwait(false))?.Events ?? []);
            return true;
        }
        catch (HttpRequestException e)
        {
            LogSelfRequestFailed(e.Message);
            return false;
        }
    }

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task.ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A listening address as this process reaches it: wildcards become loopback; only http(s).</summary>
    private static Uri? Reachable(string address)
    {
        var text = address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://[::1]", StringComparison.Ordinal);
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tracer warmed up; keeping the system's trusted certificates loaded")]
    private partial void LogWarm();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The warm-up request to this server failed: {Reason}")]
    private partial void LogSelfRequestFailed(string reason);
}
