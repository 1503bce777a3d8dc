using FlowTrace.Lab;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Tracing;

/// <summary>Starts the demo lab with the server (unless configured off) and stops it with the server.</summary>
public sealed partial class LabHost(IOptions<FlowTraceServerOptions> options, ILogger<LabHost> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>The running lab, or null when it is off.</summary>
    public DemoLab? Lab { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.LabEnabled)
            return;
        Lab = await DemoLab.StartAsync(options.Value.Lab, cancellationToken).ConfigureAwait(false);
        LogLabStarted(Lab.Zone, Lab.DnsEndPoint.ToString(), Lab.Sites.Count);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Lab is not null)
            await Lab.DisposeAsync().ConfigureAwait(false);
        Lab = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo lab for {Zone} started: DNS on {Dns}, {Sites} sites")]
    private partial void LogLabStarted(string zone, string dns, int sites);
}
