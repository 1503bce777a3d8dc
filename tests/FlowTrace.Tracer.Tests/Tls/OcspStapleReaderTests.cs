using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tls;

namespace FlowTrace.Tracer.Tests.Tls;

public sealed class OcspStapleReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Read_BytesThatAreNoOcspResponse_MalformedAndIgnoredAsABrowserWould()
    {
        var staple = OcspStapleReader.Read([0x30, 0x03, 0x0a, 0x01], [1]);
        Assert.Equal(("malformed", null, false, 4), (staple.ResponseStatus, staple.CertificateStatus, staple.ForLeaf, staple.Length));
        var finding = Assert.Single(OcspStapleReader.Findings(staple, Now));
        Assert.Equal(("ocsp-unusable", FindingSeverity.Info), (finding.Code, finding.Severity));
    }

    [Fact]
    public void Findings_GoodButPastItsNextUpdate_StaleNotedNotRefused()
    {
        var staple = new StapledOcspResponse("successful", "good", Now.AddDays(-9), Now.AddDays(-9), Now.AddDays(-2), null, true, 471);
        var finding = Assert.Single(OcspStapleReader.Findings(staple, Now));
        Assert.Equal(("ocsp-stale", FindingSeverity.Info), (finding.Code, finding.Severity));
    }

    [Fact]
    public void Findings_AboutAnotherCertificate_NotedAndNothingElse()
    {
        var staple = new StapledOcspResponse("successful", "revoked", Now, Now, Now.AddDays(7), Now.AddDays(-1), false, 471);
        Assert.Equal(["ocsp-other-certificate"], OcspStapleReader.Findings(staple, Now).Select(f => f.Code));
    }

    [Fact]
    public void Findings_GoodAndFresh_None() =>
        Assert.Empty(OcspStapleReader.Findings(new StapledOcspResponse("successful", "good", Now, Now, Now.AddDays(7), null, true, 471), Now));
}
