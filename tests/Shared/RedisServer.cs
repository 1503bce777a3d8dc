using System.Globalization;

namespace FlowTrace.Testing;

/// <summary>
/// A real Redis server from Debian's package on a free loopback port, with nothing saved to disk, in a temporary
/// directory of its own. <see cref="StopAsync"/> kills it by its own PID and <see cref="StartAgainAsync"/> starts it again
/// on the same port, empty: a Redis that went away mid-workshop and came back.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private StartedProcess? _process;

    private RedisServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>A StackExchange.Redis connection string for it.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},connectTimeout=2000";

    /// <summary>Starts a Redis server.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("flowtrace-redis-").FullName;
        var server = new RedisServer(directory, ExternalProcess.FreePort());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts it (again) on its port.</summary>
    public async Task StartAgainAsync()
    {
        _process = ExternalProcess.Start("redis-server",
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory,
            "--save", "", "--appendonly", "no", "--protected-mode", "no",
        ]);
        await ExternalProcess.WaitForTcpAsync(Port, _process, "redis-server");
    }

    /// <summary>Stops it by its PID, as a crash or a restart would.</summary>
    public Task StopAsync()
    {
        _process?.Dispose();
        _process = null;
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
