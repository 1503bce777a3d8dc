using FlowTrace.Contracts.Sni;
using FlowTrace.Tracer.Sni;
using FlowTrace.Tracer.Tests.Lab;

namespace FlowTrace.Tracer.Tests.Sni;

[Collection(LabCollection.Name)]
public sealed class SniComparerTests(LabFixture lab)
{
    private SniComparisonRequest Request(params string[] names) => new()
    {
        Target = $"www.lab.test:{lab.Lab.Ports.Https}",
        Names = names,
        DnsServer = lab.Lab.DnsEndPoint.ToString(),
        ExtraTrustedRoots = [lab.Lab.CaCertificate],
    };

    private static async Task<List<SniComparisonUpdate>> RunAsync(SniComparisonRequest request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var updates = new List<SniComparisonUpdate>();
        await foreach (var update in new SniComparer().CompareAsync(request, timeout.Token))
            updates.Add(update);
        return updates;
    }

    [Fact]
    public async Task CompareAsync_LabNames_OwnCertificatesDefaultAndFallThrough()
    {
        var updates = await RunAsync(Request("www.lab.test", "api.lab.test", "unknown.lab.test"));
        var probes = updates.OfType<SniProbeResult>().ToDictionary(p => p.ServerName ?? "");
        Assert.Equal(4, probes.Count);
        var summary = Assert.IsType<SniComparisonSummary>(updates[^1]);
        Assert.Null(summary.Failure);
        Assert.Equal(["default.lab.test"], probes[""].Certificate!.SubjectAlternativeNames);
        Assert.Contains("www.lab.test", probes["www.lab.test"].Certificate!.SubjectAlternativeNames);
        Assert.Equal(["api.lab.test"], probes["api.lab.test"].Certificate!.SubjectAlternativeNames);
        Assert.True(probes["www.lab.test"].CoversName);
        Assert.False(probes["unknown.lab.test"].CoversName);
        Assert.Equal(probes[""].Certificate!.Sha256Fingerprint, summary.DefaultFingerprint);
        Assert.Equal(["unknown.lab.test"], summary.FallThroughNames);
        Assert.Equal(["unknown.lab.test"], summary.MismatchedNames);
        Assert.Equal(3, summary.Groups.Count);
        Assert.Contains(null, summary.Groups.Single(g => g.IsDefault).Names);
        Assert.All(probes.Values, p => Assert.True(p.NetworkTime > TimeSpan.Zero && p.ConnectTime > TimeSpan.Zero));
        Assert.Single(probes.Values.Select(p => p.Address).Distinct());
    }

    [Fact]
    public async Task CompareAsync_Http2OnlyServer_AlpnColumnSaysH2AsBrowsersOfferIt()
    {
        // The comparison offers what browsers offer (h2, http/1.1): the lab's HTTP/2 listener chooses h2, the others http/1.1.
        var h2 = await RunAsync(Request("h2.lab.test") with { Target = $"h2.lab.test:{lab.Lab.Ports.Http2}" });
        Assert.All(h2.OfType<SniProbeResult>(), p => Assert.Equal("h2", p.Alpn));
        var http11 = await RunAsync(Request("www.lab.test"));
        Assert.All(http11.OfType<SniProbeResult>(), p => Assert.Equal("http/1.1", p.Alpn));
    }

    [Fact]
    public async Task CompareAsync_HostCheck_CertificateFromSniContentFromHost()
    {
        var updates = await RunAsync(Request("api.lab.test") with { HostCheck = ("www.lab.test", "api.lab.test") });
        var check = updates.OfType<SniHostCheckResult>().Single();
        Assert.Null(check.Failure);
        Assert.Contains("CN=www.lab.test", check.CertificateSubject, StringComparison.Ordinal);
        Assert.Contains("\"site\":\"api\"", check.BodyPreview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompareAsync_TooManyNames_FailsWithClearMessageAndNoHandshake()
    {
        var names = Enumerable.Range(0, 33).Select(i => $"n{i}.lab.test").ToArray();
        var updates = await RunAsync(Request(names));
        var summary = Assert.IsType<SniComparisonSummary>(Assert.Single(updates));
        Assert.Equal("invalid-request", summary.Failure!.Code);
        Assert.Contains("at most 32", summary.Failure.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("www.lab.test:99999", "Target")]
    [InlineData("", "Target")]
    public async Task CompareAsync_BadTarget_FailsWithClearMessage(string target, string expected)
    {
        var updates = await RunAsync(Request("www.lab.test") with { Target = target });
        Assert.Contains(expected, Assert.IsType<SniComparisonSummary>(Assert.Single(updates)).Failure!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadName_IsRefused() =>
        Assert.Contains(SniComparer.Validate(Request("not a name", "ok.lab.test")), e => e.Contains("'not a name'", StringComparison.Ordinal));

    [Fact]
    public async Task CompareAsync_UnknownHost_FailsInDns()
    {
        var updates = await RunAsync(Request("www.lab.test") with { Target = $"missing.lab.test:{lab.Lab.Ports.Https}" });
        Assert.Equal("dns-nxdomain", Assert.IsType<SniComparisonSummary>(Assert.Single(updates)).Failure!.Code);
    }

    [Fact]
    public async Task CompareAsync_Tls13OnlyAgainstTls12Port_FailureShownForEachNameAlone()
    {
        var request = Request("tls12.lab.test") with { Target = $"127.0.0.1:{lab.Lab.Ports.Tls12}" };
        var updates = await RunAsync(request);
        var probe = updates.OfType<SniProbeResult>().Single(p => p.ServerName == "tls12.lab.test");
        Assert.Equal("TLS 1.2", probe.Version);
        Assert.Null(probe.Failure);
    }
}
