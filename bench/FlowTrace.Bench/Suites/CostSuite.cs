using System.Diagnostics;
using System.Globalization;
using FlowTrace.Bench.Cost;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Bench.Suites;

/// <summary>Client CPU per complete trace in a warm process, against curl fetching the same URL on new connections.</summary>
public static class CostSuite
{
    public static async Task<SuiteResult> RunAsync(int runs, string workDirectory)
    {
        await using var nginx = await NginxServer.StartAsync(Directory.CreateDirectory(Path.Combine(workDirectory, "nginx-cost")).FullName);
        var tracer = new FlowTracer();
        var request = new TraceRequest { Url = $"https://a.nginx.test:{nginx.HttpsPort}/", ConnectTo = $"127.0.0.1:{nginx.HttpsPort}", ExtraTrustedRoots = [nginx.CaCertificate] };
        for (var i = 0; i < 3; i++)
            await BenchTrace.RunAsync(tracer, request);

        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var tlsCrypto = TimeSpan.Zero;
        for (var i = 0; i < runs; i++)
            tlsCrypto += ClientProcessing(await BenchTrace.RunAsync(tracer, request));
        process.Refresh();
        var flowTraceCpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / runs;

        // curl's CPU: the children's user+system time, as the shell's `times` reports it after running them all.
        var (_, output, _) = await ExternalProcess.RunAsync("bash",
        [
            "-c", $"for i in $(seq {runs}); do curl -sk --http1.1 -o /dev/null --resolve a.nginx.test:{nginx.HttpsPort}:127.0.0.1 https://a.nginx.test:{nginx.HttpsPort}/; done; times",
        ], timeoutSeconds: 600);
        var curlCpu = ChildrenCpu(output).TotalMilliseconds / runs;
        var crypto = tlsCrypto.TotalMilliseconds / runs;
        List<Figure> figures =
        [
            new("FlowTrace CPU per trace", flowTraceCpu, "ms", curlCpu, flowTraceCpu / curlCpu, "≤ 2× curl", flowTraceCpu <= 2 * curlCpu),
            new("curl CPU per fetch", curlCpu, "ms", null, null, "reference", null),
            new("TLS engine time as each trace reports it (client processing)", crypto, "ms", flowTraceCpu, crypto / flowTraceCpu, "context", null),
        ];
        List<string> notes =
        [
            "FlowTrace: process CPU time (all threads, GC included) over the traces, divided by their number, in a warm process.",
            "curl: user+system time of the curl processes, process start-up included (a new process per fetch is how curl is used).",
        ];

        // Where the time goes: the same traces in a child process under perf, split by the innermost frame's category.
        var (shares, samples, unavailable) = await CpuProfile.MeasureAsync(workDirectory, request.Url, request.ConnectTo!,
            Path.Combine(nginx.Directory, "ca.der"), warmUp: Math.Max(3, runs), runs: runs);
        if (shares is null)
        {
            figures.Add(new("of which everything but the TLS engine", flowTraceCpu - crypto, "ms", flowTraceCpu, (flowTraceCpu - crypto) / flowTraceCpu, "context", null));
            notes.Add($"No CPU split in this run: {unavailable}.");
        }
        else
        {
            foreach (var (category, share) in shares.Where(s => s.Value > 0).OrderByDescending(s => s.Value))
                figures.Add(new($"of which {category}", share * flowTraceCpu, "ms", flowTraceCpu, share, "context", null));
            notes.Add($"Split: {samples:N0} CPU-clock samples (perf, 999 Hz, call stacks) of {runs} traces after {Math.Max(3, runs)} warm-up traces in a child process; " +
                      "a sample belongs to the category of its innermost frame that has one (BouncyCastle; X509 and OpenSSL; the tracer's HTTP, TLS-record and DNS parsing; " +
                      "event records, channel and async iterators; sockets; the JIT; thread-pool spinning; thread start and exit), else to the runtime; shares are applied to the CPU per trace measured above.");
        }

        return new SuiteResult("cost", $"{runs} traces and {runs} curl runs", figures, notes);
    }

    private static TimeSpan ClientProcessing(List<TraceEvent> events) =>
        events.Select(e => e.Details).OfType<TlsHandshakeDetails>().LastOrDefault()?.ClientProcessingTime ?? TimeSpan.Zero;

    /// <summary>Parses bash's <c>times</c>: the second line is the children's "0m0.123s 0m0.045s".</summary>
    internal static TimeSpan ChildrenCpu(string times)
    {
        var line = times.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Aggregate(TimeSpan.Zero, (sum, part) =>
        {
            var m = part.IndexOf('m', StringComparison.Ordinal);
            return sum + TimeSpan.FromMinutes(double.Parse(part[..m], CultureInfo.InvariantCulture)) +
                   TimeSpan.FromSeconds(double.Parse(part[(m + 1)..].TrimEnd('s'), CultureInfo.InvariantCulture));
        });
    }
}
