using System.Diagnostics;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using Microsoft.AspNetCore.SignalR.Client;

namespace FlowTrace.Bench.Suites;

/// <summary>Latency from an event leaving the tracer to its arrival in a SignalR .NET client, against a bare echo hub.</summary>
public static class LiveSuite
{
    public static async Task<SuiteResult> RunAsync(int traces)
    {
        await using var server = await BenchServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await using var echo = await server.ConnectAsync("/hubs/echo");
        var url = await LabUrlAsync(server, "www");
        var traceLatencies = new List<double>();
        var afterGap = new List<double>();
        var inBurst = new List<double>();
        var echoLatencies = new List<double>();
        var sizes = new List<int>();
        for (var i = -2; i < traces; i++)
        {
            var run = Guid.NewGuid().ToString("N");
            var received = new List<(int Sequence, long At)>();
            var message = new TraceRequestMessage { Url = url, Headers = new Dictionary<string, string> { [BenchServer.BenchHeader] = run } };
            var events = new List<TraceEvent>();
            await foreach (var e in connection.StreamAsync<TraceEvent>("Trace", message, run))
            {
                // Only stamp and keep here: any work in this loop would delay the next event's stamp.
                received.Add((e.Sequence, Stopwatch.GetTimestamp()));
                events.Add(e);
            }

            sizes.AddRange(events.Select(e => TraceJson.Serialize(e).Length));

            var echoRun = Guid.NewGuid().ToString("N");
            var echoed = new List<(int Sequence, long At)>();
            var index = 0;
            await foreach (var unused in echo.StreamAsync<string>("Stream", echoRun, received.Count, (int)sizes.Average()))
                echoed.Add((index++, Stopwatch.GetTimestamp()));
            if (i < 0)
                continue; // warm-up rounds
            traceLatencies.AddRange(Latencies(server, run, received));
            // Split by how the tracer produced them: the first event after a quiet millisecond, or one of a burst.
            long? previous = null;
            foreach (var (sequence, at) in received)
            {
                if (server.Times.Get(run, sequence) is not { } sent)
                    continue;
                var latency = Stopwatch.GetElapsedTime(sent, at).TotalMicroseconds;
                (previous is { } p && Stopwatch.GetElapsedTime(p, sent) < TimeSpan.FromMilliseconds(1) ? inBurst : afterGap).Add(latency);
                previous = sent;
            }
            echoLatencies.AddRange(Latencies(server, echoRun, echoed));
        }

        // Cause analysis: the same echo stream while traces run on another connection, so the hub shares the cores
        // with a trace's own work as the trace's events do.
        var echoUnderLoad = new List<double>();
        using (var stopLoad = new CancellationTokenSource())
        {
            await using var loadConnection = await server.ConnectAsync();
            var load = Task.Run(async () =>
            {
                while (!stopLoad.IsCancellationRequested)
                {
                    await foreach (var unused in loadConnection.StreamAsync<TraceEvent>("Trace", new TraceRequestMessage { Url = url }, Guid.NewGuid().ToString("N")))
                    {
                    }
                }
            });
            for (var i = 0; i < Math.Max(2, traces); i++)
            {
                var echoRun = Guid.NewGuid().ToString("N");
                var echoed = new List<(int Sequence, long At)>();
                var index = 0;
                await foreach (var unused in echo.StreamAsync<string>("Stream", echoRun, 30, (int)sizes.Average()))
                    echoed.Add((index++, Stopwatch.GetTimestamp()));
                echoUnderLoad.AddRange(Latencies(server, echoRun, echoed));
            }

            await stopLoad.CancelAsync();
            await load;
        }

        var p50 = Stats.Median(traceLatencies);
        var echo50 = Stats.Median(echoLatencies);
        return new SuiteResult("live", $"{traces} traces of the lab's www site, each followed by an echo stream of as many messages of the same mean size", 
        [
            new Figure("event latency p50", p50, "µs", echo50, p50 / echo50, "≤ 1.5× echo", p50 <= 1.5 * echo50),
            new Figure("event latency p95", Stats.Percentile(traceLatencies, 0.95), "µs", Stats.Percentile(echoLatencies, 0.95), Stats.Percentile(traceLatencies, 0.95) / Stats.Percentile(echoLatencies, 0.95), "context", null),
            new Figure("bare echo latency p50", echo50, "µs", null, null, "reference", null),
            new Figure("event latency p50, event after a quiet millisecond", Stats.Median(afterGap), "µs", echo50, Stats.Median(afterGap) / echo50, "cause analysis", null),
            new Figure("event latency p50, event within a burst (< 1 ms after the previous)", Stats.Median(inBurst), "µs", echo50, Stats.Median(inBurst) / echo50, "cause analysis", null),
            new Figure("bare echo latency p50 while traces run on another connection", Stats.Median(echoUnderLoad), "µs", echo50, Stats.Median(echoUnderLoad) / echo50, "cause analysis", null),
            new Figure("share of events produced in bursts", 100.0 * inBurst.Count / Math.Max(1, inBurst.Count + afterGap.Count), "%", null, null, "cause analysis", null),
            new Figure("mean event size (JSON)", sizes.Average(), "bytes", null, null, "context", null),
        ],
        [
            "Latency: from the moment the hub's stream was handed an item (trace event or echo message) to its arrival in the client, one process, one clock.",
            "The echo hub hands over one message per millisecond; a trace hands over its events in bursts (a TLS flight yields a dozen at once). " +
            "The split by burst shows how much of the difference is queueing behind the events of the same burst rather than cost per event.",
        ]);
    }

    internal static async Task<string> LabUrlAsync(BenchServer server, string site)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var sites = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<List<FlowTrace.Contracts.Lab.LabSite>>(http, "/api/lab", TraceJson.Options);
        return sites!.Single(s => s.Name == site).Url;
    }

    private static IEnumerable<double> Latencies(BenchServer server, string run, List<(int Sequence, long At)> received) =>
        received.Select(r => server.Times.Get(run, r.Sequence) is { } sent ? Stopwatch.GetElapsedTime(sent, r.At).TotalMicroseconds : double.NaN)
            .Where(l => !double.IsNaN(l));
}
