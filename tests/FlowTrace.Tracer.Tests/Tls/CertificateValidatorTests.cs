using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FlowTrace.Tracer.Tls;

namespace FlowTrace.Tracer.Tests.Tls;

public sealed class CertificateValidatorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public void Validate_ChainToAnExtraRoot_HasNoFindings()
    {
        using var ca = Authority("Test CA");
        using var leaf = Leaf(ca, "www.example.test");
        Assert.Empty(CertificateValidator.Validate([leaf.RawData], "www.example.test", Now, [ca.RawData]));
    }

    [Fact]
    public void Validate_ChainToAnUnknownRootWithoutExtraRoots_ReportsTheChain()
    {
        using var ca = Authority("Test CA");
        using var leaf = Leaf(ca, "www.example.test");
        var finding = Assert.Single(CertificateValidator.Validate([leaf.RawData], "www.example.test", Now, []));
        Assert.Equal("incomplete-chain", finding.Code);
    }

    [Fact]
    public void Validate_SelfSignedWhileAnotherRootIsExtra_ReportsSelfSignedOnce()
    {
        using var other = Authority("Other CA");
        using var self = Authority("www.example.test", "www.example.test");
        var findings = CertificateValidator.Validate([self.RawData], "www.example.test", Now, [other.RawData]);
        Assert.Equal(["self-signed"], findings.Select(f => f.Code));
    }

    [Fact]
    public void Validate_ExtraRootTrustedButWrongName_ReportsOnlyTheName()
    {
        using var ca = Authority("Test CA");
        using var leaf = Leaf(ca, "www.example.test");
        var findings = CertificateValidator.Validate([leaf.RawData], "other.example.test", Now, [ca.RawData]);
        Assert.Equal(["name-mismatch"], findings.Select(f => f.Code));
    }

    private static X509Certificate2 Authority(string name, string? dnsName = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(dnsName is null, false, 0, true));
        if (dnsName is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
        }

        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));
    }

    private static X509Certificate2 Leaf(X509Certificate2 issuer, string dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        return request.Create(issuer, Now.AddDays(-1), Now.AddDays(30), [1, 2, 3, 4]);
    }
}
