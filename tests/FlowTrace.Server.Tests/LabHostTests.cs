using System.Net;
using System.Net.Sockets;
using FlowTrace.Lab;
using FlowTrace.Server.Tracing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowTrace.Server.Tests;

public sealed class LabHostTests
{
    [Fact]
    public async Task StartAsync_UsualPortTaken_LabRunsOnFreePortsInstead()
    {
        // Something else (another FlowTrace server, the command line's lab) holds the lab's HTTPS port.
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = ((IPEndPoint)holder.LocalEndpoint).Port;
        var options = new FlowTraceServerOptions { Lab = LabOptions.Ephemeral with { HttpsPort = taken } };
        await using var host = new LabHost(Microsoft.Extensions.Options.Options.Create(options), NullLogger<LabHost>.Instance);
        await host.StartAsync(CancellationToken.None);
        Assert.NotNull(host.Lab);
        Assert.NotEqual(taken, host.Lab.Ports.Https);
        Assert.Contains($":{host.Lab.Ports.Https}/", host.Lab.Site("www").Url, StringComparison.Ordinal);
    }
}
