using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tests.Tls;

public sealed class LongChainTests
{
    /// <summary>A server whose chain has a leaf and 11 intermediates: one more than FlowTrace reads.</summary>
    [Fact]
    public async Task TraceAsync_ChainLongerThanTen_FailsTlsStepWithTheLimit()
    {
        var chain = CreateChain(12);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(client.GetStream());
            var context = SslStreamCertificateContext.Create(chain[0], new X509Certificate2Collection(chain.Skip(1).ToArray()), offline: true);
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = context });
                _ = await tls.ReadAsync(new byte[1]);
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
            {
            }
        });

        var events = new List<TraceEvent>();
        await foreach (var e in new FlowTracer(new TracerOptions { WarmUp = false }).TraceAsync(new TraceRequest { Url = $"https://127.0.0.1:{port}/" }, CancellationToken.None))
            events.Add(e);
        Assert.True(events.Any(e => e.Details is StepFailureDetails { Code: "tls-chain-too-long" }), string.Join("\n", events.Select(e => e.Message)));
        var failure = TraceAssert.FailedAt(events, TraceStep.Tls, "tls-chain-too-long");
        Assert.Contains("more than 10 certificates", failure.Reason, StringComparison.Ordinal);
        await server.WaitAsync(TimeSpan.FromSeconds(10));
        chain.ForEach(c => c.Dispose());
    }

    private static List<X509Certificate2> CreateChain(int length)
    {
        var keys = Enumerable.Range(0, length).Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256)).ToList();
        var now = DateTimeOffset.UtcNow;
        var certificates = new List<X509Certificate2>();
        X509Certificate2? issuer = null;
        for (var i = length - 1; i >= 0; i--)
        {
            var request = new CertificateRequest($"CN=level {i}", keys[i], HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(i > 0, false, 0, true));
            var certificate = issuer is null
                ? request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30))
                : request.Create(issuer, now.AddDays(-1), now.AddDays(30), [(byte)(i + 1)]).CopyWithPrivateKey(keys[i]);
            var reloaded = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
            certificates.Insert(0, reloaded);
            issuer = reloaded;
        }

        return certificates;
    }
}
