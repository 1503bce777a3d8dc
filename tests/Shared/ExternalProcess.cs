using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FlowTrace.Testing;

/// <summary>Runs the real tools the tests compare against (nginx, dnsmasq, dig, openssl, curl, tshark).</summary>
public static class ExternalProcess
{
    public static string Require(string tool)
    {
        foreach (var dir in new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin" })
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path))
                return path;
        }

        throw new InvalidOperationException($"{tool} is not installed. These tests compare against real servers and tools; run .ci/run, which installs them with apt-get.");
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string tool, IEnumerable<string> args, string? stdin = null, int timeoutSeconds = 30)
    {
        var info = new ProcessStartInfo(Require(tool)) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    public static StartedProcess Start(string tool, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Require(tool));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return new StartedProcess(info);
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static async Task WaitForTcpAsync(int port, StartedProcess started, string what)
    {
        ArgumentNullException.ThrowIfNull(started);
        for (var i = 0; i < 100; i++)
        {
            if (started.Process.HasExited)
                throw new InvalidOperationException($"{what} exited at start with code {started.Process.ExitCode}: {started.Log}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"{what} did not start listening on port {port}.");
    }
}
