using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// Judges a server's chain as a browser would: chain to a trusted root, name match against the host, dates.
/// It never throws for a bad certificate; every problem becomes a <see cref="ValidationFinding"/>.
/// Building a chain is the costly part (about a millisecond), so the trust verdict for a chain already judged against the
/// same roots is kept for a while; the name and dates are checked every time.
/// </summary>
public sealed class CertificateValidator
{
    /// <summary>How long a trust verdict is reused (the system's own root store is re-read every five minutes too).</summary>
    public static readonly TimeSpan VerdictLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Verdicts kept at most; the cache is emptied when it is full.</summary>
    public const int MaxVerdicts = 1024;

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Verdict> _verdicts = new(StringComparer.Ordinal);

    /// <summary>Creates a validator whose verdict cache runs on <paramref name="time"/>.</summary>
    public CertificateValidator(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Verdicts currently cached.</summary>
    public int CachedVerdicts => _verdicts.Count;

    /// <summary>Validates <paramref name="chain"/> (DER, leaf first) for <paramref name="host"/> at <paramref name="now"/>.</summary>
    public IReadOnlyList<ValidationFinding> Validate(IReadOnlyList<byte[]> chain, string host, DateTimeOffset now, IReadOnlyList<byte[]> extraTrustedRoots)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var certificates = chain.Select(X509CertificateLoader.LoadCertificate).ToList();
        try
        {
            return Validate(chain, certificates, host, now, extraTrustedRoots);
        }
        finally
        {
            certificates.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Validates a chain already loaded (<paramref name="certificates"/>, the same as <paramref name="chain"/>'s
    /// DER): a caller that describes the certificates too loads them once (~0.1 ms a certificate).</summary>
    public IReadOnlyList<ValidationFinding> Validate(IReadOnlyList<byte[]> chain, IReadOnlyList<X509Certificate2> certificates, string host, DateTimeOffset now, IReadOnlyList<byte[]> extraTrustedRoots)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(extraTrustedRoots);
        var findings = new List<ValidationFinding>();
        if (chain.Count == 0)
        {
            findings.Add(new("no-certificate", FindingSeverity.Error, "The server sent no certificate."));
            return findings;
        }

        var leaf = certificates[0];
        CheckDates(certificates, now, findings);
        CheckName(leaf, host, findings);
        CheckStrength(certificates, findings);
        findings.AddRange(TrustFindings(chain, certificates, now, extraTrustedRoots));
        return findings;
    }

    /// <summary>True when <paramref name="certificate"/> covers <paramref name="host"/> by its subject alternative names.</summary>
    public static bool CoversName(X509Certificate2 certificate, string host)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(host);
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (extension is null)
            return false;
        host = host.TrimEnd('.');
        if (IPAddress.TryParse(host, out var address))
            return extension.EnumerateIPAddresses().Any(a => a.Equals(address));
        return extension.EnumerateDnsNames().Any(pattern => MatchesDnsName(pattern, host));
    }

    /// <summary>RFC 6125 matching: exact (case-insensitive) or a wildcard standing for exactly one left-most label.</summary>
    public static bool MatchesDnsName(string pattern, string host)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(host);
        pattern = pattern.TrimEnd('.');
        host = host.TrimEnd('.');
        if (!pattern.StartsWith("*.", StringComparison.Ordinal))
            return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && pattern.Count(c => c == '.') >= 2 &&
               string.Equals(pattern[1..], host[dot..], StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The dates of the leaf and of every intermediate the server sent, each named when it is not the leaf (a
    /// self-signed root the server sends is not used by a browser, whose own copy of the root counts).</summary>
    private static void CheckDates(IReadOnlyList<X509Certificate2> certificates, DateTimeOffset now, List<ValidationFinding> findings)
    {
        for (var i = 0; i < certificates.Count; i++)
        {
            var certificate = certificates[i];
            if (i > 0 && IsSelfIssued(certificate))
                continue;
            var which = i == 0 ? "The certificate" : $"The intermediate certificate '{certificate.Subject}'";
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
            if (now > notAfter)
                findings.Add(new("expired", FindingSeverity.Error, $"{which} expired on {notAfter:yyyy-MM-dd HH:mm} UTC ({(now - notAfter).TotalDays:0} days ago)."));
            else if (now < notBefore)
                findings.Add(new("not-yet-valid", FindingSeverity.Error, $"{which} is not valid before {notBefore:yyyy-MM-dd HH:mm} UTC."));
        }
    }

    /// <summary>Keys and signatures browsers no longer accept, on every certificate but a root (whose own signature
    /// nobody checks).</summary>
    private static void CheckStrength(IReadOnlyList<X509Certificate2> certificates, List<ValidationFinding> findings)
    {
        foreach (var certificate in certificates.Where(c => !IsSelfIssued(c)))
        {
            using (var rsa = certificate.GetRSAPublicKey())
            {
                if (rsa is { KeySize: < 2048 })
                    findings.Add(new("weak-key", FindingSeverity.Error,
                        $"The certificate '{certificate.Subject}' has a {rsa.KeySize}-bit RSA key; browsers require at least 2048 bits."));
            }

            if (WeakSignatures.TryGetValue(certificate.SignatureAlgorithm.Value ?? "", out var algorithm))
                findings.Add(new("weak-signature", FindingSeverity.Error,
                    $"The certificate '{certificate.Subject}' is signed with {algorithm}, which browsers no longer accept (collisions can be forged)."));
        }
    }

    private static readonly Dictionary<string, string> WeakSignatures = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.4"] = "MD5 with RSA",
        ["1.2.840.113549.1.1.5"] = "SHA-1 with RSA",
        ["1.2.840.10045.4.1"] = "ECDSA with SHA-1",
        ["1.2.840.10040.4.3"] = "DSA with SHA-1",
    };

    private static void CheckName(X509Certificate2 leaf, string host, List<ValidationFinding> findings)
    {
        if (CoversName(leaf, host))
            return;
        var names = CertificateInspector.SubjectAlternativeNames(leaf);
        findings.Add(new("name-mismatch", FindingSeverity.Error, names.Count == 0
            ? $"The certificate has no subject alternative names, so it covers no host name ('{host}' asked for)."
            : $"The certificate is for {string.Join(", ", names.Take(10))}{(names.Count > 10 ? $" and {names.Count - 10} more" : "")}, not for '{host}'."));
    }

    private IReadOnlyList<ValidationFinding> TrustFindings(IReadOnlyList<byte[]> chain, IReadOnlyList<X509Certificate2> certificates, DateTimeOffset now, IReadOnlyList<byte[]> extraTrustedRoots)
    {
        // The verdict depends on the certificates and the roots only: dates are checked apart (CheckDates), and a chain
        // whose certificates have expired since is not reused past its earliest expiry.
        var key = VerdictKey(chain, extraTrustedRoots);
        var clock = _time.GetUtcNow();
        if (_verdicts.TryGetValue(key, out var cached) && clock < cached.Until && now < cached.NotAfter)
            return cached.Findings;
        var findings = new List<ValidationFinding>();
        CheckTrust(certificates, now, extraTrustedRoots, findings);
        if (_verdicts.Count >= MaxVerdicts)
            _verdicts.Clear();
        var notAfter = certificates.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        _verdicts[key] = new Verdict(findings, clock + VerdictLifetime, notAfter);
        return findings;
    }

    private static string VerdictKey(IReadOnlyList<byte[]> chain, IReadOnlyList<byte[]> roots)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in chain.Append(Array.Empty<byte>()).Concat(roots))
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, part.Length);
            hash.AppendData(length);
            hash.AppendData(part);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private sealed record Verdict(IReadOnlyList<ValidationFinding> Findings, DateTimeOffset Until, DateTimeOffset NotAfter);

    private static void CheckTrust(IReadOnlyList<X509Certificate2> certificates, DateTimeOffset now, IReadOnlyList<byte[]> extraTrustedRoots, List<ValidationFinding> findings)
    {
        var leaf = certificates[0];
        var selfSigned = IsSelfIssued(leaf) && certificates.Count == 1;
        // Trusted by the system or by an extra root: the extra roots are asked first, since a chain to them (the lab's)
        // is settled without the system store; when both refuse, the extra roots' reasons are the ones reported.
        var status = extraTrustedRoots.Count > 0 ? BuildChain(certificates, now, extraTrustedRoots) : [];
        if (extraTrustedRoots.Count == 0 || status.Count > 0)
        {
            var system = BuildChain(certificates, now, []);
            status = system.Count == 0 || extraTrustedRoots.Count == 0 ? system : status;
        }
        var (linked, outOfOrder) = Link(certificates);
        if (outOfOrder)
            findings.Add(new("chain-order", FindingSeverity.Info,
                $"The server sends its chain out of order: in issuing order it is {string.Join(" → ", linked.Select(c => $"'{c.Subject}'"))}. " +
                "Browsers sort it out; stricter clients may not."));
        foreach (var flag in status)
        {
            switch (flag)
            {
                // Both flags can come for one chain: one finding says where it stops.
                case X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain when findings.Any(f => f.Code is "self-signed" or "untrusted-root" or "incomplete-chain"):
                    break;
                case X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain when selfSigned:
                    findings.Add(new("self-signed", FindingSeverity.Error, "The certificate is self-signed: nobody vouches for it."));
                    break;
                case X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain:
                    findings.Add(Unvouched(linked));
                    break;
                case X509ChainStatusFlags.NotTimeValid or X509ChainStatusFlags.NotTimeNested:
                    break; // reported by CheckDates with dates in the message
                default:
                    findings.Add(new("chain-error", FindingSeverity.Error, $"Chain validation: {flag}."));
                    break;
            }
        }
    }

    /// <summary>Where a chain that reaches no trusted root stops: at a root nobody here trusts (a private CA's, say), or
    /// below a certificate the server did not send.</summary>
    private static ValidationFinding Unvouched(List<X509Certificate2> linked)
    {
        const string trust = "To trust a private CA for a trace: --cacert FILE on the command line, trustedRoots in the API or the page's options.";
        var top = linked[^1];
        if (IsSelfIssued(top))
            return new("untrusted-root", FindingSeverity.Error,
                $"The chain is complete up to its root '{top.Subject}', which this system does not trust (a private or company CA?). {trust}");
        if (linked.Count == 1)
            return new("incomplete-chain", FindingSeverity.Error,
                $"The server sent no certificate for its certificate's issuer '{top.Issuer}', and this system does not know that issuer: " +
                $"an intermediate the server should send, or a private CA's root. {trust}");
        return new("untrusted-root", FindingSeverity.Error,
            $"The chain the server sent is linked up to '{top.Subject}', issued by '{top.Issuer}', which this system does not know: a private or " +
            $"company CA's root, presumably (servers do not send their root; were it another intermediate, the server should send it). {trust}");
    }

    /// <summary>The server's certificates in issuing order from the leaf, following issuer names through what it sent;
    /// and whether it sent them in another order.</summary>
    private static (List<X509Certificate2> Linked, bool OutOfOrder) Link(IReadOnlyList<X509Certificate2> sent)
    {
        var linked = new List<X509Certificate2> { sent[0] };
        for (var current = sent[0]; !IsSelfIssued(current);)
        {
            var issuer = sent.FirstOrDefault(c => !linked.Contains(c) && c.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData));
            if (issuer is null)
                break;
            linked.Add(issuer);
            current = issuer;
        }

        return (linked, !linked.SequenceEqual(sent.Take(linked.Count)));
    }

    private static bool IsSelfIssued(X509Certificate2 certificate) => certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    private static List<X509ChainStatusFlags> BuildChain(IReadOnlyList<X509Certificate2> certificates, DateTimeOffset now, IReadOnlyList<byte[]> customRoots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // No network fetches of missing intermediates: a trace shows what the server sent.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.ExtraStore.AddRange(certificates.Skip(1).ToArray());
        var roots = customRoots.Select(X509CertificateLoader.LoadCertificate).ToList();
        try
        {
            if (roots.Count > 0)
            {
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
            }

            chain.Build(certificates[0]);
            return [.. chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct()];
        }
        finally
        {
            roots.ForEach(r => r.Dispose());
            foreach (var element in chain.ChainElements)
            {
                if (!certificates.Contains(element.Certificate))
                    element.Certificate.Dispose();
            }
        }
    }
}
