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
        var lab = options.Value.Lab;
        try
        {
            Lab = await DemoLab.StartAsync(lab, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e) when (e.InnerException is IOException or System.Net.Sockets.SocketException && lab != LabOptions.Ephemeral with { Zone = lab.Zone })
        {
            // Another FlowTrace (a server, the command line's --lab) holds the usual ports: the lab takes free ones. The
            // page and /api/lab read the lab's real addresses, so nothing else needs to know.
            Lab = await DemoLab.StartAsync(LabOptions.Ephemeral with { Zone = lab.Zone }, cancellationToken).ConfigureAwait(false);
            var p = Lab.Ports;
            LogLabMoved(e.InnerException!.Message, p.Dns, p.Https, p.Tls12, p.Http, p.Http10);
        }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo lab's usual ports are taken ({Reason}); it runs on free ports instead: DNS {Dns}, HTTPS {Https}, TLS 1.2 {Tls12}, HTTP {Http}, HTTP/1.0 {Http10}. Set them with --FlowTrace:Lab:HttpsPort=... and the like.")]
    private partial void LogLabMoved(string reason, int dns, int https, int tls12, int http, int http10);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo lab for {Zone} started: DNS on {Dns}, {Sites} sites")]
    private partial void LogLabStarted(string zone, string dns, int sites);
}
