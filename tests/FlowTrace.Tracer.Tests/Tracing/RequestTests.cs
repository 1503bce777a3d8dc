using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Dns;
using FlowTrace.Tracer.Tcp;
using FlowTrace.Tracer.Tracing;
using System.Net;

namespace FlowTrace.Tracer.Tests.Tracing;

public sealed class RequestTests
{
    [Theory]
    [InlineData("file:///etc/passwd", "scheme 'file:'")]
    [InlineData("ftp://example.test/", "scheme 'ftp:'")]
    [InlineData("javascript:alert(1)", "not supported")]
    [InlineData("not a url", "not an absolute URL")]
    [InlineData("", "empty")]
    [InlineData("https://exa mple.test/", "")]
    [InlineData("http:///path", "")]
    [InlineData("https://:443/", "")]
    [InlineData("http://host.test:0/", "")]
    [InlineData("http://host.test:65536/", "")]
    [InlineData("gopher://host.test/", "scheme 'gopher:'")]
    public void Validate_BadUrl_GivesOneClearMessage(string url, string expected)
    {
        var errors = TraceRequestValidator.Validate(new TraceRequest { Url = url });
        var error = Assert.Single(errors);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-A\r\nInjected", "v")]
    [InlineData("X A", "v")]
    [InlineData("", "v")]
    [InlineData("X-B", "a\nb")]
    [InlineData("X-C", "a\0b")]
    public void Validate_BadHeader_IsRefused(string name, string value) =>
        Assert.NotEmpty(TraceRequestValidator.Validate(new TraceRequest { Url = "https://a.test/", Headers = [new(name, value)] }));

    [Fact]
    public void Validate_UrlLongerThanLimit_IsRefused()
    {
        var error = Assert.Single(TraceRequestValidator.Validate(new TraceRequest { Url = "https://a.test/" + new string('a', 2100) }));
        Assert.Contains("limit is 2048", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HeaderWithNewline_IsRefused()
    {
        var errors = TraceRequestValidator.Validate(new TraceRequest { Url = "https://a.test/", Headers = [new("X-A", "1\r\nInjected: yes")] });
        Assert.Contains(errors, e => e.Contains("CR, LF", StringComparison.Ordinal));
    }

    [Fact]
    public void ParseTarget_InternationalName_KeepsBothForms()
    {
        var target = TraceRequestValidator.ParseTarget("https://bücher.test/pfad");
        Assert.Equal("bücher.test", target.Host);
        Assert.Equal("xn--bcher-kva.test", target.AsciiHost);
        Assert.Equal("bücher.test".Length, target.Host.Length);
    }

    [Fact]
    public void ParseTarget_IPv6Literal_HostHeaderIsBracketed()
    {
        var target = TraceRequestValidator.ParseTarget("http://[::1]:8080/");
        Assert.Equal("::1", target.AsciiHost);
        Assert.Equal("[::1]:8080", target.HostHeader);
    }

    [Theory]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("127.0.0.1", "127.0.0.1:53")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    [InlineData("::1", "[::1]:53")]
    public void EndpointParse_Forms_GiveEndpoint(string text, string expected)
    {
        Assert.True(EndpointText.TryParse(text, 53, out var endPoint));
        Assert.Equal(expected, endPoint.ToString());
    }

    [Fact]
    public void HostsFile_Lookup_FindsAliasesIgnoringComments()
    {
        var hosts = HostsFile.FromText("/etc/hosts", "127.0.0.1 localhost # comment\n10.1.2.3\tbox box.example.test\n# 192.0.2.55 hidden\n");
        Assert.Equal([IPAddress.Parse("10.1.2.3")], hosts.Lookup("BOX.example.test"));
        Assert.Empty(hosts.Lookup("hidden"));
    }

    [Fact]
    public void CnameChain_Loop_ExceedsLimit()
    {
        var answers = new List<DnsRecordInfo> { new("a.test", "CNAME", 60, "b.test"), new("b.test", "CNAME", 60, "a.test") };
        Assert.True(DnsStep.CnameChain("a.test", answers).Count > 16);
    }

    [Fact]
    public void Interleave_MixedFamilies_StartsWithIPv6AndAlternates()
    {
        var ordered = TcpConnector.Interleave([IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"), IPAddress.Parse("fd00::1")]);
        Assert.Equal(["fd00::1", "10.0.0.1", "10.0.0.2"], ordered.Select(a => a.ToString()));
    }

    [Fact]
    public void TraceJson_EveryDetailType_RoundTripsWithoutLoss()
    {
        var details = new TraceEventDetails[]
        {
            new TlsHandshakeDetails("a.test", "TLS 1.3", "TLS_AES_128_GCM_SHA256", "x25519", "http/1.1", TimeSpan.FromTicks(12345), TimeSpan.FromTicks(999),
                [22, 3, 1], [22, 3, 3], [new CertificateInfo("CN=a", "CN=ca", ["a.test"], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1), "ECDSA", 256, "01", "AA:BB")],
                [new ValidationFinding("expired", FindingSeverity.Error, "old")]),
            new TraceSummary(true, [new StepTiming(0, TraceStep.Dns, TimeSpan.FromTicks(1), TimeSpan.FromTicks(2),
                    new StepTimeSplit(TimeSpan.FromTicks(1), TimeSpan.FromTicks(1), [new TimeShare(ClientWorkNames.Jit, TimeSpan.FromTicks(1))]), true)],
                TimeSpan.FromTicks(3), "https://a.test/", 200, null, [new TraceInterval(0, TraceIntervalNames.Paused, TimeSpan.FromTicks(3), TimeSpan.Zero)], TimeSpan.FromTicks(1)),
            new DnsQueryDetails("A", "a.test", "127.0.0.1:53", "udp", "NoError", false, [new DnsRecordInfo("a.test", "A", 300, "127.0.0.1")], 58, TimeSpan.FromTicks(77)),
        };
        foreach (var detail in details)
        {
            var original = new TraceEvent(3, 1, TraceStep.Tls, TraceEventKind.Completed, TimeSpan.FromTicks(1234567), "msg", detail, TimeSpan.FromTicks(2),
                new StepTimeSplit(TimeSpan.FromTicks(1), TimeSpan.FromTicks(1), [new TimeShare(ClientWorkNames.TlsCrypto, TimeSpan.FromTicks(1))]));
            var back = TraceJson.Deserialize(TraceJson.Serialize(original));
            Assert.Equal(TraceJson.Serialize(original), TraceJson.Serialize(back));
            Assert.Equal(original.Offset, back.Offset);
            Assert.Equal(detail.GetType(), back.Details!.GetType());
        }
    }
}
