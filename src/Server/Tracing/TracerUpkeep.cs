using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tls;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Server.Tracing;

/// <summary>
/// Keeps the first real trace as warm as the hundredth: runs the tracer's warm-up at start, then one unseen trace of the
/// lab (which runs in this process and compiles its own server code on its first request), then keeps the system's
/// trusted certificates loaded for as long as the server runs (<see cref="TrustStoreKeeper"/>).
/// </summary>
/// <remarks>The tracer is resolved when this service starts, after the lab (registered before it) has started: the
/// destination policy built with the tracer needs the lab's ports.</remarks>
public sealed partial class TracerUpkeep(IServiceProvider services, LabHost lab, TimeProvider time, ILogger<TracerUpkeep> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tracer = services.GetRequiredService<ITracer>();
        var requests = services.GetRequiredService<TraceRequestFactory>();
        if (tracer is FlowTracer flowTracer)
            await flowTracer.WarmUpAsync(stoppingToken).ConfigureAwait(false);
        if (lab.Lab?.Sites.FirstOrDefault() is { } site && requests.Create(new TraceRequestMessage { Url = site.Url }, null, out _) is { } request)
        {
            await foreach (var unused in tracer.TraceAsync(request, stoppingToken).ConfigureAwait(false))
            {
            }
        }

        LogWarm();
        using var keeper = new TrustStoreKeeper();
        await keeper.RunAsync(time, TrustStoreKeeper.DefaultPeriod, stoppingToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tracer warmed up; keeping the system's trusted certificates loaded")]
    private partial void LogWarm();
}
