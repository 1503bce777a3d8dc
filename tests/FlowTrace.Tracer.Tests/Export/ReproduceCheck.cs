using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Export;

namespace FlowTrace.Tracer.Tests.Export;

/// <summary>Runs the commands a trace generates and compares what they reach with what the trace saw.</summary>
internal static partial class ReproduceCheck
{
    /// <summary>curl reaches the same address with the same status.</summary>
    public static async Task CurlAgreesAsync(IReadOnlyList<TraceEvent> events, byte[]? ca)
    {
        string? caFile = null;
        if (ca is not null)
        {
            caFile = Path.Combine(Path.GetTempPath(), $"flowtrace-ca-{Guid.NewGuid():N}.pem");
            using var certificate = X509CertificateLoader.LoadCertificate(ca);
            await File.WriteAllTextAsync(caFile, certificate.ExportCertificatePem());
        }

        try
        {
            var curl = ReproduceCommands.Curl(events, caFile);
            Assert.NotNull(curl);
            var (code, output, error) = await ExternalProcess.RunAsync(curl.Program, curl.Arguments);
            Assert.True(code == 0, $"{curl.Text}\n{error}");
            var response = events.Where(e => e.Hop == 0).Select(e => e.Details).OfType<HttpResponseDetails>().Single();
            var remote = System.Net.IPEndPoint.Parse(events.Where(e => e.Hop == 0).Select(e => e.Details).OfType<TcpConnectedDetails>().Single().Remote);
            Assert.Equal($"{response.StatusCode} {remote.Address}", output.Trim());
        }
        finally
        {
            if (caFile is not null)
                File.Delete(caFile);
        }
    }

    /// <summary>openssl s_client gets the same leaf certificate with the same SNI (or none).</summary>
    public static async Task OpensslAgreesAsync(IReadOnlyList<TraceEvent> events)
    {
        var openssl = ReproduceCommands.Openssl(events);
        Assert.NotNull(openssl);
        var (_, output, error) = await ExternalProcess.RunAsync(openssl.Program, openssl.Arguments, stdin: "");
        var pem = PemBlock().Match(output + error);
        Assert.True(pem.Success, $"{openssl.Text}\n{output}{error}");
        using var leaf = X509Certificate2.CreateFromPem(pem.Value);
        var expected = events.Select(e => e.Details).OfType<TlsHandshakeDetails>().First().Certificates[0].Sha256Fingerprint;
        Assert.Equal(expected, FlowTrace.Tracer.Tls.CertificateInspector.Fingerprint(leaf));
    }

    [GeneratedRegex("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----")]
    private static partial Regex PemBlock();
}
