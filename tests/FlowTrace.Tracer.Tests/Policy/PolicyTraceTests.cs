using System.Net;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Policy;
using FlowTrace.Tracer.Tests.Dns;
using FlowTrace.Tracer.Tests.Lab;
using FlowTrace.Tracer.Tracing;
using S = FlowTrace.Contracts.Events.TraceStep;

namespace FlowTrace.Tracer.Tests.Policy;

/// <summary>The policy applied by real traces: every bypass form ends refused, and no SYN is ever sent to it.</summary>
[Collection(LabCollection.Name)]
public sealed class PolicyTraceTests(LabFixture lab)
{
    private static async Task<IReadOnlyList<TraceEvent>> TraceAsync(TraceRequest request, DestinationPolicy policy, IPEndPoint? systemResolver = null)
    {
        var tracer = new FlowTracer(new TracerOptions
        {
            WarmUp = false,
            DestinationPolicy = policy,
            // Names that are not IP literals go to a resolver of the test's own, never the machine's.
            SystemResolvers = () => systemResolver is null ? [] : [systemResolver],
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<TraceEvent>();
        await foreach (var e in tracer.TraceAsync(request, timeout.Token))
            events.Add(e);
        return events;
    }

    private static void AssertNoSynSent(IReadOnlyList<TraceEvent> events) =>
        Assert.DoesNotContain(events.Select(e => e.Details).OfType<TcpAttemptDetails>(), a => a.Outcome == TcpAttemptOutcome.Started);

    [Theory]
    [InlineData("http://2130706433/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://0x7f.1/")]
    [InlineData("http://0177.0x0.0x0.0x1/")]
    [InlineData("http://127.1/")]
    [InlineData("http://0/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[0000::1]/")]
    [InlineData("http://[::]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://[64:ff9b::a00:1]/")]
    [InlineData("http://[2002:c0a8:ffff::]/")]
    [InlineData("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/")]
    [InlineData("http://example.test@127.0.0.1/")]
    [InlineData("http://127.0.0.1./")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.5:8080/")]
    [InlineData("https://[fe80::1%25eth0]/")]
    public async Task TraceAsync_BypassForms_RefusedWithoutAnySyn(string url)
    {
        await using var dns = new ScriptedDnsServer(DnsBehaviour.Answer);
        var events = await TraceAsync(new TraceRequest { Url = url }, new DestinationPolicy(DestinationMode.Public), dns.EndPoint);
        var summary = TraceAssert.Summary(events);
        Assert.False(summary.Succeeded, $"{url} was traced");
        Assert.Contains(summary.Failure!.Code, new[] { "policy-refused", "invalid-request", "dns-nxdomain" });
        AssertNoSynSent(events);
    }

    [Fact]
    public async Task TraceAsync_FirstTraceUnderPublicPolicy_WarmUpStillRunsAndDoesNotHoldItUp()
    {
        // The warm-up's own loopback servers are refused by a public policy; it must neither hang nor be skipped.
        var tracer = new FlowTracer(new TracerOptions { DestinationPolicy = new DestinationPolicy(DestinationMode.Public).WithExempt(lab.Lab.Endpoints) });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var events = new List<TraceEvent>();
        await foreach (var e in tracer.TraceAsync(lab.Request("www"), CancellationToken.None))
            events.Add(e);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the first trace took {clock.Elapsed}");
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
    }

    [Fact]
    public async Task TraceAsync_DecimalLoopback_ReasonNamesTheAddress()
    {
        var events = await TraceAsync(new TraceRequest { Url = "http://2130706433/" }, new DestinationPolicy(DestinationMode.Public));
        var failure = TraceAssert.FailedAt(events, S.Tcp, "policy-refused");
        Assert.Contains("127.0.0.1 is a loopback address", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TraceAsync_NameResolvingToLoopback_RefusedAfterDns()
    {
        // Only the lab's DNS server is exempt here, not its web server: www.lab.test resolves, then is refused.
        var policy = new DestinationPolicy(DestinationMode.Public, PortList.Parse($"{lab.Lab.Ports.Https}"), exempt: [lab.Lab.DnsEndPoint]);
        var events = await TraceAsync(lab.Request("www"), policy);
        var failure = TraceAssert.FailedAt(events, S.Tcp, "policy-refused");
        Assert.Contains("127.0.0.1", failure.Reason, StringComparison.Ordinal);
        Assert.NotNull(TraceAssert.Detail<DnsResultDetails>(events));
        AssertNoSynSent(events);
    }

    [Fact]
    public async Task TraceAsync_DisallowedPort_RefusedWithPortInReason()
    {
        var policy = new DestinationPolicy(DestinationMode.Local);
        var events = await TraceAsync(new TraceRequest { Url = "http://127.0.0.1:22/" }, policy);
        var failure = TraceAssert.FailedAt(events, S.Tcp, "policy-refused");
        Assert.Contains("Port 22", failure.Reason, StringComparison.Ordinal);
        AssertNoSynSent(events);
    }

    [Fact]
    public async Task TraceAsync_RedirectFromLabToMetadataAddress_SecondHopRefused()
    {
        var policy = new DestinationPolicy(DestinationMode.Public).WithExempt(lab.Lab.Endpoints);
        var events = await TraceAsync(lab.Request("metadata"), policy);
        var summary = TraceAssert.Summary(events);
        Assert.Equal("policy-refused", summary.Failure!.Code);
        Assert.Contains("169.254.169.254", summary.Failure.Reason, StringComparison.Ordinal);
        Assert.Equal(302, TraceAssert.Detail<HttpResponseDetails>(events, hop: 0).StatusCode);
        Assert.DoesNotContain(events.Where(e => e.Hop == 1).Select(e => e.Details).OfType<TcpAttemptDetails>(), a => a.Outcome == TcpAttemptOutcome.Started);
    }

    [Fact]
    public async Task TraceAsync_ExplicitPrivateDnsServer_RefusedInPublicMode()
    {
        var events = await TraceAsync(new TraceRequest { Url = "http://example.test/", DnsServer = "10.0.0.53" }, new DestinationPolicy(DestinationMode.Public));
        var failure = TraceAssert.FailedAt(events, S.Dns, "policy-refused");
        Assert.Contains("10.0.0.53", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TraceAsync_AnswerChangesBetweenQueries_ConnectsOnlyToTheCheckedAddress()
    {
        // Local mode allows 127.0.0.1 and refuses 169.254.169.254. A tracer that resolved again between check and
        // connect would reach the second answer; this one asks once and connects to exactly what it checked.
        await using var dns = new ScriptedDnsServer(DnsBehaviour.Answer) { Answers = [IPAddress.Loopback, IPAddress.Parse("169.254.169.254")] };
        var events = await TraceAsync(new TraceRequest { Url = "http://rebind.test:8999/", DnsServer = dns.EndPoint.ToString(), AddressFamily = AddressFamilyPreference.IPv4 },
            new DestinationPolicy(DestinationMode.Local, PortList.Parse("8999")).WithExempt([dns.EndPoint]));
        Assert.Equal(1, dns.UdpQueries);
        var attempts = events.Select(e => e.Details).OfType<TcpAttemptDetails>().ToList();
        Assert.All(attempts, a => Assert.StartsWith("127.0.0.1:", a.Remote, StringComparison.Ordinal));
        Assert.NotEmpty(attempts);
    }
}
