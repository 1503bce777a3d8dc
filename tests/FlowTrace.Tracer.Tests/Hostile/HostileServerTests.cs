using System.Diagnostics;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tests.Lab;
using FlowTrace.Tracer.Tracing;
using S = FlowTrace.Contracts.Events.TraceStep;

namespace FlowTrace.Tracer.Tests.Hostile;

/// <summary>Misbehaving servers from the lab: each gives a clean failed step, in bounded time, and the lab keeps serving.</summary>
[Collection(LabCollection.Name)]
public sealed class HostileServerTests(LabFixture lab)
{
    private static readonly StepTimeouts Tight = new()
    {
        Dns = TimeSpan.FromSeconds(2), Connect = TimeSpan.FromSeconds(3), Tls = TimeSpan.FromSeconds(3),
        FirstByte = TimeSpan.FromSeconds(5), Download = TimeSpan.FromSeconds(3), Total = TimeSpan.FromSeconds(20),
    };

    private async Task<(IReadOnlyList<TraceEvent> Events, TimeSpan Took)> TraceAsync(string site)
    {
        var clock = Stopwatch.StartNew();
        var events = await lab.TraceAsync(lab.Request(site) with { Timeouts = Tight });
        return (events, clock.Elapsed);
    }

    [Theory]
    [InlineData("hostile-no-status-line", S.HttpResponse, "http-malformed")]
    [InlineData("hostile-no-colon", S.HttpResponse, "http-malformed")]
    [InlineData("hostile-endless-headers", S.HttpResponse, "http-head-too-large")]
    [InlineData("hostile-too-many-headers", S.HttpResponse, "http-too-many-headers")]
    [InlineData("hostile-huge-chunk", S.HttpResponse, "http-malformed")]
    [InlineData("hostile-slow-body", S.HttpResponse, "http-download-timeout")]
    [InlineData("tls-garbage", S.Tls, "tls-not-tls")]
    [InlineData("tls-alert", S.Tls, "tls-alert")]
    [InlineData("dns-garbage", S.Dns, "dns-malformed")]
    [InlineData("dns-wrongid", S.Dns, "dns-wrong-id")]
    [InlineData("dns-malformed", S.Dns, "dns-malformed")]
    [InlineData("dns-truncated", S.Dns, null)]
    [InlineData("dns-big", S.Tcp, "tcp-refused")]
    [InlineData("tls-huge-record", S.Tls, "tls-message-too-large")]
    [InlineData("tls-silent", S.Tls, "tls-timeout")]
    [InlineData("hostile-h2-frame-too-large", S.ServerProcessing, "http2-frame-too-large")]
    [InlineData("hostile-h2-bad-index", S.HttpResponse, "http2-compression-error")]
    [InlineData("hostile-h2-endless-headers", S.HttpResponse, "http2-header-block-too-large")]
    [InlineData("hostile-h2-goaway", S.HttpResponse, "http2-goaway")]
    [InlineData("hostile-h2-window-stall", S.HttpResponse, "http-download-timeout")]
    public async Task TraceAsync_HostileServer_CleanFailedStepInBoundedTime(string site, S step, string? code)
    {
        var (events, took) = await TraceAsync(site);
        var failed = Assert.Single(events, e => e.Kind == TraceEventKind.Failed);
        Assert.Equal(step, failed.Step);
        var failure = Assert.IsType<StepFailureDetails>(failed.Details);
        if (code is not null)
            Assert.True(code == failure.Code, $"expected {code}, got {failure.Code}: {failure.Reason}");
        Assert.False(string.IsNullOrWhiteSpace(failure.Reason));
        Assert.True(took < TimeSpan.FromSeconds(15), $"{site} took {took}");
        TraceAssert.Summary(events);
        // The lab says where each of its hostile sites fails.
        Assert.Equal(step.ToString(), lab.Lab.Site(site).ExpectedFailureStep);

        // The lab, and the tracer, keep serving everyone else.
        TraceAssert.Completed(await lab.TraceAsync("www"), S.Dns, S.Tcp, S.Tls, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
    }

    [Fact]
    public async Task TraceAsync_EndlessBody_StopsAtTheCapAndSaysSo()
    {
        var (events, took) = await TraceAsync("hostile-never-ends");
        TraceAssert.Completed(events, S.Dns, S.Tcp, S.HttpRequest, S.ServerProcessing, S.HttpResponse, S.Connection);
        var response = TraceAssert.Detail<HttpResponseDetails>(events);
        Assert.True(response.BodyTruncated);
        Assert.Equal(1024 * 1024, response.BodyBytes);
        Assert.True(took < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task TraceAsync_CertificateWithTenThousandNames_RefusedForItsSizeWithClearReason()
    {
        var (events, took) = await TraceAsync("many-sans");
        var failure = TraceAssert.FailedAt(events, S.Tls, "tls-message-too-large");
        Assert.Contains("certificate message is", failure.Reason, StringComparison.Ordinal);
        Assert.True(took < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Describe_ManyNames_ListsTheFirstHundredAndCountsTheRest()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=many", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        for (var i = 0; i < 1000; i++)
            san.AddDnsName($"n{i}.many.test");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var names = FlowTrace.Tracer.Tls.CertificateInspector.Describe(certificate).SubjectAlternativeNames;
        Assert.Equal(101, names.Count);
        Assert.Equal("… and 900 more", names[^1]);
    }

    [Fact]
    public async Task TraceAsync_EveryLabSiteHostileOnesIncluded_NoUnexpectedExceptionAndOffsetsInOrder()
    {
        var traces = await Task.WhenAll(lab.Lab.Sites.Select(async site => (site.Name, Events: await lab.TraceAsync(lab.Request(site.Name) with { Timeouts = LabFixture.SweepTimeouts }))));
        var unexpected = traces
            .Select(t => (t.Name, Failure: t.Events.Select(e => e.Details).OfType<StepFailureDetails>().FirstOrDefault(f => f.Code == "internal-error")))
            .Where(t => t.Failure is not null)
            .Select(t => $"{t.Name}: {t.Failure!.Reason}")
            .ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
        Assert.All(traces, t => Assert.IsType<TraceSummary>(t.Events[^1].Details));
        // Read in order, a trace's clock never runs backwards.
        var backwards = traces.SelectMany(t => t.Events.Zip(t.Events.Skip(1)).Where(p => p.Second.Offset < p.First.Offset)
            .Select(p => $"{t.Name}: #{p.Second.Sequence} '{p.Second.Message}' at {p.Second.Offset} after #{p.First.Sequence} '{p.First.Message}' at {p.First.Offset}")).ToList();
        Assert.True(backwards.Count == 0, string.Join("\n", backwards));
    }
}
