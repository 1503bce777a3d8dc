using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tests.RealServers;

/// <summary>
/// Real nginx (three SNI virtual hosts, a default server, a TLS 1.2-only vhost, plain HTTP) and real dnsmasq
/// (a CNAME chain), both from Debian, started once for the collection on loopback ports.
/// </summary>
public sealed class RealServersFixture : IAsyncLifetime
{
    public static string[] VirtualHosts => NginxServer.VirtualHosts;
    private NginxServer? _nginx;
    private StartedProcess? _dnsmasq;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("flowtrace-real-").FullName;
    public int HttpsPort => _nginx!.HttpsPort;
    public int Tls12Port => _nginx!.Tls12Port;
    public int HttpPort => _nginx!.HttpPort;

    /// <summary>The test CA (DER) that issued every certificate here.</summary>
    public byte[] CaCertificate => _nginx!.CaCertificate;
    public int DnsPort { get; private set; }
    public FlowTracer Tracer { get; } = new();

    public TraceRequest Request(string url) => new()
    {
        Url = url,
        DnsServer = $"127.0.0.1:{DnsPort}",
        ExtraTrustedRoots = [_nginx!.CaCertificate],
    };

    public async Task InitializeAsync()
    {
        _nginx = await NginxServer.StartAsync(Directory);
        // dnsmasq binds TCP as well as UDP on its port; a port free for UDP may be held for TCP a moment later by one of
        // the many loopback connections parallel tests make. Another port then, rather than a failed collection.
        for (var attempt = 1; ; attempt++)
        {
            DnsPort = FreeUdpAndTcpPort();
            _dnsmasq = StartDnsmasq(DnsPort);
            try
            {
                await WaitForDnsAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 5 && _dnsmasq.Process.HasExited && _dnsmasq.Log.Contains("Address already in use", StringComparison.Ordinal))
            {
                _dnsmasq.Dispose();
            }
        }
    }

    private static StartedProcess StartDnsmasq(int port) => ExternalProcess.Start("dnsmasq",
    [
        "--keep-in-foreground", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
        "--listen-address=127.0.0.1", "--bind-interfaces", $"--port={port}", "--pid-file=", "--user=root",
        "--local-ttl=120",
        "--host-record=www.dm.test,127.0.0.1,::1",
        "--cname=alias.dm.test,mid.dm.test", "--cname=mid.dm.test,www.dm.test",
        "--host-record=a.nginx.test,127.0.0.1",
        "--local=/dm.test/",
    ]);

    public async Task DisposeAsync()
    {
        if (_nginx is not null)
            await _nginx.DisposeAsync();
        _dnsmasq?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitForDnsAsync()
    {
        for (var i = 0; i < 50; i++)
        {
            if (_dnsmasq!.Process.HasExited)
                throw new InvalidOperationException($"dnsmasq exited at start with code {_dnsmasq.Process.ExitCode}: {_dnsmasq.Log}");
            var (code, output, _) = await ExternalProcess.RunAsync("dig", ["@127.0.0.1", "-p", DnsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "www.dm.test", "A", "+short", "+time=1", "+tries=1"]);
            if (code == 0 && output.Contains("127.0.0.1", StringComparison.Ordinal))
                return;
            await Task.Delay(100);
        }

        throw new InvalidOperationException("dnsmasq did not answer.");
    }

    /// <summary>A loopback port free for both UDP and TCP right now.</summary>
    private static int FreeUdpAndTcpPort()
    {
        while (true)
        {
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
            try
            {
                using var tcp = new TcpListener(IPAddress.Loopback, port);
                tcp.Start();
                return port;
            }
            catch (SocketException)
            {
                // Held for TCP: try another.
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RealServersCollection : ICollectionFixture<RealServersFixture>
{
    public const string Name = "real servers";
}
