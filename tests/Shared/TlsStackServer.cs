using System.Diagnostics;
using System.Globalization;

namespace FlowTrace.Testing;

/// <summary>
/// A web server from Debian's packages, each on its own TLS stack, started on a free loopback port from a configuration
/// written into a temporary directory, serving one page over HTTPS with the given certificate: Caddy (Go's crypto/tls),
/// HAProxy, lighttpd, h2o and Apache httpd with mod_ssl (OpenSSL, each configured its own way). Disposing stops it by
/// its own process.
/// </summary>
public sealed class TlsStackServer : IDisposable
{
    /// <summary>The TLS stacks of the interop matrix, by their program's name.</summary>
    public static IReadOnlyList<string> Stacks { get; } = ["caddy", "haproxy", "lighttpd", "h2o", "apache2"];

    /// <summary>The servers that speak HTTP/2 when offered h2 (Apache with mod_http2; nginx, which
    /// <see cref="StartAsync"/> also starts, though it is not in the TLS matrix: its own tests cover it).</summary>
    public static IReadOnlyList<string> Http2Stacks { get; } = ["caddy", "h2o", "lighttpd", "apache2", "nginx"];

    private readonly StartedProcess _process;

    private readonly string _directory;

    private TlsStackServer(string stack, int port, StartedProcess process, string directory)
    {
        Stack = stack;
        Port = port;
        _process = process;
        _directory = directory;
    }

    public string Stack { get; }

    public int Port { get; }

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Log => _process.Log;

    /// <summary>Starts <paramref name="stack"/> in a temporary directory of its own with the leaf
    /// <paramref name="certificate"/> and its <paramref name="key"/> (PEM files, copied there) for <paramref name="hostName"/>.</summary>
    public static async Task<TlsStackServer> StartAsync(string stack, string hostName, string certificate, string key)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var port = ExternalProcess.FreePort();
        var directory = Directory.CreateTempSubdirectory($"flowtrace-{stack}-").FullName;
        File.Copy(certificate, certificate = Path.Combine(directory, "leaf.crt"));
        File.Copy(key, key = Path.Combine(directory, "leaf.key"));
        var www = Directory.CreateDirectory(Path.Combine(directory, "www")).FullName;
        await File.WriteAllTextAsync(Path.Combine(www, "index.html"), $"hello from {stack}\n");
        if (!OperatingSystem.IsWindows())
            OpenToOthers(directory);
        var config = Path.Combine(directory, stack + ".conf");
        var p = port.ToString(CultureInfo.InvariantCulture);
        ProcessStartInfo info;
        switch (stack)
        {
            case "caddy":
                await WriteConfigAsync(config, $$"""
                    {
                        admin off
                        auto_https disable_redirects
                        http_port {{ExternalProcess.FreePort()}}
                        servers {
                            protocols h1 h2
                        }
                    }
                    https://:{{p}} {
                        bind 127.0.0.1
                        tls {{certificate}} {{key}}
                        root * {{www}}
                        file_server
                    }
                    """);
                info = Info(stack, "run", "--config", config, "--adapter", "caddyfile");
                // Caddy keeps state under the user's data and config directories: the test's own, not the machine's.
                info.Environment["XDG_DATA_HOME"] = info.Environment["XDG_CONFIG_HOME"] = info.Environment["HOME"] = directory;
                break;
            case "haproxy":
                var combined = Path.Combine(directory, "haproxy.pem");
                await File.WriteAllTextAsync(combined, (await File.ReadAllTextAsync(certificate)).TrimEnd() + "\n" + await File.ReadAllTextAsync(key));
                await WriteConfigAsync(config, $"""
                    global
                        maxconn 100
                    defaults
                        mode http
                        timeout client 10s
                        timeout connect 5s
                        timeout server 10s
                    frontend fe
                        bind 127.0.0.1:{p} ssl crt {combined}
                        http-request return status 200 content-type text/html string "hello from haproxy"
                    """);
                info = Info(stack, "-f", config, "-db");
                break;
            case "lighttpd":
                await WriteConfigAsync(config, $"""
                    server.document-root = "{www}"
                    server.port = {p}
                    server.bind = "127.0.0.1"
                    server.errorlog = "{directory}/lighttpd.err"
                    server.modules += ("mod_openssl")
                    index-file.names = ("index.html")
                    ssl.engine = "enable"
                    ssl.pemfile = "{certificate}"
                    ssl.privkey = "{key}"
                    """);
                info = Info(stack, "-D", "-f", config);
                break;
            case "h2o":
                await WriteConfigAsync(config, $"""
                    listen:
                      host: 127.0.0.1
                      port: {p}
                      ssl:
                        certificate-file: {certificate}
                        key-file: {key}
                        ocsp-update-interval: 0
                    user: nobody
                    error-log: {directory}/h2o.err
                    hosts:
                      "default":
                        paths:
                          /:
                            file.dir: {www}
                    """);
                info = Info(stack, "-c", config);
                break;
            case "apache2":
                var modules = "/usr/lib/apache2/modules";
                await WriteConfigAsync(config, $"""
                    ServerRoot "{directory}"
                    DefaultRuntimeDir "{directory}"
                    PidFile "{directory}/httpd.pid"
                    Listen 127.0.0.1:{p}
                    LoadModule mpm_event_module {modules}/mod_mpm_event.so
                    LoadModule authz_core_module {modules}/mod_authz_core.so
                    LoadModule dir_module {modules}/mod_dir.so
                    LoadModule mime_module {modules}/mod_mime.so
                    LoadModule socache_shmcb_module {modules}/mod_socache_shmcb.so
                    LoadModule ssl_module {modules}/mod_ssl.so
                    LoadModule http2_module {modules}/mod_http2.so
                    Protocols h2 http/1.1
                    User nobody
                    Group nogroup
                    ErrorLog "{directory}/error.log"
                    TypesConfig /etc/mime.types
                    ServerName {hostName}
                    DocumentRoot "{www}"
                    DirectoryIndex index.html
                    SSLSessionCache "shmcb:{directory}/scache(512000)"
                    SSLEngine on
                    SSLCertificateFile "{certificate}"
                    SSLCertificateKeyFile "{key}"
                    """);
                // -X: one process in the foreground, so that stopping it by its PID stops the server.
                info = Info(stack, "-X", "-f", config);
                break;
            case "nginx":
                // Debian 12's nginx (1.22) switches HTTP/2 on in its listen directive; from 1.25.1 the same is spelt
                // "http2 on;" (the listen parameter still works there, with a warning).
                await WriteConfigAsync(config, NginxServer.Configuration(directory, $$"""
                        server {
                            listen 127.0.0.1:{{p}} ssl http2;
                            server_name {{hostName}};
                            ssl_certificate {{certificate}};
                            ssl_certificate_key {{key}};
                            root {{www}};
                        }
                    """));
                info = Info(stack, "-c", config, "-p", directory);
                break;
            default:
                Directory.Delete(directory, recursive: true);
                throw new ArgumentException($"Unknown stack '{stack}'; known: {string.Join(", ", Stacks)}.", nameof(stack));
        }

        var process = new StartedProcess(info);
        var server = new TlsStackServer(stack, port, process, directory);
        try
        {
            await ExternalProcess.WaitForTcpAsync(port, process, stack);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    public void Dispose()
    {
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A server's last log line may still be written; the temporary directory is left behind then.
        }
    }

    /// <summary>h2o and Apache drop root for "nobody": what they read must be readable by it (test keys only).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void OpenToOthers(string directory)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Append(directory))
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.OtherRead | UnixFileMode.GroupRead
                | (Directory.Exists(path) ? UnixFileMode.OtherExecute | UnixFileMode.GroupExecute : UnixFileMode.None));
    }

    /// <summary>Writes a configuration file ending in a line feed (HAProxy refuses a last line without one).</summary>
    private static Task WriteConfigAsync(string path, string text) => File.WriteAllTextAsync(path, text + "\n");

    private static ProcessStartInfo Info(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(ExternalProcess.Require(tool));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return info;
    }
}
