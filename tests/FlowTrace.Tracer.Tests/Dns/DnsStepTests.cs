using System.Net;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;
using S = FlowTrace.Contracts.Events.TraceStep;

namespace FlowTrace.Tracer.Tests.Dns;

public sealed class DnsStepTests
{
    private static async Task<IReadOnlyList<TraceEvent>> TraceAsync(TraceRequest request, TracerOptions? options = null)
    {
        var tracer = new FlowTracer(options ?? new TracerOptions { WarmUp = false });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<TraceEvent>();
        await foreach (var e in tracer.TraceAsync(request, timeout.Token))
            events.Add(e);
        return events;
    }

    // Port 9 (discard) on loopback: nothing listens, so a resolved trace fails fast in TCP, after DNS did its work.
    private static TraceRequest Request(ScriptedDnsServer dns) => new()
    {
        Url = "http://scripted.test:9/",
        DnsServer = dns.EndPoint.ToString(),
        AddressFamily = AddressFamilyPreference.IPv4,
    };

    [Fact]
    public async Task ResolveFromRoot_ReferralThatDoesNotGetCloser_FailsAsLameInsteadOfLooping()
    {
        await using var dns = new ScriptedDnsServer(DnsBehaviour.ReferToTestAgain);
        var events = await TraceAsync(Request(dns) with { ResolveFromRoot = true, RootServers = [dns.EndPoint.ToString()] });
        var failure = TraceAssert.FailedAt(events, S.Dns, "dns-lame");
        Assert.Contains("ns.test", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(2, dns.UdpQueries);
    }

    [Fact]
    public async Task ResolveFromRoot_ReferralToACloudMetadataAddress_NotAskedOnAPublicServer()
    {
        await using var dns = new ScriptedDnsServer(DnsBehaviour.ReferToTestAgain) { ReferralGlue = IPAddress.Parse("169.254.169.254") };
        // A public server's policy, with only the root given by the test let through (as a server lets its lab through).
        // The scripted server's port is allowed, so that what is refused is the address.
        var policy = new FlowTrace.Tracer.Policy.DestinationPolicy(FlowTrace.Tracer.Policy.DestinationMode.Public,
            FlowTrace.Tracer.Policy.PortList.Parse($"443, {dns.EndPoint.Port}"), exempt: [dns.EndPoint]);
        var events = await TraceAsync(Request(dns) with { ResolveFromRoot = true, RootServers = [dns.EndPoint.ToString()] },
            new TracerOptions { WarmUp = false, DestinationPolicy = policy });
        TraceAssert.FailedAt(events, S.Dns, "policy-refused");
        Assert.Contains(events, e => e.Step == S.Dns && e.Message.StartsWith("Not asking ns.test (169.254.169.254:", StringComparison.Ordinal) && e.Message.Contains("link-local", StringComparison.Ordinal));
        Assert.Equal(1, dns.UdpQueries);
    }

    [Fact]
    public async Task ResolveFromRoot_SilentRoot_FailsWithTimeoutNamingTheZone()
    {
        await using var dns = new ScriptedDnsServer(DnsBehaviour.Silent);
        // Each server gets a fifth of the DNS time (400 ms here) and the walk twice it (4 s): on a busy machine the
        // server's own limit must still come first by a wide margin (with 300 ms, a CI run saw the walk's limit win).
        var events = await TraceAsync(Request(dns) with
        {
            ResolveFromRoot = true, RootServers = [dns.EndPoint.ToString()], Timeouts = new StepTimeouts { Dns = TimeSpan.FromSeconds(2) },
        });
        var failure = TraceAssert.FailedAt(events, S.Dns, "dns-timeout");
        Assert.StartsWith("No server of . answered for scripted.test", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RootHints_NamedRootText_EachRootServerWithItsAddresses()
    {
        // The opening of InterNIC's named.root (its format: comments, NS of the root, then each server's A and AAAA).
        const string text = """
            ;       This file holds the information on root name servers needed to
            ;       initialize cache of Internet domain name servers
            .                        3600000      NS    A.ROOT-SERVERS.NET.
            A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
            A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
            ;
            ; FORMERLY NS1.ISI.EDU
            ;
            .                        3600000      NS    B.ROOT-SERVERS.NET.
            B.ROOT-SERVERS.NET.      3600000      A     170.247.170.2
            ; NO ADDRESS FOR C
            .                        3600000      NS    C.ROOT-SERVERS.NET.
            """;
        var roots = FlowTrace.Tracer.Dns.RootHints.Parse(text, 53);
        Assert.Equal(["a.root-servers.net 198.41.0.4:53", "a.root-servers.net [2001:503:ba3e::2:30]:53", "b.root-servers.net 170.247.170.2:53"],
            roots.Select(r => $"{r.Name} {r.EndPoint}"));
    }

    [Fact]
    public async Task Resolve_SilentServer_FailsDnsStepWithTimeout()
    {
        await using var dns = new ScriptedDnsServer(DnsBehaviour.Silent);
        var events = await TraceAsync(Request(dns) with { Timeouts = new StepTimeouts { Dns = TimeSpan.FromMilliseconds(500) } });
        var failure = TraceAssert.FailedAt(events, S.Dns, "dns-timeout");
        Assert.Contains("scripted.test", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_FirstDatagramLost_AsksAgainAndShowsBothTries()
    {
        await using var dns = new ScriptedDnsServer(DnsBehaviour.DropFirst);
        var events = await TraceAsync(Request(dns) with { Timeouts = new StepTimeouts { Dns = TimeSpan.FromSeconds(2) } });
        var queries = events.Select(e => e.Details).OfType<DnsQueryDetails>().ToList();
        Assert.Equal([null, "NoError"], queries.Select(q => q.ResponseCode));
        Assert.Equal(2, dns.UdpQueries);
        Assert.Equal(["127.0.0.1"], TraceAssert.Detail<DnsResultDetails>(events).Addresses);
    }

    [Fact]
    public async Task Resolve_ServFail_FailsDnsStepWithServFail()
    {
        await using var dns = new ScriptedDnsServer(DnsBehaviour.ServFail);
        var events = await TraceAsync(Request(dns));
        TraceAssert.FailedAt(events, S.Dns, "dns-servfail");
    }

    [Fact]
    public async Task Resolve_TruncatedUdpAnswer_ShowsTruncationAndRetriesOverTcp()
    {
        await using var dns = new ScriptedDnsServer(DnsBehaviour.TruncateUdp);
        var events = await TraceAsync(Request(dns));
        var queries = events.Select(e => e.Details).OfType<DnsQueryDetails>().ToList();
        Assert.True(queries.Count == 2, string.Join("\n", events.Select(e => e.Message)));
        Assert.Equal([("udp", true), ("tcp", false)], queries.Select(q => (q.Transport, q.Truncated)));
        Assert.Equal("127.0.0.1", queries[1].Answers.Single().Value);
        Assert.Equal(1, dns.TcpQueries);
        Assert.Equal(["127.0.0.1"], TraceAssert.Detail<DnsResultDetails>(events).Addresses);
        TraceAssert.FailedAt(events, S.Tcp, "tcp-refused");
    }

    [Fact]
    public async Task Resolve_NameInHostsFile_SkipsQueryAndNamesTheFile()
    {
        var hosts = Path.GetTempFileName();
        await File.WriteAllTextAsync(hosts, "127.0.0.1 from-hosts.test\n");
        try
        {
            await using var dns = new ScriptedDnsServer(DnsBehaviour.Silent);
            var events = await TraceAsync(Request(dns) with { Url = "http://from-hosts.test:9/" }, new TracerOptions { WarmUp = false, HostsFilePath = hosts });
            var skipped = TraceAssert.Detail<DnsSkippedDetails>(events);
            Assert.Equal((DnsSkipReason.HostsFile, hosts), (skipped.Reason, skipped.Source));
            Assert.Empty(events.Select(e => e.Details).OfType<DnsQueryDetails>());
        }
        finally
        {
            File.Delete(hosts);
        }
    }

    [Fact]
    public async Task Resolve_NoResolverConfigured_FailsWithClearReason()
    {
        var events = await TraceAsync(new TraceRequest { Url = "http://nowhere.test/" }, new TracerOptions { WarmUp = false, SystemResolvers = () => [] });
        var failure = TraceAssert.FailedAt(events, S.Dns, "dns-no-resolver");
        Assert.Contains("resolv.conf", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_ZoneRouting_SendsOnlyZoneNamesToTheExplicitServer()
    {
        await using var dns = new ScriptedDnsServer(DnsBehaviour.Answer);
        await using var system = new ScriptedDnsServer(DnsBehaviour.ServFail);
        var options = new TracerOptions { WarmUp = false, SystemResolvers = () => [system.EndPoint] };
        var inZone = await TraceAsync(Request(dns) with { Url = "http://a.zone.test:9/", DnsServerZones = ["zone.test"] }, options);
        Assert.True(inZone.Any(e => e.Details is DnsResultDetails), string.Join("\n", inZone.Select(e => e.Message)));
        Assert.Equal(dns.EndPoint.ToString(), TraceAssert.Detail<DnsResultDetails>(inZone).Resolver);
        var outside = await TraceAsync(Request(dns) with { Url = "http://elsewhere.test:9/", DnsServerZones = ["zone.test"] }, options);
        TraceAssert.FailedAt(outside, S.Dns, "dns-servfail");
    }

}
