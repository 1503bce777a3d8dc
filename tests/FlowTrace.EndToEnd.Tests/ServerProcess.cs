using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>The built server run as its own process on a free loopback port, as <c>dotnet run</c> runs it (development,
/// so the page's files come from the build); killed with its process tree when disposed.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly Process _process;

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>Where it listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Starts the server with <paramref name="arguments"/> (beside its address) and waits until it answers.</summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> arguments)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
        // The test runs from bin/<Configuration>/net10.0; the server was built in the same configuration.
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;
        var serverDll = Path.Combine(AppFixture.RepositoryRoot, "src", "Server", "bin", configuration, "net10.0", "FlowTrace.Server.dll");
        if (!File.Exists(serverDll))
            throw new InvalidOperationException($"{serverDll} is missing: build the solution first (dotnet test does).");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.Combine(AppFixture.RepositoryRoot, "src", "Server"), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[serverDll, "--urls", baseAddress.ToString().TrimEnd('/'), .. arguments])
            info.ArgumentList.Add(arg);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        var server = new ServerProcess(Process.Start(info)!, baseAddress);
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        await server.WaitUntilAnsweringAsync();
        return server;
    }

    /// <summary>Everything the server wrote so far.</summary>
    public string Log()
    {
        lock (_log)
            return _log.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_log)
            _log.AppendLine(line);
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 150; i++)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}: {Log()}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "api/lab"));
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"The server did not start: {Log()}");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
