using System.Globalization;

namespace FlowTrace.Testing;

/// <summary>
/// OpenSSL's own test server (<c>openssl s_server -www</c>, Debian's openssl) on a free loopback port, set up in one of
/// the handshake shapes real servers have (a required group, a client certificate, TLS 1.2 only, …); it answers a GET
/// with a status page. Disposing stops it by its own process.
/// </summary>
public sealed class OpensslServer : IDisposable
{
    private readonly StartedProcess _process;

    private OpensslServer(int port, StartedProcess process)
    {
        Port = port;
        _process = process;
    }

    public int Port { get; }

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Log => _process.Log;

    /// <summary>Starts it with <paramref name="certificate"/> and <paramref name="key"/> (PEM files) and the shape's
    /// own <paramref name="options"/>, and waits until it accepts connections.</summary>
    public static async Task<OpensslServer> StartAsync(string certificate, string key, params string[] options)
    {
        var port = ExternalProcess.FreePort();
        var process = ExternalProcess.Start("openssl",
            ["s_server", "-accept", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "-cert", certificate, "-key", key, "-www", .. options]);
        try
        {
            await ExternalProcess.WaitForTcpAsync(port, process, "openssl s_server");
        }
        catch
        {
            process.Dispose();
            throw;
        }

        return new OpensslServer(port, process);
    }

    public void Dispose() => _process.Dispose();
}
