using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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
            using var resolver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var resolverTask = AnswerQueriesAsync(resolver, timeout.Token);
            using var certificate = CreateCertificate();
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            foreach (var version in new[] { "1.3", "1.2" })
            {
                var server = ServeOnceAsync(listener, certificate, timeout.Token);
                var request = new TraceRequest
                {
                    Url = $"https://warm-up.invalid:{port}/",
                    DnsServer = resolver.Client.LocalEndPoint!.ToString(),
                    TlsVersions = [version],
                };
                await foreach (var unused in tracer.RunAsync(request, timeout.Token).ConfigureAwait(false))
                {
                }

                // If the trace failed before connecting, nobody will connect: do not wait for the server.
                await server.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }

            await timeout.CancelAsync().ConfigureAwait(false);
            await resolverTask.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Warm-up is an optimisation: whatever goes wrong, real traces still run.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>A throw-away resolver: answers A queries with 127.0.0.1 and everything else with no records.</summary>
    private static async Task AnswerQueriesAsync(UdpClient responder, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var query = await responder.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                var reply = WarmAnswer(query.Buffer);
                await responder.SendAsync(reply, query.RemoteEndPoint, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private static byte[] WarmAnswer(byte[] query)
    {
        var questionEnd = 12;
        while (questionEnd < query.Length && query[questionEnd] != 0)
            questionEnd += query[questionEnd] + 1;
        questionEnd += 5;
        var isA = questionEnd <= query.Length && query[questionEnd - 4] == 0 && query[questionEnd - 3] == 1;
        var reply = new List<byte>(query.AsSpan(0, questionEnd).ToArray());
        reply[2] = (byte)(reply[2] | 0x84);
        reply[7] = (byte)(isA ? 1 : 0);
        reply[11] = 0; // drop any EDNS record of the query
        if (isA)
            reply.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 127, 0, 0, 1]);
        return [.. reply];
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
