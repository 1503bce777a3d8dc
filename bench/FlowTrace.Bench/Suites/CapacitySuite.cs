using System.Collections.Concurrent;
using System.Diagnostics;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using Microsoft.AspNetCore.SignalR.Client;

namespace FlowTrace.Bench.Suites;

/// <summary>Browser-like hub clients tracing lab sites in a loop: throughput, durations, latency, memory, failures.</summary>
public static class CapacitySuite
{
    public static async Task<SuiteResult> RunAsync(IReadOnlyList<int> clientCounts, TimeSpan duration)
    {
        await using var server = await BenchServer.StartAsync();
        var urls = new[] { await LiveSuite.LabUrlAsync(server, "www"), await LiveSuite.LabUrlAsync(server, "api"), await LiveSuite.LabUrlAsync(server, "plain") };
        var figures = new List<Figure>();
        var notes = new List<string>
        {
            "Clients and server share this process (and its 2 cores): memory is the whole process, a bound on the server's own.",
            "Goal: 200 concurrent traces without a failed trace.",
        };
        foreach (var clients in clientCounts)
        {
            var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => server.ConnectAsync()));
            GC.Collect();
            var baseline = Process.GetCurrentProcess().WorkingSet64;
            long peak = baseline;
            using var stop = new CancellationTokenSource(duration);
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    peak = Math.Max(peak, Process.GetCurrentProcess().WorkingSet64);
                    await Task.Delay(50);
                }
            });
            var durations = new ConcurrentBag<double>();
            var latencies = new ConcurrentBag<double>();
            var failures = new ConcurrentBag<string>();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(connections.Select((connection, index) => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var run = Guid.NewGuid().ToString("N");
                    var started = Stopwatch.GetTimestamp();
                    var message = new TraceRequestMessage { Url = urls[(index + n) % urls.Length], Headers = new Dictionary<string, string> { [BenchServer.BenchHeader] = run } };
                    try
                    {
                        await foreach (var e in connection.StreamAsync<TraceEvent>("Trace", message, run))
                        {
                            var now = Stopwatch.GetTimestamp();
                            if (server.Times.Get(run, e.Sequence) is { } sent)
                                latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds);
                            if (e.Details is TraceSummary { Succeeded: false } summary)
                                failures.Add(summary.Failure?.Reason ?? "failed");
                        }

                        durations.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    catch (Exception e) when (e is Microsoft.AspNetCore.SignalR.HubException or IOException or InvalidOperationException)
                    {
                        failures.Add(e.Message);
                    }
                }
            })));
            var elapsed = clock.Elapsed.TotalSeconds;
            await sampler;
            foreach (var connection in connections)
                await connection.DisposeAsync();

            var completed = durations.Count;
            figures.Add(new Figure($"{clients} clients: traces per second", completed / elapsed, "1/s", null, null, "context", null));
            figures.Add(new Figure($"{clients} clients: p95 trace duration", Stats.Percentile(durations, 0.95), "ms", Stats.Median(durations), null, "context", null));
            figures.Add(new Figure($"{clients} clients: p95 event latency", Stats.Percentile(latencies, 0.95), "µs", Stats.Median(latencies), null, "context", null));
            figures.Add(new Figure($"{clients} clients: peak memory", peak / 1048576.0, "MiB", baseline / 1048576.0, null, "context", null));
            figures.Add(new Figure($"{clients} clients: memory per concurrent trace", (peak - baseline) / 1048576.0 / clients, "MiB", null, null, "context", null));
            figures.Add(new Figure($"{clients} clients: failed traces", failures.Count, "", completed, null, "0", failures.IsEmpty));
            if (!failures.IsEmpty)
                notes.Add($"{clients} clients: first failure: {failures.First()}");
        }

        return new SuiteResult("capacity", $"{string.Join(", ", clientCounts)} concurrent clients, {duration.TotalSeconds:0} s each", figures, notes);
    }
}
