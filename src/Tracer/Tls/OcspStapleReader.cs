using FlowTrace.Contracts.Events;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.Tls;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// Reads the OCSP response a server stapled to its certificate: TLS 1.2 sends it in a CertificateStatus message, TLS 1.3
/// in the status_request extension of the leaf's certificate entry. BouncyCastle parses the response's ASN.1; what it
/// says is reported, and judged only by what the trace can tell (revoked, stale, about another certificate).
/// </summary>
internal static class OcspStapleReader
{
    /// <summary>The DER bytes of the stapled response the server sent, or null when it stapled none.</summary>
    public static byte[]? Staple(TlsServerCertificate serverCertificate)
    {
        if (serverCertificate.CertificateStatus is { StatusType: CertificateStatusType.ocsp } status)
            return status.OcspResponse.GetEncoded();
        var entries = serverCertificate.Certificate.GetCertificateEntryList();
        if (entries.Length == 0 || entries[0].Extensions is not { } extensions
            || !extensions.TryGetValue(ExtensionType.status_request, out var data))
            return null;
        // struct { CertificateStatusType status_type; opaque OCSPResponse<1..2^24-1>; } (RFC 8446 4.4.2.1, RFC 6066 8).
        if (data.Length < 4 || data[0] != CertificateStatusType.ocsp)
            return null;
        var length = (data[1] << 16) | (data[2] << 8) | data[3];
        return length == data.Length - 4 ? data[4..] : null;
    }

    /// <summary>What the response says about <paramref name="leafSerial"/> (big-endian bytes of the leaf's serial).</summary>
    public static StapledOcspResponse Read(byte[] der, byte[] leafSerial)
    {
        try
        {
            var response = new OcspResp(der);
            if (response.Status != OcspRespStatus.Successful || response.GetResponseObject() is not BasicOcspResp basic)
                return new StapledOcspResponse(ResponseStatusName(response.Status), null, null, null, null, null, false, der.Length);
            var single = basic.Responses.Length > 0 ? basic.Responses[0] : null;
            var status = single?.GetCertStatus();
            return new StapledOcspResponse(
                "successful",
                single is null ? null : status switch { null => "good", RevokedStatus => "revoked", _ => "unknown" },
                Utc(basic.ProducedAt),
                single is null ? null : Utc(single.ThisUpdate),
                single?.NextUpdate is { } next ? Utc(next) : null,
                status is RevokedStatus revoked ? Utc(revoked.RevocationTime) : null,
                single is not null && single.GetCertID().SerialNumber.Equals(new Org.BouncyCastle.Math.BigInteger(1, leafSerial)),
                der.Length);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or InvalidOperationException or OcspException)
        {
            return new StapledOcspResponse("malformed", null, null, null, null, null, false, der.Length);
        }
    }

    /// <summary>What a browser would make of the staple, as findings beside the certificate's own.</summary>
    public static IEnumerable<ValidationFinding> Findings(StapledOcspResponse staple, DateTimeOffset now)
    {
        if (staple.ResponseStatus != "successful")
            yield return new ValidationFinding("ocsp-unusable", FindingSeverity.Info,
                $"The stapled OCSP response is {staple.ResponseStatus}, so it vouches for nothing; a browser ignores it.");
        else if (!staple.ForLeaf)
            yield return new ValidationFinding("ocsp-other-certificate", FindingSeverity.Info,
                "The stapled OCSP response is about another certificate (its serial number is not the leaf's); a browser ignores it.");
        else if (staple.CertificateStatus == "revoked")
            yield return new ValidationFinding("ocsp-revoked", FindingSeverity.Error,
                $"The stapled OCSP response says the certificate was revoked{(staple.RevokedAt is { } at ? $" on {at:u}" : "")}.");
        else if (staple.NextUpdate is { } next && next < now)
            yield return new ValidationFinding("ocsp-stale", FindingSeverity.Info,
                $"The stapled OCSP response expired on {next:u} (its next update); a browser ignores a stale staple.");
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static string ResponseStatusName(int status) => status switch
    {
        OcspRespStatus.MalformedRequest => "malformedRequest",
        OcspRespStatus.InternalError => "internalError",
        OcspRespStatus.TryLater => "tryLater",
        OcspRespStatus.SigRequired => "sigRequired",
        OcspRespStatus.Unauthorized => "unauthorized",
        _ => $"status {status}",
    };
}
