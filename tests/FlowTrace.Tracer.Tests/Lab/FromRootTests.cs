using System.Globalization;
using System.Text.RegularExpressions;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tests.Lab;

/// <summary>Resolving from the root, as <c>dig +trace</c> does, against the lab's own root, top-level and zone servers.</summary>
[Collection(LabCollection.Name)]
public sealed class FromRootTests(LabFixture lab)
{
    /// <summary><c>dig +trace</c> from the lab's root. dig finds the name servers' addresses with the system's resolver
    /// (getaddrinfo), not from the glue, so it runs in a mount namespace of its own whose /etc/hosts names the lab's
    /// servers: no query leaves for the machine's resolver.</summary>
    private async Task<(int Code, string Stdout, string Stderr)> DigTraceAsync(string name)
    {
        var root = lab.Lab.RootServers[0];
        var zone = lab.Lab.Zone;
        var topLevel = zone[(zone.LastIndexOf('.') + 1)..];
        var hosts = Path.Combine(Path.GetTempPath(), $"flowtrace-dig-hosts-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(hosts, $"127.0.0.1 localhost\n{root.Address} a.root-servers.{topLevel}\n127.0.0.3 ns.{topLevel}\n127.0.0.1 ns.{zone}\n");
        try
        {
            var port = root.Port.ToString(CultureInfo.InvariantCulture);
            return await ExternalProcess.RunAsync("unshare",
                ["-m", "sh", "-c", $"mount --bind {hosts} /etc/hosts && exec dig +trace +nodnssec -4 @{root.Address} -p {port} {name} A"], stdin: "");
        }
        finally
        {
            File.Delete(hosts);
        }
    }

    private TraceRequest FromRoot(string site, AddressFamilyPreference families = AddressFamilyPreference.IPv4) => lab.Request(site) with
    {
        ResolveFromRoot = true,
        RootServers = [.. lab.Lab.RootServers.Select(r => r.ToString())],
        AddressFamily = families,
    };

    /// <summary>What dig printed, step by step: the records each server gave and who gave them ("Received N bytes from
    /// ADDRESS#PORT(NAME)"), after the first step (the root's NS, asked of the server given).</summary>
    private static List<(string Server, List<string> Records)> DigSteps(string output)
    {
        var steps = new List<(string, List<string>)>();
        var records = new List<string>();
        foreach (var line in output.Split('\n'))
        {
            var received = Regex.Match(line, @"^;; Received \d+ bytes from ([^#]+)#\d+");
            if (received.Success)
            {
                steps.Add((received.Groups[1].Value, records));
                records = [];
            }
            else if (line.Length > 0 && !line.StartsWith(';'))
                records.Add(Regex.Replace(line.Trim(), @"\s+", " "));
        }

        return steps.Skip(1).ToList();
    }

    [Fact]
    public async Task DnsStep_FromTheLabRoot_SameServersAndReferralsAsDigTrace()
    {
        var (code, stdout, stderr) = await DigTraceAsync($"www.{lab.Lab.Zone}");
        Assert.True(code == 0, stdout + stderr);
        var dig = DigSteps(stdout);

        var events = await lab.TraceAsync(FromRoot("www"));
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Succeeded, summary.Failure?.Reason);
        var queries = events.Select(e => e.Details).OfType<DnsQueryDetails>().ToList();
        // The same servers in the same order: the root, the top-level domain's, the zone's.
        Assert.Equal(dig.Select(d => d.Server), queries.Select(q => q.Resolver[..q.Resolver.LastIndexOf(':')]));
        // Each referral is the one dig printed (the zone and its server), and the last answer is dig's.
        for (var i = 0; i < dig.Count - 1; i++)
        {
            var referral = queries[i].Referral!;
            Assert.Contains($"{referral.Zone} {DelegationTtl(dig[i].Records)} IN NS {referral.NameServers[0]}.", dig[i].Records);
            Assert.False(queries[i].Authoritative);
        }

        Assert.True(queries[^1].Authoritative);
        Assert.Null(queries[^1].Referral);
        var answer = Assert.Single(queries[^1].Answers);
        Assert.Contains($"{answer.Name}. {answer.TimeToLive} IN A {answer.Value}", dig[^1].Records);
        var result = TraceAssert.Detail<DnsResultDetails>(events);
        Assert.Equal([".", "test.", $"{lab.Lab.Zone}."], result.Delegations);
        Assert.Equal(["127.0.0.1"], result.Addresses);

        // The ladder has a lane per server asked, each named a server (not a resolver), and the referrals as arrows.
        var ladder = FlowTrace.Contracts.Ladder.LadderBuilder.Build(events);
        Assert.Equal(queries.Select(q => $"DNS server {q.Resolver}"), ladder.Lanes.Where(l => l.Kind == FlowTrace.Contracts.Ladder.LadderLaneKind.Resolver).Select(l => l.Label));
        Assert.Contains(ladder.Arrows, a => a.Label == "referral: test. at ns.test");
    }

    private static string DelegationTtl(List<string> records) => records[0].Split(' ')[1];

    [Fact]
    public async Task DnsStep_FromTheRootForBothFamilies_AsksAaaaOfTheZonesServerAtTheEnd()
    {
        var events = await lab.TraceAsync(FromRoot("race", AddressFamilyPreference.Any));
        Assert.True(TraceAssert.Summary(events).Succeeded);
        var queries = events.Select(e => e.Details).OfType<DnsQueryDetails>().ToList();
        Assert.Equal(["A", "A", "A", "AAAA"], queries.Select(q => q.QueryType));
        Assert.Equal(queries[2].Resolver, queries[3].Resolver);
        Assert.Equal(["::1", "127.0.0.1"], TraceAssert.Detail<DnsResultDetails>(events).Addresses);
    }

    [Fact]
    public async Task DnsStep_FromTheRootForAnIpv6OnlyName_AsksAaaaWhenTheZoneHasNoA()
    {
        var events = await lab.TraceAsync(FromRoot("www", AddressFamilyPreference.Any) with { Url = $"https://v6only.{lab.Lab.Zone}:{lab.Lab.Ports.Https}/" });
        var queries = events.Select(e => e.Details).OfType<DnsQueryDetails>().ToList();
        Assert.Equal(["A", "A", "A", "AAAA"], queries.Select(q => q.QueryType));
        Assert.Equal(["::1"], TraceAssert.Detail<DnsResultDetails>(events).Addresses);
    }

    [Fact]
    public async Task DnsStep_FromTheRootForAnAlias_FollowsTheChainInTheZonesAnswer()
    {
        var events = await lab.TraceAsync(FromRoot("alias"));
        Assert.True(TraceAssert.Summary(events).Succeeded);
        var result = TraceAssert.Detail<DnsResultDetails>(events);
        Assert.Equal([$"alias.{lab.Lab.Zone}", $"cdn.{lab.Lab.Zone}", $"www.{lab.Lab.Zone}"], result.CnameChain);
    }

    [Fact]
    public async Task DnsStep_FromTheRootForAMissingName_NxdomainFromTheZonesServer()
    {
        var request = FromRoot("www") with { Url = $"https://missing.{lab.Lab.Zone}/" };
        var events = await lab.TraceAsync(request);
        var failure = TraceAssert.Summary(events).Failure!;
        Assert.Equal("dns-nxdomain", failure.Code);
        Assert.Contains($"ns.{lab.Lab.Zone}", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DnsStep_FromTheRootForANameOutsideTheLabZone_StartsFromTheHintsNotTheLabsRoot()
    {
        var tracer = new FlowTracer(new TracerOptions { WarmUp = false, RootHintsPath = "/nonexistent/root.hints" });
        var request = FromRoot("www") with { Url = "https://elsewhere.example/", DnsServerZones = [lab.Lab.Zone] };
        var events = new List<TraceEvent>();
        await foreach (var e in tracer.TraceAsync(request, CancellationToken.None))
            events.Add(e);
        Assert.Equal("dns-no-root-hints", TraceAssert.Summary(events).Failure!.Code);
        // The lab's names in the same request still start from the lab's root.
        var labEvents = new List<TraceEvent>();
        await foreach (var e in tracer.TraceAsync(request with { Url = lab.Lab.Site("www").Url }, CancellationToken.None))
            labEvents.Add(e);
        Assert.Equal([".", "test.", $"{lab.Lab.Zone}."], TraceAssert.Detail<DnsResultDetails>(labEvents).Delegations);
    }

    [Fact]
    public async Task DnsStep_FromTheRootWithoutHintsFile_FailsSayingWhere()
    {
        var tracer = new FlowTracer(new TracerOptions { WarmUp = false, RootHintsPath = "/nonexistent/root.hints" });
        var events = new List<TraceEvent>();
        await foreach (var e in tracer.TraceAsync(lab.Request("www") with { ResolveFromRoot = true }, CancellationToken.None))
            events.Add(e);
        var failure = TraceAssert.Summary(events).Failure!;
        Assert.Equal("dns-no-root-hints", failure.Code);
        Assert.Contains("/nonexistent/root.hints", failure.Reason, StringComparison.Ordinal);
    }
}
