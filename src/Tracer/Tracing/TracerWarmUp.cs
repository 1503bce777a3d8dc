using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DnsClient;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tracing;

/// <summary>
/// Runs every code path of a trace once against throw-away loopback servers before the first real trace,
/// so that JIT compilation and first-use initialisation do not land in a user's numbers.
/// </summary>
internal static class TracerWarmUp
{
    public static async Task RunAsync(FlowTracer tracer)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await WarmDnsAsync(timeout.Token).ConfigureAwait(false);
            using var certificate = CreateCertificate();
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            foreach (var version in new[] { "1.3", "1.2" })
            {
                var server = ServeOnceAsync(listener, certificate, timeout.Token);
                var request = new TraceRequest { Url = $"https://127.0.0.1:{port}/", TlsVersions = [version] };
                await foreach (var unused in tracer.RunAsync(request, timeout.Token).ConfigureAwait(false))
                {
                }

                await server.ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Warm-up is an optimisation: whatever goes wrong, real traces still run.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static async Task WarmDnsAsync(CancellationToken cancellationToken)
    {
        using var responder = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var endpoint = (IPEndPoint)responder.Client.LocalEndPoint!;
        var answer = Task.Run(async () =>
        {
            var query = await responder.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            var reply = query.Buffer.ToArray();
            reply[2] |= 0x80; // QR: this is a response
            reply[3] = (byte)((reply[3] & 0xF0) | 3); // NXDOMAIN
            await responder.SendAsync(reply, query.RemoteEndPoint, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
        var client = new LookupClient(new LookupClientOptions(new NameServer(endpoint)) { UseCache = false, Retries = 0, Timeout = TimeSpan.FromSeconds(2), ThrowDnsErrors = false });
        await client.QueryAsync("warm-up.invalid", QueryType.A, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        await answer.ConfigureAwait(false);
    }

    private static async Task ServeOnceAsync(TcpListener listener, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        using var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
        await using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[4096];
        var read = 0;
        while (read < 4 || !buffer.AsSpan(0, read).EndsWith("\r\n\r\n"u8))
        {
            var n = await tls.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
                return;
            read += n;
        }

        await tls.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nServer-Timing: warm;dur=1\r\nConnection: close\r\n\r\nok"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=warm-up.invalid", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Export and reload so that the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
