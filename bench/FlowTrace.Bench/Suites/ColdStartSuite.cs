using System.Net.Http.Json;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;

namespace FlowTrace.Bench.Suites;

/// <summary>
/// The first trace of a fresh process against the same process warm, as users meet it: the command line (every run
/// is a new process) and the server just started, both tracing real nginx.
/// </summary>
public static class ColdStartSuite
{
    public static async Task<SuiteResult> RunAsync(int processes, int runs, string workDirectory)
    {
        await using var nginx = await NginxServer.StartAsync(Directory.CreateDirectory(Path.Combine(workDirectory, "nginx-cold")).FullName);
        var url = $"https://a.nginx.test:{nginx.HttpsPort}/";
        var connectTo = $"127.0.0.1:{nginx.HttpsPort}";
        var cli = new List<Comparison>();
        for (var i = 0; i < processes; i++)
            cli.Add(Compare(await CliRunsAsync(url, connectTo, Path.Combine(nginx.Directory, "ca.der"), runs)));
        var server = new List<Comparison>();
        for (var i = 0; i < processes; i++)
            server.Add(Compare(await ServerRunsAsync(url, connectTo, runs, Path.Combine(workDirectory, "traces"))));

        List<Figure> figures = [];
        foreach (var (name, comparisons) in new[] { ("command line, fresh process", cli), ("server, first trace after start", server) })
        {
            var first = Stats.Median(comparisons.Select(c => c.FirstClient));
            var warm = Stats.Median(comparisons.Select(c => c.WarmClient));
            var firstOwn = Stats.Median(comparisons.Select(c => c.FirstClientWithoutValidation));
            var warmOwn = Stats.Median(comparisons.Select(c => c.WarmClientWithoutValidation));
            figures.Add(new($"{name}: first trace's client time", first, "ms", warm, first / warm, "≤ 2× warm", first <= 2 * warm));
            figures.Add(new($"{name}: warm trace's client time (median)", warm, "ms", null, null, "reference", null));
            figures.Add(new($"{name}: the same without certificate validation", firstOwn, "ms", warmOwn, firstOwn / warmOwn, "context", null));
            figures.Add(new($"{name}: compilation named in the first trace", Stats.Median(comparisons.Select(c => c.FirstJit)), "ms", first,
                Stats.Median(comparisons.Select(c => c.FirstJit)) / first, "context", null));
        }

        List<string> notes =
        [
            $"Each of {processes} fresh processes traces real nginx (TLS 1.3, RSA 2048, a private CA trusted as --cacert does) {runs} times on new connections; " +
            "the first trace is set beside the median of the others in the same process, and the figures are medians over the processes.",
            "Command line: `flowtrace URL --connect-to … --cacert … --repeat N --json`, one process each. Server: the app started as `dotnet FlowTrace.Server.dll`, " +
            "its first request sent once it logs that its warm-up ended, as `POST /api/traces` with `repeat`.",
            "Client time: the sum over the steps of the time that was not the network's (TLS cryptography, certificate validation, compilation, GC, the tracer's own work). " +
            "Without certificate validation: the first trace builds a certificate chain it has not seen, real work a warm run of the same server skips (its verdict is cached).",
        ];
        return new SuiteResult("cold-start", $"{processes} processes × {runs} traces, CLI and server", figures, notes);
    }

    private sealed record Comparison(double FirstClient, double WarmClient, double FirstClientWithoutValidation, double WarmClientWithoutValidation, double FirstJit);

    private static Comparison Compare(IReadOnlyList<TraceSummary> summaries)
    {
        if (summaries.Count < 2 || summaries.Any(s => !s.Succeeded))
            throw new InvalidOperationException($"A cold-start run failed: {summaries.FirstOrDefault(s => !s.Succeeded)?.Failure?.Reason ?? "too few traces"}");
        static double Client(TraceSummary s) => s.Steps.Sum(t => t.Split.Client.TotalMilliseconds);
        static double Own(TraceSummary s) => s.Steps.Sum(t => (t.Split.Client - t.Split.Part(ClientWorkNames.CertificateValidation)).TotalMilliseconds);
        return new Comparison(Client(summaries[0]), Stats.Median(summaries.Skip(1).Select(Client)),
            Own(summaries[0]), Stats.Median(summaries.Skip(1).Select(Own)),
            summaries[0].Steps.Sum(t => t.Split.Part(ClientWorkNames.Jit).TotalMilliseconds));
    }

    private static async Task<IReadOnlyList<TraceSummary>> CliRunsAsync(string url, string connectTo, string ca, int runs)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "flowtrace.dll");
        var (code, output, error) = await ExternalProcess.RunAsync("dotnet",
            [cli, url, "--connect-to", connectTo, "--cacert", ca, "--repeat", runs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"], timeoutSeconds: 300);
        if (code != 0)
            throw new InvalidOperationException($"flowtrace exited with {code}: {error}");
        return [.. output.Split('\n').Where(l => l.Contains("\"type\":\"summary\"", StringComparison.Ordinal))
            .Select(l => (TraceSummary)TraceJson.Deserialize(l).Details!)];
    }

    private static async Task<IReadOnlyList<TraceSummary>> ServerRunsAsync(string url, string connectTo, int runs, string storage)
    {
        // A free port can be taken between probing and listening (other processes start servers too): try again.
        for (var attempt = 1; ; attempt++)
        {
            var port = ExternalProcess.FreePort();
            using var server = ExternalProcess.Start("dotnet",
            [
                Path.Combine(AppContext.BaseDirectory, "FlowTrace.Server.dll"), "--urls", $"http://127.0.0.1:{port}",
                "--FlowTrace:AllowedPorts=1-65535", "--FlowTrace:TracesPerMinutePerClient=1000",
                .. ServerArguments.LabOnFreePorts,
                .. ServerArguments.StorageIn(storage),
            ]);
            // The server says when its warm-up is over; a user's first trace comes after the page loaded, later still.
            var waited = 0;
            while (!server.Log.Contains("Tracer warmed up", StringComparison.Ordinal) && !server.Process.HasExited && waited < 120_000)
            {
                await Task.Delay(100);
                waited += 100;
            }

            if (!server.Log.Contains("Tracer warmed up", StringComparison.Ordinal))
            {
                if (server.Process.HasExited && attempt < 3)
                    continue;
                throw new InvalidOperationException($"The server did not finish its warm-up: {server.Log}");
            }

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            using var response = await http.PostAsJsonAsync("/api/traces", new { url, connectTo, repeat = runs });
            response.EnsureSuccessStatusCode();
            var result = await response.Content.ReadFromJsonAsync<RepeatResult>(TraceJson.Options)
                ?? throw new InvalidOperationException("The server answered with no result.");
            return [.. result.Runs.Select(run => (TraceSummary)run[^1].Details!)];
        }
    }
}
