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

        // curl as FlowTrace works: one process fetching every URL, a new connection each (Connection: close), no TLS
        // session resumption, certificate verification on against the same CA. Its CPU includes its one start-up.
        var caPem = Path.Combine(nginx.Directory, "ca-cost.pem");
        using (var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(nginx.CaCertificate))
            await File.WriteAllTextAsync(caPem, ca.ExportCertificatePem());
        var url = $"https://a.nginx.test:{nginx.HttpsPort}/";
        var curlArgs = string.Join(' ', Enumerable.Repeat($"-o /dev/null {url}", runs));
        var (curlCode, output, curlError) = await ExternalProcess.RunAsync("bash",
        [
            "-c", $"curl -sS --http1.1 --no-sessionid -H 'Connection: close' --cacert {caPem} --resolve a.nginx.test:{nginx.HttpsPort}:127.0.0.1 {curlArgs}; times",
        ], timeoutSeconds: 600);
        if (curlCode != 0)
            throw new InvalidOperationException($"curl failed: {curlError}");
        var curlCpu = ChildrenCpu(output).TotalMilliseconds / runs;
        var httpClientCpu = await HttpClientCpuAsync(nginx, runs);
        var crypto = tlsCrypto.TotalMilliseconds / runs;
        List<Figure> figures =
        [
            new("FlowTrace CPU per trace", flowTraceCpu, "ms", curlCpu, flowTraceCpu / curlCpu, "≤ 1.5× curl", flowTraceCpu <= 1.5 * curlCpu),
            new("curl CPU per fetch (one process, new connections)", curlCpu, "ms", null, null, "reference", null),
            new("HttpClient CPU per fetch (new connections)", httpClientCpu, "ms", curlCpu, httpClientCpu / curlCpu, "second reference", null),
            new("TLS engine time as each trace reports it (client processing)", crypto, "ms", flowTraceCpu, crypto / flowTraceCpu, "context", null),
        ];
        List<string> notes =
        [
            "FlowTrace: process CPU time (all threads, GC included) over the traces, divided by their number, in a warm process.",
            $"curl: user+system time of one curl process fetching the URL {runs} times with a new connection each (-H 'Connection: close'), " +
            "no TLS session reuse (--no-sessionid) and verification against the same CA (--cacert): the same work in the same process model.",
            "HttpClient: SocketsHttpHandler in this process, Connection: close, TLS resumption off, the same CA as its only trust anchor.",
        ];

        // Where the time goes: the same traces in a child process under perf, split by the innermost frame's category.
        // At least 50 traces profiled: a smoke run's 3 give a dozen samples, too few for every category to show.
        var profiled = Math.Max(50, runs);
        var (shares, samples, unavailable) = await CpuProfile.MeasureAsync(workDirectory, request.Url, request.ConnectTo!,
            Path.Combine(nginx.Directory, "ca.der"), warmUp: Math.Max(3, runs), runs: profiled);
        if (shares is null)
        {
            figures.Add(new("of which everything but the TLS engine", flowTraceCpu - crypto, "ms", flowTraceCpu, (flowTraceCpu - crypto) / flowTraceCpu, "context", null));
            notes.Add($"No CPU split in this run: {unavailable}.");
        }
        else
        {
            foreach (var (category, share) in shares.Where(s => s.Value > 0).OrderByDescending(s => s.Value))
                figures.Add(new($"of which {category}", share * flowTraceCpu, "ms", flowTraceCpu, share, "context", null));
            notes.Add($"Split: {samples:N0} CPU-clock samples (perf, 999 Hz, call stacks) of {profiled} traces after {Math.Max(3, runs)} warm-up traces in a child process; " +
                      "a sample belongs to the category of its innermost frame that has one (BouncyCastle; X509 and OpenSSL; the tracer's HTTP, TLS-record and DNS parsing; " +
                      "event records, channel and async iterators; sockets; the JIT; thread-pool spinning; thread start and exit), else to the runtime; shares are applied to the CPU per trace measured above.");
        }

        return new SuiteResult("cost", $"{runs} traces and {runs} curl runs", figures, notes);
    }

    /// <summary>CPU per fetch of .NET's own HttpClient doing the same work: new connection, full handshake, verification.</summary>
    private static async Task<double> HttpClientCpuAsync(NginxServer nginx, int runs)
    {
        using var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(nginx.CaCertificate);
        var policy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
        {
            TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
            RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(ca);
        using var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = { CertificateChainPolicy = policy, AllowTlsResume = false },
            ConnectCallback = async (context, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, context.DnsEndPoint.Port, token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler);
        var url = new Uri($"https://a.nginx.test:{nginx.HttpsPort}/");
        async Task FetchAsync()
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, url) { Version = System.Net.HttpVersion.Version11 };
            message.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(message);
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
        }

        for (var i = 0; i < 3; i++)
            await FetchAsync();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.TotalProcessorTime;
        for (var i = 0; i < runs; i++)
            await FetchAsync();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalMilliseconds / runs;
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
