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
    public static readonly string[] VirtualHosts = ["a.nginx.test", "b.nginx.test", "c.nginx.test"];
    private Process? _nginx;
    private Process? _dnsmasq;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("flowtrace-real-").FullName;
    public int HttpsPort { get; } = ExternalProcess.FreePort();
    public int Tls12Port { get; } = ExternalProcess.FreePort();
    public int HttpPort { get; } = ExternalProcess.FreePort();
    public int DnsPort { get; private set; }
    public FlowTracer Tracer { get; } = new();

    public TraceRequest Request(string url) => new()
    {
        Url = url,
        DnsServer = $"127.0.0.1:{DnsPort}",
        ExtraTrustedRoots = [File.ReadAllBytes(Path.Combine(Directory, "ca.der"))],
    };

    public async Task InitializeAsync()
    {
        WriteCertificates();
        var user = Environment.UserName == "root" ? "user root;" : "";
        var vhosts = string.Concat(VirtualHosts.Select(name => $$"""
                server {
                    listen 127.0.0.1:{{HttpsPort}} ssl;
                    server_name {{name}};
                    ssl_certificate {{Directory}}/{{name}}.crt;
                    ssl_certificate_key {{Directory}}/{{name}}.key;
                    location / { add_header Server-Timing 'nginx;dur=1.5;desc="vhost {{name}}"'; return 200 "vhost {{name}}\n"; }
                }
            """));
        var config = $$"""
            {{user}}
            daemon off;
            worker_processes 1;
            pid {{Directory}}/nginx.pid;
            error_log {{Directory}}/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                ssl_protocols TLSv1.2 TLSv1.3;
                client_body_temp_path {{Directory}}/body;
                proxy_temp_path {{Directory}}/proxy;
                fastcgi_temp_path {{Directory}}/fastcgi;
                uwsgi_temp_path {{Directory}}/uwsgi;
                scgi_temp_path {{Directory}}/scgi;
                server {
                    listen 127.0.0.1:{{HttpsPort}} ssl default_server;
                    ssl_certificate {{Directory}}/default.nginx.test.crt;
                    ssl_certificate_key {{Directory}}/default.nginx.test.key;
                    location / { return 200 "default server\n"; }
                }
            {{vhosts}}
                server {
                    listen 127.0.0.1:{{Tls12Port}} ssl;
                    server_name old.nginx.test;
                    ssl_protocols TLSv1.2;
                    ssl_certificate {{Directory}}/old.nginx.test.crt;
                    ssl_certificate_key {{Directory}}/old.nginx.test.key;
                    location / { return 200 "tls 1.2 only\n"; }
                }
                server {
                    listen 127.0.0.1:{{HttpPort}};
                    location = /moved { return 301 /; }
                    location / { return 200 "plain http from nginx\n"; }
                }
            }
            """;
        var configPath = Path.Combine(Directory, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);
        _nginx = ExternalProcess.Start("nginx", ["-c", configPath, "-p", Directory]);
        await ExternalProcess.WaitForTcpAsync(HttpsPort, _nginx, "nginx");
        await ExternalProcess.WaitForTcpAsync(HttpPort, _nginx, "nginx");

        DnsPort = FreeUdpPort();
        _dnsmasq = ExternalProcess.Start("dnsmasq",
        [
            "--keep-in-foreground", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
            "--listen-address=127.0.0.1", "--bind-interfaces", $"--port={DnsPort}", "--pid-file=", "--user=root",
            "--local-ttl=120",
            "--host-record=www.dm.test,127.0.0.1,::1",
            "--cname=alias.dm.test,mid.dm.test", "--cname=mid.dm.test,www.dm.test",
            "--host-record=a.nginx.test,127.0.0.1",
            "--local=/dm.test/",
        ]);
        await WaitForDnsAsync();
    }

    public Task DisposeAsync()
    {
        ExternalProcess.Stop(_nginx);
        ExternalProcess.Stop(_dnsmasq);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    private async Task WaitForDnsAsync()
    {
        for (var i = 0; i < 50; i++)
        {
            if (_dnsmasq!.HasExited)
                throw new InvalidOperationException($"dnsmasq exited at start with code {_dnsmasq.ExitCode}: {ExternalProcess.LogOf(_dnsmasq)}");
            var (code, output, _) = await ExternalProcess.RunAsync("dig", ["@127.0.0.1", "-p", DnsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "www.dm.test", "A", "+short", "+time=1", "+tries=1"]);
            if (code == 0 && output.Contains("127.0.0.1", StringComparison.Ordinal))
                return;
            await Task.Delay(100);
        }

        throw new InvalidOperationException("dnsmasq did not answer.");
    }

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    private void WriteCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=FlowTrace Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllBytes(Path.Combine(Directory, "ca.der"), ca.RawData);
        foreach (var name in VirtualHosts.Append("default.nginx.test").Append("old.nginx.test"))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
            using var leaf = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));
            File.WriteAllText(Path.Combine(Directory, $"{name}.crt"), leaf.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");
            File.WriteAllText(Path.Combine(Directory, $"{name}.key"), key.ExportPkcs8PrivateKeyPem());
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RealServersCollection : ICollectionFixture<RealServersFixture>
{
    public const string Name = "real servers";
}
