using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Bench.Cost;

/// <summary>
/// Where a trace's CPU goes: a child process runs warm traces under <c>perf record</c> (CPU-clock samples with call
/// stacks, the runtime's perf map naming managed frames), and each sample taken while the measured traces ran is
/// given to the category of the innermost frame that belongs to one.
/// </summary>
public static partial class CpuProfile
{
    /// <summary>The hidden command the child process is started with.</summary>
    public const string ChildCommand = "cost-profile-child";

    /// <summary>Categories in the order frames are tested; the innermost matching frame decides.</summary>
    public static readonly (string Category, Regex Frame)[] Categories =
    [
        ("TLS crypto (BouncyCastle)", BouncyCastle()),
        ("certificate checks (X509 chain, OpenSSL)", Certificates()),
        ("parsing (HTTP, TLS records, DNS)", Parsing()),
        ("event handling (event records, channel, async iterators)", Events()),
        ("sockets (send, receive, connect)", Sockets()),
        ("JIT compilation", Jit()),
        ("thread-pool workers spinning before they sleep", Spinning()),
        ("thread start and exit (the per-connection reader and connect threads)", Threads()),
    ];

    /// <summary>What a sample matching no category counts as.</summary>
    public const string Rest = "runtime, GC, threads and other";

    /// <summary>
    /// Runs <paramref name="runs"/> traces of <paramref name="request"/>'s URL in a child under perf, after a warm-up
    /// outside the window; returns the share of samples per category, or null with the reason when perf cannot run.
    /// </summary>
    public static async Task<(IReadOnlyDictionary<string, double>? Shares, int Samples, string? Unavailable)> MeasureAsync(
        string workDirectory, string url, string connectTo, string caPath, int warmUp, int runs)
    {
        if (!File.Exists("/usr/bin/perf"))
            return (null, 0, "perf is not installed (Debian package linux-perf)");
        var data = Path.Combine(workDirectory, "cost.perf");
        var bench = typeof(CpuProfile).Assembly.Location;
        var start = new ProcessStartInfo("/usr/bin/perf")
        {
            ArgumentList = { "record", "-k", "mono", "-e", "cpu-clock", "-F", "999", "-g", "-o", data, "--", "dotnet", bench, ChildCommand, url, connectTo, caPath, warmUp.ToString(CultureInfo.InvariantCulture), runs.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Managed frames are named from /tmp/perf-PID.map; with W^X on, code runs from a double mapping perf cannot name.
        start.Environment["DOTNET_PerfMapEnabled"] = "1";
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        using var perf = Process.Start(start)!;
        var stdout = perf.StandardOutput.ReadToEndAsync();
        var stderr = perf.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10)))
            await perf.WaitForExitAsync(timeout.Token);
        var window = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).Where(l => l.StartsWith("window ", StringComparison.Ordinal)).ToList();
        if (perf.ExitCode != 0 || window.Count != 1)
            return (null, 0, $"perf record failed ({perf.ExitCode}): {Last(await stderr)}");
        var bounds = window[0].Split(' ');
        var from = double.Parse(bounds[1], CultureInfo.InvariantCulture);
        var to = double.Parse(bounds[2], CultureInfo.InvariantCulture);

        var script = new ProcessStartInfo("/usr/bin/perf") { ArgumentList = { "script", "-i", data, "-F", "time,ip,sym,dso" }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var reader = Process.Start(script)!;
        var text = reader.StandardOutput.ReadToEndAsync();
        _ = reader.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
            await reader.WaitForExitAsync(timeout.Token);
        var counts = Classify(await text, from, to);
        var total = counts.Values.Sum();
        if (total == 0)
            return (null, 0, "perf recorded no samples inside the measured window");
        return (counts.ToDictionary(c => c.Key, c => (double)c.Value / total), total, null);
    }

    /// <summary>Counts the samples of <c>perf script</c> output taken between <paramref name="from"/> and <paramref name="to"/> (seconds, CLOCK_MONOTONIC) per category.</summary>
    public static Dictionary<string, int> Classify(string perfScript, double from, double to)
    {
        ArgumentNullException.ThrowIfNull(perfScript);
        var counts = Categories.Select(c => c.Category).Append(Rest).ToDictionary(c => c, _ => 0);
        foreach (var sample in perfScript.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = sample.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var time = SampleTime().Match(lines[0]);
            if (!time.Success)
                continue;
            var at = double.Parse(time.Groups[1].Value, CultureInfo.InvariantCulture);
            if (at < from || at > to)
                continue;
            var category = lines.Skip(1).Select(frame => Categories.FirstOrDefault(c => c.Frame.IsMatch(frame)).Category).FirstOrDefault(c => c is not null) ?? Rest;
            counts[category]++;
        }

        return counts;
    }

    /// <summary>The child: warm traces first, then the measured ones between two monotonic stamps it prints.</summary>
    public static async Task<int> RunChildAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var request = new TraceRequest { Url = args[1], ConnectTo = args[2], ExtraTrustedRoots = [await File.ReadAllBytesAsync(args[3])] };
        var tracer = new FlowTracer();
        for (var i = 0; i < int.Parse(args[4], CultureInfo.InvariantCulture); i++)
            await BenchTrace.RunAsync(tracer, request);
        var from = Seconds();
        for (var i = 0; i < int.Parse(args[5], CultureInfo.InvariantCulture); i++)
            await BenchTrace.RunAsync(tracer, request);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"window {from:F6} {Seconds():F6}"));
        return 0;
    }

    /// <summary>CLOCK_MONOTONIC in seconds: the stopwatch's clock on Linux, and perf's with <c>-k mono</c>.</summary>
    private static double Seconds() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;

    private static string Last(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";

    [GeneratedRegex(@"^\s*(\d+\.\d+):")]
    private static partial Regex SampleTime();

    [GeneratedRegex(@"Org\.BouncyCastle")]
    private static partial Regex BouncyCastle();

    [GeneratedRegex(@"System\.Security\.Cryptography|libcrypto|libssl|CertificateValidator|CertificateInspector")]
    private static partial Regex Certificates();

    [GeneratedRegex(@"FlowTrace\.Tracer\.Http\.|TlsRecordScanner|FlowTrace\.Tracer\.Dns\.|DnsClient")]
    private static partial Regex Parsing();

    [GeneratedRegex(@"FlowTrace\.Tracer\.Tracing\.TraceRun|FlowTrace\.Contracts|System\.Threading\.Channels|AsyncIteratorMethodBuilder|System\.Text\.Json")]
    private static partial Regex Events();

    [GeneratedRegex(@"System\.Net\.Sockets|FlowTrace\.Tracer\.Tcp\.")]
    private static partial Regex Sockets();

    [GeneratedRegex(@"libclrjit")]
    private static partial Regex Jit();

    [GeneratedRegex(@"LowLevelSpinWaiter|LowLevelLifoSemaphore")]
    private static partial Regex Spinning();

    [GeneratedRegex(@"clone3|pthread_create|__nptl_deallocate|__nptl_free_stacks|advise_stack_range")]
    private static partial Regex Threads();
}
