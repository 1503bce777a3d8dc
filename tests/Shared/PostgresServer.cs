using System.Diagnostics;
using System.Globalization;

namespace FlowTrace.Testing;

/// <summary>
/// A real PostgreSQL server from Debian's package, made by <c>initdb</c> in its own temporary directory and started on a
/// free loopback port; stopped by its own PID (a fast shutdown) and its directory deleted. PostgreSQL refuses to run as
/// root, so as root it runs as the <c>postgres</c> user the package creates.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly StartedProcess _process;

    private PostgresServer(string directory, int port, StartedProcess process)
    {
        Directory = directory;
        Port = port;
        _process = process;
    }

    /// <summary>The cluster's directory.</summary>
    public string Directory { get; }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>An Npgsql connection string for <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Timeout=5";

    /// <summary>Makes a cluster and starts it.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Binaries();
        var directory = Path.Combine(Path.GetTempPath(), $"flowtrace-pg-{Guid.NewGuid():N}");
        var (code, output, error) = await RunAsync(Path.Combine(bin, "initdb"), ["-D", directory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"], 120);
        if (code != 0)
            throw new InvalidOperationException($"initdb failed ({code}): {output}{error}");
        for (var attempt = 1; ; attempt++)
        {
            var port = ExternalProcess.FreePort();
            var process = new StartedProcess(Command(Path.Combine(bin, "postgres"),
            [
                "-D", directory, "-p", port.ToString(CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-k", directory,
                // A test database: nothing needs to survive a crash.
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            ]));
            try
            {
                await ExternalProcess.WaitForTcpAsync(port, process, "PostgreSQL");
                return new PostgresServer(directory, port, process);
            }
            catch (InvalidOperationException) when (attempt < 3 && process.Log.Contains("could not bind", StringComparison.Ordinal))
            {
                process.Dispose();
            }
        }
    }

    /// <summary>Creates a database (each test class may have its own).</summary>
    public async Task CreateDatabaseAsync(string name)
    {
        var (code, output, error) = await RunAsync(Path.Combine(Binaries(), "createdb"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", name], 30);
        if (code != 0)
            throw new InvalidOperationException($"createdb {name} failed ({code}): {output}{error}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Its own PID, from its own pid file: runuser (as root) is only the parent.
        var pidFile = Path.Combine(Directory, "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse((await File.ReadAllLinesAsync(pidFile))[0], out var pid))
        {
            using var kill = Process.Start("kill", ["-INT", pid.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.Process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed below.
            }
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temporary directory.
        }
    }

    private static string Binaries()
    {
        var versions = new DirectoryInfo("/usr/lib/postgresql");
        var bin = versions.Exists
            ? versions.GetDirectories().OrderByDescending(d => int.TryParse(d.Name, out var v) ? v : 0).Select(d => Path.Combine(d.FullName, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")))
            : null;
        return bin ?? throw new InvalidOperationException("PostgreSQL is not installed. These tests store traces in a real PostgreSQL server; run .ci/run, which installs it with apt-get (postgresql).");
    }

    private static ProcessStartInfo Command(string program, IEnumerable<string> args)
    {
        var asRoot = Environment.UserName == "root";
        // In a directory the postgres user can enter (the tests' own may be root's).
        var info = new ProcessStartInfo(asRoot ? "runuser" : program) { UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        if (asRoot)
        {
            foreach (var arg in (string[])["-u", "postgres", "--", program])
                info.ArgumentList.Add(arg);
        }

        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return info;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string program, IEnumerable<string> args, int timeoutSeconds)
    {
        var info = Command(program, args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
