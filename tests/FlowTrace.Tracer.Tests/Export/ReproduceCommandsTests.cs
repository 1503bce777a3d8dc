using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Export;
using FlowTrace.Tracer.Tests.Lab;
using FlowTrace.Tracer.Tests.RealServers;

namespace FlowTrace.Tracer.Tests.Export;

[Collection(LabCollection.Name)]
public sealed class ReproduceCommandsLabTests(LabFixture lab)
{
    [Theory]
    [InlineData("www")]
    [InlineData("api")]
    [InlineData("plain")]
    public async Task Curl_LabSite_SameStatusFromTheSameAddress(string site) =>
        await ReproduceCheck.CurlAgreesAsync(await lab.TraceAsync(site), lab.Lab.CaCertificate);

    [Theory]
    [InlineData("www")]
    [InlineData("wrongname")]
    public async Task Openssl_LabSite_SameLeafCertificate(string site) =>
        await ReproduceCheck.OpensslAgreesAsync(await lab.TraceAsync(site));

    [Fact]
    public async Task Openssl_NoSni_AsksWithoutOneAndGetsTheDefaultCertificate()
    {
        var events = await lab.TraceAsync(lab.Request("www") with { Sni = SniMode.None });
        var openssl = ReproduceCommands.Openssl(events)!;
        Assert.Contains("-noservername", openssl.Arguments);
        Assert.Contains("-noservername", openssl.Text, StringComparison.Ordinal);
        Assert.NotNull(ReproduceCommands.Curl(events)!.Note);
        await ReproduceCheck.OpensslAgreesAsync(events);
    }

    [Fact]
    public async Task Curl_HeadWithAHeader_QuotedForTheShell()
    {
        var events = await lab.TraceAsync(lab.Request("www") with { Method = "HEAD", Headers = [new KeyValuePair<string, string>("X-Note", "it's here")] });
        var curl = ReproduceCommands.Curl(events)!;
        Assert.Contains("--head", curl.Arguments);
        Assert.Contains("-H 'X-Note: it'\\''s here'", curl.Text, StringComparison.Ordinal);
        Assert.Null(ReproduceCommands.Openssl(await lab.TraceAsync("plain")));
    }
}

[Collection(RealServersCollection.Name)]
public sealed class ReproduceCommandsNginxTests(RealServersFixture servers)
{
    [Theory]
    [InlineData("a.nginx.test")]
    [InlineData("b.nginx.test")]
    public async Task Commands_RealNginx_ReachTheSameStatusAndCertificate(string host)
    {
        var events = new List<FlowTrace.Contracts.Events.TraceEvent>();
        // Only a.nginx.test is in the test's DNS server; b goes through --connect-to, as a user tries a virtual host.
        var request = servers.Request($"https://{host}:{servers.HttpsPort}/") with { ConnectTo = host == "a.nginx.test" ? null : $"127.0.0.1:{servers.HttpsPort}" };
        await foreach (var e in servers.Tracer.TraceAsync(request, CancellationToken.None))
            events.Add(e);
        await ReproduceCheck.CurlAgreesAsync(events, servers.CaCertificate);
        await ReproduceCheck.OpensslAgreesAsync(events);
    }
}
