using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tests.Lab;

/// <summary>Cold against resumed: the same request again on a new connection that offers the first one's TLS session.</summary>
[Collection(LabCollection.Name)]
public sealed class ResumedAgainTests(LabFixture lab)
{
    [Fact]
    public async Task TraceAsync_AgainResumingOnTls12_SecondHandshakeResumedWithoutCertificate()
    {
        var events = await lab.TraceAsync(lab.Request("tls12") with { AgainResumingSession = true });
        var summary = TraceAssert.Summary(events);
        Assert.True(summary.Succeeded, summary.Failure?.Reason);
        var marker = (ResumedAgainDetails)Assert.Single(events, e => e.Details is ResumedAgainDetails).Details!;
        Assert.NotNull(marker.Offered);

        // No lookup: the first connection's address; a TCP handshake of its own, on a new local port.
        var skipped = TraceAssert.Detail<DnsSkippedDetails>(events, hop: 1);
        Assert.Equal(DnsSkipReason.EarlierConnection, skipped.Reason);
        var first = TraceAssert.Detail<TcpConnectedDetails>(events, hop: 0);
        var second = TraceAssert.Detail<TcpConnectedDetails>(events, hop: 1);
        Assert.Equal(first.Remote, second.Remote);
        Assert.NotEqual(first.Local, second.Local);
        Assert.Equal(marker.Address, second.Remote);

        // The handshake was abbreviated: the session came back, with no certificate and one round trip fewer.
        var full = TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 0);
        var resumed = TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 1);
        Assert.Null(full.Resumption);
        Assert.Equal(new TlsResumption(marker.Offered, true, null), resumed.Resumption);
        Assert.Empty(resumed.Certificates);
        Assert.Empty(resumed.Findings);
        Assert.NotEmpty(full.Certificates);
        Assert.Equal(full.CipherSuite, resumed.CipherSuite);
        Assert.True(resumed.RoundTrips < full.RoundTrips, $"{resumed.RoundTrips} round trips resumed, {full.RoundTrips} full");
        Assert.DoesNotContain(events, e => e.Hop == 1 && e.Details is TlsHandshakeMessageDetails { MessageType: "certificate" or "server_key_exchange" });
        Assert.Contains(summary.Intervals, i => i.Name == TraceIntervalNames.Resumed);
    }

    [Fact]
    public async Task TraceAsync_AgainResumingOnTls13_FullHandshakeSayingWhy()
    {
        var events = await lab.TraceAsync(lab.Request("www") with { AgainResumingSession = true });
        Assert.True(TraceAssert.Summary(events).Succeeded);
        var marker = (ResumedAgainDetails)Assert.Single(events, e => e.Details is ResumedAgainDetails).Details!;
        Assert.Null(marker.Offered);
        Assert.Contains("TLS 1.3", marker.Reason, StringComparison.Ordinal);
        var second = TraceAssert.Detail<TlsHandshakeDetails>(events, hop: 1);
        Assert.Equal(new TlsResumption(null, false, marker.Reason), second.Resumption);
        Assert.NotEmpty(second.Certificates);
        Assert.Contains(events, e => e.Hop == 1 && e.Step == TraceStep.Tls && e.Message.StartsWith("Nothing to resume, a full handshake", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TraceAsync_AgainResumingOnPlainHttp_SaysThereIsNoSessionAndEnds()
    {
        var events = await lab.TraceAsync(lab.Request("plain") with { AgainResumingSession = true });
        Assert.True(TraceAssert.Summary(events).Succeeded);
        Assert.DoesNotContain(events, e => e.Hop > 0);
        Assert.Contains(events, e => e.Message.StartsWith("No second request resuming a TLS session", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TraceAsync_BothAgainKinds_RefusedAsInvalid()
    {
        var events = await lab.TraceAsync(lab.Request("www") with { AgainResumingSession = true, AgainOnSameConnection = true });
        Assert.Equal(StepFailureDetails.InvalidRequest, TraceAssert.Summary(events).Failure?.Code);
    }
}
