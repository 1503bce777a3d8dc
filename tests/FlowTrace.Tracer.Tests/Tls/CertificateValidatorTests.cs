using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FlowTrace.Tracer.Tls;

namespace FlowTrace.Tracer.Tests.Tls;

public sealed class CertificateValidatorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public void Validate_SameChainAndRootsTwice_ReusesTheVerdict()
    {
        using var ca = Authority("Test CA");
        using var leaf = Leaf(ca, "www.example.test");
        var validator = new CertificateValidator();
        Assert.Empty(validator.Validate([leaf.RawData], "www.example.test", Now, [ca.RawData]));
        Assert.Empty(validator.Validate([leaf.RawData], "www.example.test", Now, [ca.RawData]));
        Assert.Equal(1, validator.CachedVerdicts);
        // The name is checked every time, whatever the cached trust verdict says.
        Assert.Equal("name-mismatch", Assert.Single(validator.Validate([leaf.RawData], "other.example.test", Now, [ca.RawData])).Code);
        Assert.Equal(1, validator.CachedVerdicts);
    }

    [Fact]
    public void Validate_SameChainOtherRoots_IsJudgedAgain()
    {
        using var ca = Authority("Test CA");
        using var leaf = Leaf(ca, "www.example.test");
        var validator = new CertificateValidator();
        Assert.Empty(validator.Validate([leaf.RawData], "www.example.test", Now, [ca.RawData]));
        Assert.NotEmpty(validator.Validate([leaf.RawData], "www.example.test", Now, []));
        Assert.Equal(2, validator.CachedVerdicts);
    }

    [Fact]
    public void Validate_VerdictOlderThanItsLifetime_IsJudgedAgain()
    {
        using var ca = Authority("Test CA");
        using var leaf = Leaf(ca, "www.example.test");
        var clock = new ManualClock(Now);
        var validator = new CertificateValidator(clock);
        Assert.Empty(validator.Validate([leaf.RawData], "www.example.test", Now, [ca.RawData]));
        clock.Now += CertificateValidator.VerdictLifetime + TimeSpan.FromSeconds(1);
        // Judged again, not served from the stale entry: a chain built against a different root store now would differ.
        Assert.NotEmpty(validator.Validate([leaf.RawData], "www.example.test", Now, []));
        Assert.Empty(validator.Validate([leaf.RawData], "www.example.test", Now, [ca.RawData]));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Validate_ChainToAnExtraRoot_HasNoFindings()
    {
        using var ca = Authority("Test CA");
        using var leaf = Leaf(ca, "www.example.test");
        Assert.Empty(new CertificateValidator().Validate([leaf.RawData], "www.example.test", Now, [ca.RawData]));
    }

    [Fact]
    public void Validate_LeafAloneIssuerUnknown_IncompleteChainNamesTheIssuer()
    {
        using var ca = Authority("Test CA");
        using var leaf = Leaf(ca, "www.example.test");
        var finding = Assert.Single(new CertificateValidator().Validate([leaf.RawData], "www.example.test", Now, []));
        Assert.Equal("incomplete-chain", finding.Code);
        Assert.Contains("'CN=Test CA'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LeafAndIntermediateOfAPrivateCa_UntrustedRootNamedWithHowToTrustIt()
    {
        using var chain = new CompanyChain();
        var finding = Assert.Single(new CertificateValidator().Validate([chain.Leaf.RawData, chain.Intermediate.RawData], "www.example.test", Now, []));
        Assert.Equal("untrusted-root", finding.Code);
        Assert.Contains("'CN=Company Issuing CA', issued by 'CN=Company Root'", finding.Message, StringComparison.Ordinal);
        Assert.Contains("--cacert", finding.Message, StringComparison.Ordinal);
        // Trusted for the trace, the same chain is valid.
        Assert.Empty(new CertificateValidator().Validate([chain.Leaf.RawData, chain.Intermediate.RawData], "www.example.test", Now, [chain.Root.RawData]));
    }

    [Fact]
    public void Validate_WholeChainWithItsUntrustedRoot_SaysTheChainIsCompleteUpToThatRoot()
    {
        using var chain = new CompanyChain();
        var finding = Assert.Single(new CertificateValidator().Validate([chain.Leaf.RawData, chain.Intermediate.RawData, chain.Root.RawData], "www.example.test", Now, []));
        Assert.Equal("untrusted-root", finding.Code);
        Assert.Contains("complete up to its root 'CN=Company Root'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_IntermediateMissingUnderATrustedRoot_IncompleteChainNamesTheMissingIntermediate()
    {
        using var chain = new CompanyChain();
        var finding = Assert.Single(new CertificateValidator().Validate([chain.Leaf.RawData], "www.example.test", Now, [chain.Root.RawData]));
        Assert.Equal("incomplete-chain", finding.Code);
        Assert.Contains("'CN=Company Issuing CA'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_IntermediateExpiredUnderAValidLeaf_NamesTheIntermediate()
    {
        using var root = Authority("Company Root");
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=Company Issuing CA", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var rootKey = root.GetECDsaPrivateKey()!;
        using var intermediate = intermediateRequest.Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), Now.AddDays(-10), Now.AddDays(-2), [5, 6]);
        // Signed by the expired intermediate's key, yet valid itself: a renewal that forgot the intermediate.
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = Named(new CertificateRequest("CN=www.example.test", leafKey, HashAlgorithmName.SHA256), "www.example.test");
        using var leaf = leafRequest.Create(intermediate.SubjectName, X509SignatureGenerator.CreateForECDsa(intermediateKey), Now.AddDays(-1), Now.AddDays(30), [1, 2]);
        var findings = new CertificateValidator().Validate([leaf.RawData, intermediate.RawData], "www.example.test", Now, [root.RawData]);
        var expired = Assert.Single(findings, f => f.Code == "expired");
        Assert.StartsWith("The intermediate certificate 'CN=Company Issuing CA' expired on ", expired.Message, StringComparison.Ordinal);
        Assert.Equal(FlowTrace.Contracts.Events.FindingSeverity.Error, expired.Severity);
    }

    [Fact]
    public void Validate_ChainSentOutOfOrder_NotedButAccepted()
    {
        using var chain = new CompanyChain();
        var findings = new CertificateValidator().Validate([chain.Leaf.RawData, chain.Root.RawData, chain.Intermediate.RawData], "www.example.test", Now, [chain.Root.RawData]);
        var finding = Assert.Single(findings);
        Assert.Equal(("chain-order", FlowTrace.Contracts.Events.FindingSeverity.Info), (finding.Code, finding.Severity));
        Assert.Contains("'CN=www.example.test' → 'CN=Company Issuing CA' → 'CN=Company Root'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SelfSignedWhileAnotherRootIsExtra_ReportsSelfSignedOnce()
    {
        using var other = Authority("Other CA");
        using var self = Authority("www.example.test", "www.example.test");
        var findings = new CertificateValidator().Validate([self.RawData], "www.example.test", Now, [other.RawData]);
        Assert.Equal(["self-signed"], findings.Select(f => f.Code));
    }

    [Fact]
    public void Validate_ExtraRootTrustedButWrongName_ReportsOnlyTheName()
    {
        using var ca = Authority("Test CA");
        using var leaf = Leaf(ca, "www.example.test");
        var findings = new CertificateValidator().Validate([leaf.RawData], "other.example.test", Now, [ca.RawData]);
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

    [Fact]
    public void Validate_Rsa1024Leaf_WeakKeyNamed()
    {
        using var ca = Authority("Test CA");
        using var key = RSA.Create(1024);
        var request = Named(new CertificateRequest("CN=www.example.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), "www.example.test");
        using var caKey = ca.GetECDsaPrivateKey()!;
        using var leaf = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), Now.AddDays(-1), Now.AddDays(30), [9]);
        var finding = Assert.Single(new CertificateValidator().Validate([leaf.RawData], "www.example.test", Now, [ca.RawData]));
        Assert.Equal("weak-key", finding.Code);
        Assert.Contains("1024-bit RSA key", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Sha1SignedLeaf_WeakSignatureNamed()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Old CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));
        using var key = RSA.Create(2048);
        var request = Named(new CertificateRequest("CN=www.example.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), "www.example.test");
        // .NET refuses to sign with SHA-1 itself: a signature generator that does it anyway, as old CAs did.
        using var leaf = request.Create(ca.SubjectName, new Sha1RsaSignatures(caKey), Now.AddDays(-1), Now.AddDays(30), [9]);
        var findings = new CertificateValidator().Validate([leaf.RawData], "www.example.test", Now, [ca.RawData]);
        Assert.Contains(findings, f => f.Code == "weak-signature" && f.Message.Contains("SHA-1 with RSA", StringComparison.Ordinal));
    }

    /// <summary>A private CA's chain: its root, an issuing CA under it, and a leaf for www.example.test.</summary>
    private sealed class CompanyChain : IDisposable
    {
        public CompanyChain()
        {
            Intermediate = CertificateValidatorTests.Intermediate(Root, "Company Issuing CA");
            Leaf = CertificateValidatorTests.Leaf(Intermediate, "www.example.test");
        }

        public X509Certificate2 Root { get; } = Authority("Company Root");
        public X509Certificate2 Intermediate { get; }
        public X509Certificate2 Leaf { get; }

        public void Dispose()
        {
            Leaf.Dispose();
            Intermediate.Dispose();
            Root.Dispose();
        }
    }

    /// <summary>Adds <paramref name="dnsName"/> as the request's subject alternative name.</summary>
    private static CertificateRequest Named(CertificateRequest request, string dnsName)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        return request;
    }

    private sealed class Sha1RsaSignatures(RSA key) : X509SignatureGenerator
    {
        // AlgorithmIdentifier { sha1WithRSAEncryption, NULL }
        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => Convert.FromHexString("300D06092A864886F70D0101050500");

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) => key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

        protected override PublicKey BuildPublicKey() => PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
    }

    private static X509Certificate2 Intermediate(X509Certificate2 issuer, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.Create(issuer, Now.AddDays(-1), Now.AddDays(30), [5, 6, 7, 8]);
        return certificate.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 Leaf(X509Certificate2 issuer, string dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Named(new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256), dnsName);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        return request.Create(issuer, Now.AddDays(-1), Now.AddDays(30), [1, 2, 3, 4]);
    }
}
