using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Bench.Suites;

/// <summary>
/// How true are the tracer's TCP, TLS and time-to-first-byte figures? Each is compared with the same interval taken from
/// a tshark capture of the same connection, and so are curl's -w figures for connections made in between.
/// </summary>
public static class AccuracySuite
{
    public static async Task<SuiteResult> RunAsync(int runs, string workDirectory)
    {
        await using var nginx = await NginxServer.StartAsync(Directory.CreateDirectory(Path.Combine(workDirectory, "nginx-accuracy")).FullName);
        var tracer = new FlowTracer();
        var url = $"https://a.nginx.test:{nginx.HttpsPort}/";
        var request = new TraceRequest { Url = url, ConnectTo = $"127.0.0.1:{nginx.HttpsPort}", ExtraTrustedRoots = [nginx.CaCertificate] };
        // One trace outside the capture: the tracer warms up on its first call.
        await BenchTrace.RunAsync(tracer, request);

        var traced = new List<(string Port, double Tcp, double Tls, double Ttfb, string Version)>();
        var curled = new List<(string Port, double Tcp, double Tls, double Ttfb)>();
        var bare = new List<(string Port, double Tcp, double FirstByte)>();
        var parked = new List<(string Port, double FirstByte)>();
        await using (var capture = await PacketCapture.StartAsync(workDirectory, nginx.HttpsPort))
        {
            for (var i = 0; i < runs; i++)
            {
                var events = await BenchTrace.RunAsync(tracer, request);
                var tcp = events.Select(e => e.Details).OfType<TcpConnectedDetails>().Single();
                var tls = events.Select(e => e.Details).OfType<TlsHandshakeDetails>().Single();
                var ttfb = events.Select(e => e.Details).OfType<ServerProcessingDetails>().Single();
                traced.Add((Port(tcp.Local), tcp.HandshakeTime.TotalMicroseconds, tls.NetworkTime.TotalMicroseconds, ttfb.TimeToFirstByte.TotalMicroseconds, tls.Version));
                curled.Add(await CurlAsync(nginx.HttpsPort));
                bare.Add(await BareExchangeAsync(nginx.HttpsPort));
                parked.Add(await ParkedReaderExchangeAsync(nginx.HttpsPort));
            }

            var packets = await capture.StopAsync();
            var figures = new List<Figure>();
            AddErrors(figures, "FlowTrace TCP connect", traced.Select(t => (t.Tcp, Wire: WireTimings.TcpHandshake(packets, t.Port).TotalMicroseconds)));
            AddErrors(figures, "FlowTrace TLS handshake (network)", traced.Select(t => (t.Tls, Wire: WireTimings.TlsNetwork(packets, t.Port, t.Version == "TLS 1.3" ? 1 : 2).TotalMicroseconds)));
            AddErrors(figures, "FlowTrace time to first byte", traced.Select(t => (t.Ttfb, Wire: WireTimings.TimeToFirstByte(packets, t.Port, t.Version == "TLS 1.3" ? 2 : 3).TotalMicroseconds)));
            AddErrors(figures, "bare .NET Socket.Connect on its own thread (cause analysis)", bare.Select(b => (b.Tcp, Wire: WireTimings.TcpHandshake(packets, b.Port).TotalMicroseconds)));
            AddErrors(figures, "bare .NET Socket.Send → first byte from Receive on its own thread (cause analysis)", bare.Select(b => (b.FirstByte, Wire: WireTimings.TimeToFirstByte(packets, b.Port, 0).TotalMicroseconds)));
            AddErrors(figures, "bare .NET socket, Receive on a thread parked in it before the Send, as FlowTrace's reader is (cause analysis)", parked.Select(b => (b.FirstByte, Wire: WireTimings.TimeToFirstByte(packets, b.Port, 0).TotalMicroseconds)));
            AddErrors(figures, "curl TCP connect", curled.Select(c => (c.Tcp, Wire: WireTimings.TcpHandshake(packets, c.Port).TotalMicroseconds)));
            AddErrors(figures, "curl TLS handshake (appconnect - connect)", curled.Select(c => (c.Tls, Wire: WireTimings.TlsNetwork(packets, c.Port, 1).TotalMicroseconds)));
            AddErrors(figures, "curl time to first byte (starttransfer - appconnect)", curled.Select(c => (c.Ttfb, Wire: WireTimings.TimeToFirstByte(packets, c.Port, 2).TotalMicroseconds)));
            return new SuiteResult("accuracy", $"{runs} traces and {runs} curl runs, interleaved, new connection each", figures,
            [
                "Wire intervals from a tshark capture on lo: SYN→SYN/ACK; ClientHello→the server's last handshake flight (per round trip); request→first response byte.",
                "curl's TLS figure includes its own cryptography; FlowTrace reports network time and client processing apart, and only network time is compared here.",
                "Goal per FlowTrace step: median absolute error within 100 µs or 5% of the wire figure, whichever is larger.",
                "Cause analysis: a bare blocking Socket.Connect, timed around the call on a dedicated thread with nothing of FlowTrace in between, shows the error the platform itself adds to a loopback connect. " +
                "On the same socket a few bytes are then sent and a blocking Receive waits for nginx's answer (a 400, since they are not TLS): the error the platform adds to one send→receive round, which every TLS flight and the first response byte contain. " +
                "The same once more with the Receive on a thread that was already parked in it for a few milliseconds when the bytes were sent, as FlowTrace's reader thread always is: the difference is the cost of waking a long-parked thread. " +
                "These rows show what user-space stamps alone can reach on this machine; FlowTrace takes arrivals from the kernel's receive timestamps (SO_TIMESTAMPING) and the handshake from the kernel's own SYN→SYN/ACK sample (TCP_INFO), so a thread's wake-up is no longer in its figures.",
            ]);
        }
    }

    private static void AddErrors(List<Figure> figures, string name, IEnumerable<(double Measured, double Wire)> pairs)
    {
        var list = pairs.ToList();
        var errors = list.Select(p => Math.Abs(p.Measured - p.Wire)).ToList();
        var wireMedian = Stats.Median(list.Select(p => p.Wire));
        var median = Stats.Median(errors);
        var allowed = Math.Max(100, 0.05 * wireMedian);
        var isFlowTrace = name.StartsWith("FlowTrace", StringComparison.Ordinal);
        figures.Add(new Figure($"{name}: median error", median, "µs", wireMedian, median / wireMedian,
            isFlowTrace ? $"≤ {allowed:0} µs" : "reference", isFlowTrace ? median <= allowed : null));
        figures.Add(new Figure($"{name}: p95 error", Stats.Percentile(errors, 0.95), "µs", wireMedian, Stats.Percentile(errors, 0.95) / wireMedian, "context", null));
    }

    private static async Task<(string Port, double Tcp, double Tls, double Ttfb)> CurlAsync(int port)
    {
        var (code, output, error) = await ExternalProcess.RunAsync("curl",
        [
            "-sk", "--http1.1", "-o", "/dev/null", "--resolve", $"a.nginx.test:{port}:127.0.0.1",
            "-w", "%{local_port} %{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer}", $"https://a.nginx.test:{port}/",
        ]);
        if (code != 0)
            throw new InvalidOperationException($"curl failed: {error}");
        var f = output.Split(' ').Select(x => x.Trim()).ToArray();
        double S(int i) => double.Parse(f[i], CultureInfo.InvariantCulture) * 1_000_000;
        return (f[0], S(2) - S(1), S(3) - S(2), S(4) - S(3));
    }

    private static async Task<(string Port, double Tcp, double FirstByte)> BareExchangeAsync(int port)
    {
        return await Task.Factory.StartNew(() =>
        {
            using var socket = BareSocket();
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            socket.Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            var connect = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            var buffer = new byte[4096];
            start = System.Diagnostics.Stopwatch.GetTimestamp();
            socket.Send(BareRequest);
            socket.Receive(buffer);
            var firstByte = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            return (Port(socket.LocalEndPoint!.ToString()!), connect, firstByte);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static async Task<(string Port, double FirstByte)> ParkedReaderExchangeAsync(int port)
    {
        using var socket = BareSocket();
        socket.Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
        long arrived = 0;
        var reader = new Thread(() =>
        {
            socket.Receive(new byte[4096]);
            arrived = System.Diagnostics.Stopwatch.GetTimestamp();
        });
        reader.Start();
        await Task.Delay(5);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        socket.Send(BareRequest);
        reader.Join();
        return (Port(socket.LocalEndPoint!.ToString()!), System.Diagnostics.Stopwatch.GetElapsedTime(start, arrived).TotalMicroseconds);
    }

    /// <summary>Not TLS: nginx answers it on its TLS port with a plain 400 at once, which is all a bare round needs.</summary>
    private static ReadOnlySpan<byte> BareRequest => "GET / HTTP/1.1\r\nHost: a.nginx.test\r\n\r\n"u8;

    private static System.Net.Sockets.Socket BareSocket() =>
        new(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };

    private static string Port(string endpoint) => endpoint[(endpoint.LastIndexOf(':') + 1)..];
}
