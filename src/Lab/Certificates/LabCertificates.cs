using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FlowTrace.Lab.Certificates;

/// <summary>The lab's certificates, made at start-up: a lab CA and one leaf per situation the lab shows.</summary>
public sealed class LabCertificates : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly Dictionary<string, X509Certificate2> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<X509Certificate2> _all = [];

    /// <summary>Creates the CA and every leaf for <paramref name="zone"/>.</summary>
    public LabCertificates(string zone)
    {
        var now = DateTimeOffset.UtcNow;
        _ca = CreateCa(zone, now);
        Default = Leaf($"default.{zone}", [$"default.{zone}"], now.AddDays(-1), now.AddDays(90));
        Add(Leaf($"www.{zone}", [$"www.{zone}", $"alias.{zone}", $"cdn.{zone}", $"redirect.{zone}", $"slow.{zone}", $"stream.{zone}", $"close.{zone}", $"error.{zone}", $"race.{zone}", $"refused.{zone}", $"metadata.{zone}", $"hostile-text.{zone}"], now.AddDays(-1), now.AddDays(90)));
        Add(Leaf($"api.{zone}", [$"api.{zone}"], now.AddDays(-1), now.AddDays(90)));
        Add(Leaf($"tls12.{zone}", [$"tls12.{zone}"], now.AddDays(-1), now.AddDays(90)));
        Add(Leaf($"h2.{zone}", [$"h2.{zone}", $"h2-big-headers.{zone}", .. Hostile.HostileHttp2Server.Behaviours.Keys.Select(name => $"{name}.{zone}")], now.AddDays(-1), now.AddDays(90)));
        Add(Leaf($"expired.{zone}", [$"expired.{zone}"], now.AddDays(-400), now.AddDays(-35)));
        Add(SelfSigned($"selfsigned.{zone}", now));
        // 10,000 names: a certificate that is hostile by size alone.
        Add(Leaf($"many-sans.{zone}", [$"many-sans.{zone}", .. Enumerable.Range(0, 9_999).Select(i => $"n{i}.many-sans.{zone}")], now.AddDays(-1), now.AddDays(90)));
        _byName[$"wrongname.{zone}"] = Track(Leaf($"other-name.{zone}", [$"other-name.{zone}"], now.AddDays(-1), now.AddDays(90)));
    }

    /// <summary>The certificate for no SNI or a name the lab has no certificate for.</summary>
    public X509Certificate2 Default { get; }

    /// <summary>The lab CA in DER form, for tracers that should trust the lab.</summary>
    public byte[] CaDer => _ca.RawData;

    /// <summary>Picks the certificate for an SNI name, as a virtual-hosting server does.</summary>
    public X509Certificate2 Select(string? serverName) =>
        serverName is not null && _byName.TryGetValue(serverName.TrimEnd('.'), out var certificate) ? certificate : Default;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var certificate in _all)
            certificate.Dispose();
        _ca.Dispose();
    }

    private void Add(X509Certificate2 certificate)
    {
        foreach (var name in CertificateNames(certificate))
            _byName[name] = certificate;
    }

    private static IEnumerable<string> CertificateNames(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames());

    private X509Certificate2 Track(X509Certificate2 certificate)
    {
        _all.Add(certificate);
        return certificate;
    }

    private static X509Certificate2 CreateCa(string zone, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=FlowTrace Lab CA ({zone}), O=FlowTrace Lab", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var ca = request.CreateSelfSigned(now.AddYears(-2), now.AddYears(5));
        return Reload(ca);
    }

    private X509Certificate2 Leaf(string commonName, IReadOnlyList<string> names, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = LeafRequest(commonName, names, key);
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var signed = request.Create(_ca, notBefore, notAfter, serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        return Track(Reload(withKey));
    }

    private X509Certificate2 SelfSigned(string commonName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = LeafRequest(commonName, [commonName], key).CreateSelfSigned(now.AddDays(-1), now.AddDays(90));
        return Track(Reload(certificate));
    }

    private static CertificateRequest LeafRequest(string commonName, IReadOnlyList<string> names, ECDsa key)
    {
        var request = new CertificateRequest($"CN={commonName}, O=FlowTrace Lab", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
            san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request;
    }

    // A PKCS#12 round trip gives a certificate whose private key SslStream can use on every platform.
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
}
