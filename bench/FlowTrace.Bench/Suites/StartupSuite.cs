using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace FlowTrace.Bench.Suites;

/// <summary>
/// Wall time from process start to exit for one trace from the command line, as a person types it: the native binary
/// (`dotnet publish -p:PublishAot=true`), the same command line on the .NET runtime (as the .NET tool runs it), and
/// curl fetching the same URL, each a new process per request, side by side against the same real nginx.
/// </summary>
public static class StartupSuite
{
    /// <summary>The goal for the native binary, from process start to exit.</summary>
    public static readonly TimeSpan Goal = TimeSpan.FromMilliseconds(150);

    /// <param name="runs">Runs of each command.</param>
    /// <param name="workDirectory">Where the builds and the server's files go.</param>
    /// <param name="repositoryRoot">The repository, whose command line is published.</param>
    /// <param name="smoke">CI's size: the managed command line is the build the benchmark itself was built with
    /// (not a Release publish, which its figure, context only, does not need), and the native binary is not published:
    /// its Native AOT compilation is a minute of both cores, which the test suite cannot spend, while the build already
    /// refuses code that is not AOT-compatible (IsAotCompatible and warnings as errors). A full run publishes and judges it.</param>
    public static async Task<SuiteResult> RunAsync(int runs, string workDirectory, string repositoryRoot, bool smoke = false)
    {
        var native = Path.Combine(workDirectory, "flowtrace-native");
        var cli = Path.Combine(repositoryRoot, "src", "Cli");
        if (!smoke)
            await BenchBuild.DotnetAsync(["publish", cli, "-c", "Release", "-r", RuntimeIdentifier(), "-p:PublishAot=true", "-o", native, "--nologo"], timeoutSeconds: 900);
        var managed = smoke ? BenchBuild.Output(repositoryRoot, "src/Cli", "flowtrace.dll") : null;
        if (managed is null)
        {
            var publish = Path.Combine(workDirectory, "flowtrace-managed");
            await BenchBuild.DotnetAsync(["publish", cli, "-c", "Release", "-o", publish, "--nologo"], timeoutSeconds: 900);
            managed = Path.Combine(publish, "flowtrace.dll");
        }

        await using var nginx = await NginxServer.StartAsync(Directory.CreateDirectory(Path.Combine(workDirectory, "nginx-startup")).FullName);
        var port = nginx.HttpsPort.ToString(CultureInfo.InvariantCulture);
        var url = $"https://a.nginx.test:{port}/";
        var caDer = Path.Combine(nginx.Directory, "ca.der");
        var caPem = Path.Combine(workDirectory, "startup-ca.pem");
        using (var ca = X509CertificateLoader.LoadCertificateFromFile(caDer))
            await File.WriteAllTextAsync(caPem, ca.ExportCertificatePem());

        string[] flowtraceArgs = [url, "--connect-to", $"127.0.0.1:{port}", "--cacert", caDer];
        var nativeTimes = new List<double>();
        var curlTimes = new List<double>();
        var managedTimes = new List<double>();
        // Interleaved, so that whatever the machine does meanwhile falls on all three alike.
        for (var i = 0; i < runs; i++)
        {
            if (!smoke)
                nativeTimes.Add(await WallAsync(Path.Combine(native, "flowtrace"), flowtraceArgs));
            curlTimes.Add(await WallAsync("/usr/bin/curl", ["-s", "-o", "/dev/null", "--fail", "--connect-to", $"a.nginx.test:{port}:127.0.0.1:{port}", "--cacert", caPem, url]));
            managedTimes.Add(await WallAsync("dotnet", [managed, .. flowtraceArgs]));
        }

        var curlMs = Stats.Median(curlTimes);
        var managedMs = Stats.Median(managedTimes);
        List<Figure> figures = [];
        if (!smoke)
        {
            var nativeMs = Stats.Median(nativeTimes);
            figures.Add(new Figure("native binary: process start to exit (median)", nativeMs, "ms", curlMs, nativeMs / curlMs, $"≤ {Goal.TotalMilliseconds:0} ms", nativeMs <= Goal.TotalMilliseconds));
            figures.Add(new Figure("native binary: p90", Stats.Percentile(nativeTimes, 0.9), "ms", Stats.Percentile(curlTimes, 0.9), Stats.Percentile(nativeTimes, 0.9) / Stats.Percentile(curlTimes, 0.9), "context", null));
        }

        figures.Add(new Figure("on the .NET runtime (the .NET tool): process start to exit (median)", managedMs, "ms", curlMs, managedMs / curlMs, "context", null));
        return new SuiteResult("startup", smoke ? $"{runs} runs of each, one process per trace; smoke size: the native binary is measured in full runs only" : $"{runs} runs of each, one process per trace",
        [.. figures],
        [
            "Each run is `flowtrace https://a.nginx.test:PORT/ --connect-to 127.0.0.1:PORT --cacert ca.der` (one trace, TLS 1.3 to real nginx, " +
            "the private CA trusted as curl's --cacert does), timed from starting the process to its exit; the reference is " +
            "`curl -s -o /dev/null --connect-to … --cacert ca.pem URL`, also one process per fetch, verification on.",
            "The native binary warms only what a native binary still initialises on first use (the system's trusted certificates, BouncyCastle's " +
            "tables, sockets: two traces of throw-away loopback servers), so its first trace's numbers are a warm trace's; on the .NET runtime the " +
            "warm-up also compiles every path of a trace, which is most of its time.",
        ]);
    }

    private static async Task<double> WallAsync(string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var ms = clock.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}");
        return ms;
    }

    private static string RuntimeIdentifier() => System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
}
