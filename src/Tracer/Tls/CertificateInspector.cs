using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tls;

/// <summary>Turns a certificate into the facts a trace shows.</summary>
public static class CertificateInspector
{
    /// <summary>How many subject alternative names a description lists; the rest are counted.</summary>
    public const int MaxListedNames = 100;

    /// <summary>Describes one certificate.</summary>
    public static CertificateInfo Describe(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var (keyType, keySize) = Key(certificate);
        var names = SubjectAlternativeNames(certificate);
        if (names.Count > MaxListedNames)
            names = [.. names.Take(MaxListedNames), $"… and {names.Count - MaxListedNames:N0} more"];
        return new CertificateInfo(
            certificate.Subject,
            certificate.Issuer,
            names,
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            keyType,
            keySize,
            certificate.SerialNumber,
            Fingerprint(certificate));
    }

    /// <summary>SHA-256 of the DER encoding as colon-separated upper-case hex (the form browsers show).</summary>
    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return string.Join(":", certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
    }

    /// <summary>DNS names and IP addresses of the subject-alternative-name extension.</summary>
    public static IReadOnlyList<string> SubjectAlternativeNames(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (extension is null)
            return [];
        try
        {
            return [.. extension.EnumerateDnsNames(), .. extension.EnumerateIPAddresses().Select(a => a.ToString())];
        }
        catch (CryptographicException)
        {
            return [];
        }
    }

    private static (string Type, int Size) Key(X509Certificate2 certificate)
    {
        try
        {
            using (var rsa = certificate.GetRSAPublicKey())
                if (rsa is not null)
                    return ("RSA", rsa.KeySize);
            using (var ec = certificate.GetECDsaPublicKey())
                if (ec is not null)
                    return ("ECDSA", ec.KeySize);
        }
        catch (CryptographicException)
        {
        }

        return certificate.PublicKey.Oid.Value switch
        {
            "1.3.101.112" => ("Ed25519", 256),
            "1.3.101.113" => ("Ed448", 456),
            _ => (certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value ?? "unknown", 0),
        };
    }
}
