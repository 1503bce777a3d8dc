using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;

namespace FlowTrace.Tracer.Tests.RealServers;

/// <summary>"Again, resuming the TLS session" against OpenSSL's s_server and nginx, each checked against
/// <c>openssl s_client -reconnect</c> (which reports whether the server took the session back).</summary>
[Collection(RealServersCollection.Name)]
public sealed class ResumptionTests(RealServersFixture servers)
{
    private const string Name = "a.nginx.test";

    private async Task<IReadOnlyList<TraceEvent>> TraceAgainResumingAsync(int port, string sni)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = servers.Request($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/") with
        {
            Sni = SniMode.Custom, SniName = sni, AgainResumingSession = true,
        };
        var events = new List<TraceEvent>();
        await foreach (var e in servers.Tracer.TraceAsync(request, timeout.Token))
            events.Add(e);
        return events;
    }

    /// <summary>Whether s_client's reconnections were resumed ("Reused") by the server.</summary>
    private static async Task<bool> OpensslResumesAsync(int port, string sni, params string[] options)
    {
        var (_, stdout, stderr) = await ExternalProcess.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "-servername", sni, "-reconnect", .. options], stdin: "");
        return (stdout + stderr).Contains("Reused, TLSv1.2", StringComparison.Ordinal);
    }

    private Task<OpensslServer> StartAsync(params string[] options) =>
        OpensslServer.StartAsync(Path.Combine(servers.Directory, $"{Name}.crt"), Path.Combine(servers.Directory, $"{Name}.key"), options);

    [Theory]
    [InlineData("session ID", new[] { "-tls1_2", "-no_ticket" })]
    [InlineData("session ticket", new[] { "-tls1_2" })]
    public async Task TlsStep_Tls12OpensslServer_ResumedByTicketOrIdLikeSClient(string means, string[] serverOptions)
    {
        using var server = await StartAsync(serverOptions);
        var events = await TraceAgainResumingAsync(server.Port, Name);
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Succeeded, summary.Failure?.Reason + server.Log);
        var resumed = TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 1);
        Assert.Equal(new TlsResumption(means, true, null), resumed.Resumption);
        Assert.Empty(resumed.Certificates);
        Assert.True(await OpensslResumesAsync(server.Port, Name, means == "session ID" ? ["-tls1_2", "-no_ticket"] : ["-tls1_2"]));
    }

    [Fact]
    public async Task TlsStep_ServerWithoutCacheOrTickets_FullHandshakeAgainSayingWhy()
    {
        using var server = await StartAsync("-tls1_2", "-no_ticket", "-no_cache");
        var events = await TraceAgainResumingAsync(server.Port, Name);
        Assert.True(TraceAssert.Summary(events).Succeeded);
        var second = TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 1);
        Assert.False(second.Resumption!.Accepted);
        Assert.NotNull(second.Resumption.Reason);
        Assert.NotEmpty(second.Certificates);
        Assert.False(await OpensslResumesAsync(server.Port, Name, "-tls1_2", "-no_ticket"));
    }

    [Fact]
    public async Task TlsStep_Tls12VhostOnNginx_ResumedWithItsSessionTicket()
    {
        var events = await TraceAgainResumingAsync(servers.Tls12Port, "old.nginx.test");
        Assert.True(TraceAssert.Summary(events).Succeeded);
        var first = TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 0);
        var resumed = TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 1);
        Assert.Equal(new TlsResumption("session ticket", true, null), resumed.Resumption);
        Assert.Equal((2, 1), (first.RoundTrips, resumed.RoundTrips));
        Assert.True(await OpensslResumesAsync(servers.Tls12Port, "old.nginx.test"));
    }

    [Fact]
    public async Task TlsStep_GnutlsWithoutExtendedMasterSecret_SessionStillResumed()
    {
        // %NO_SESSION_HASH: a TLS 1.2 server without the extended master secret (RFC 7627), as older servers are.
        var port = ExternalProcess.FreePort();
        using var server = ExternalProcess.Start("gnutls-serv", ["--http", "-p", port.ToString(CultureInfo.InvariantCulture),
            "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH",
            "--x509certfile", Path.Combine(servers.Directory, $"{Name}.crt"), "--x509keyfile", Path.Combine(servers.Directory, $"{Name}.key")]);
        await ExternalProcess.WaitForTcpAsync(port, server, "gnutls-serv");
        var events = await TraceAgainResumingAsync(port, Name);
        Assert.True(TraceAssert.Summary(events).Succeeded, TraceAssert.Summary(events).Failure?.Reason + server.Log);
        var resumed = TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 1);
        Assert.True(resumed.Resumption!.Accepted, resumed.Resumption.Reason);
        Assert.Empty(resumed.Certificates);
    }

    [Fact]
    public async Task TlsStep_ResumedAfterAnUntrustedCertificate_VerdictOfTheFirstConnectionStands()
    {
        using var server = await StartAsync("-tls1_2");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = servers.Request($"https://127.0.0.1:{server.Port.ToString(CultureInfo.InvariantCulture)}/") with
        {
            Sni = SniMode.Custom, SniName = Name, AgainResumingSession = true, ExtraTrustedRoots = [],
        };
        var events = new List<TraceEvent>();
        await foreach (var e in servers.Tracer.TraceAsync(request, timeout.Token))
            events.Add(e);
        var resumed = TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 1);
        Assert.True(resumed.Resumption!.Accepted);
        Assert.False(resumed.CertificateAccepted);
        Assert.Equal(TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 0).Findings, resumed.Findings);
    }
}
