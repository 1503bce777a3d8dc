using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FlowTrace.Testing;

/// <summary>
/// Real nginx from Debian on loopback: three SNI virtual hosts and a default server on one TLS port, a TLS 1.2-only
/// virtual host on another, plain HTTP on a third; certificates from a CA made here. Used by tests and benchmarks.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    public static readonly string[] VirtualHosts = ["a.nginx.test", "b.nginx.test", "c.nginx.test"];
    private StartedProcess? _process;

    private NginxServer(string directory) => Directory = directory;

    public string Directory { get; }
    public int HttpsPort { get; } = ExternalProcess.FreePort();
    public int Tls12Port { get; } = ExternalProcess.FreePort();
    public int HttpPort { get; } = ExternalProcess.FreePort();

    /// <summary>The test CA, DER-encoded: trust it to see the virtual hosts' certificates as valid.</summary>
    public byte[] CaCertificate => File.ReadAllBytes(Path.Combine(Directory, "ca.der"));

    public static async Task<NginxServer> StartAsync(string directory)
    {
        var server = new NginxServer(directory);
        server.WriteCertificates();
        await server.StartProcessAsync();
        return server;
    }

    public ValueTask DisposeAsync()
    {
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task StartProcessAsync()
    {
        var vhosts = string.Concat(VirtualHosts.Select(name => $$"""
                server {
                    listen 127.0.0.1:{{HttpsPort}} ssl;
                    server_name {{name}};
                    ssl_certificate {{Directory}}/{{name}}.crt;
                    ssl_certificate_key {{Directory}}/{{name}}.key;
                    location / { add_header Server-Timing 'nginx;dur=1.5;desc="vhost {{name}}"'; return 200 "vhost {{name}}\n"; }
                }
            """));
        var config = Configuration(Directory, $$"""
                ssl_protocols TLSv1.2 TLSv1.3;
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
            """);
        var configPath = Path.Combine(Directory, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);
        _process = ExternalProcess.Start("nginx", ["-c", configPath, "-p", Directory]);
        await ExternalProcess.WaitForTcpAsync(HttpsPort, _process, "nginx");
        await ExternalProcess.WaitForTcpAsync(HttpPort, _process, "nginx");
    }

    /// <summary>An nginx configuration that runs in the foreground with one worker, its pid, error log and temporary
    /// files in <paramref name="directory"/> (as root, the worker stays root: test files only), and
    /// <paramref name="http"/> inside its http block.</summary>
    public static string Configuration(string directory, string http) => $$"""
        {{(Environment.UserName == "root" ? "user root;" : "")}}
        daemon off;
        worker_processes 1;
        pid {{directory}}/nginx.pid;
        error_log {{directory}}/error.log;
        events { worker_connections 1024; }
        http {
            access_log off;
            client_body_temp_path {{directory}}/body;
            proxy_temp_path {{directory}}/proxy;
            fastcgi_temp_path {{directory}}/fastcgi;
            uwsgi_temp_path {{directory}}/uwsgi;
            scgi_temp_path {{directory}}/scgi;
        {{http}}
        }
        """;

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
