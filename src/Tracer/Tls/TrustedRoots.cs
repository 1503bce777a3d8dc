using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// CA certificates a caller trusts for one trace (a workshop's or a company's own CA), as curl's <c>--cacert</c>:
/// read from PEM text with bounds, so that a request from the network cannot hand the tracer megabytes to parse.
/// </summary>
public static class TrustedRoots
{
    /// <summary>Largest PEM text accepted, in characters.</summary>
    public const int MaxPemLength = 64 * 1024;

    /// <summary>Most certificates accepted in one text.</summary>
    public const int MaxCertificates = 16;

    /// <summary>Reads every certificate in <paramref name="pem"/> (DER, in order).</summary>
    /// <exception cref="FormatException">The text is too long, holds no certificate, too many, or one that does not parse.</exception>
    public static IReadOnlyList<byte[]> FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Length > MaxPemLength)
            throw new FormatException($"the PEM text is longer than {MaxPemLength / 1024} KiB.");
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"a certificate in the PEM text does not parse ({e.Message}).", e);
        }

        try
        {
            if (certificates.Count == 0)
                throw new FormatException("the text holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
            if (certificates.Count > MaxCertificates)
                throw new FormatException($"the text holds {certificates.Count} certificates; at most {MaxCertificates} are accepted.");
            return [.. certificates.Select(c => c.RawData)];
        }
        finally
        {
            foreach (var certificate in certificates)
                certificate.Dispose();
        }
    }
}
