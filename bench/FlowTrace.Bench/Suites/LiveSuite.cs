using System.Diagnostics;
using FlowTrace.Bench.Live;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace FlowTrace.Bench.Suites;

/// <summary>Latency from an event leaving the tracer to its arrival in a SignalR .NET client, against a bare echo hub.</summary>
public static class LiveSuite
{
    public static async Task<SuiteResult> RunAsync(int traces, string workDirectory)
    {
        await using var server = await BenchServer.StartAsync(stampItems: true);
        await using var traceHub = await server.ConnectAsync();
        await using var echoHub = await server.ConnectAsync(EchoHub.Path);
        await using var batchedHub = await server.ConnectAsync(BatchedTraceHub.Path);
        var url = await LabUrlAsync(server, "www");
        var log = server.Times;
        Deliveries trace = new(), echo = new(), paced = new(), replayed = new(), pattern = new(), batched = new();
        var sizes = new List<int>();
        int inBurst = 0, produced = 0;
        for (var i = -2; i < traces; i++)
            await RoundAsync(measured: i >= 0, trace, echo, pattern, (paced, replayed, batched)); // two warm-up rounds first

        // Cause analysis: a capture of the hub's own traffic splits the transport at the moment the bytes were on
        // loopback. It is a separate phase, so that tshark's own load is not in the figures above.
        Deliveries wireTrace = new(), wireEcho = new(), wirePattern = new();
        List<double> serverPackets;
        await using (var capture = await PacketCapture.StartAsync(workDirectory, server.BaseAddress.Port))
        {
            for (var i = 0; i < Math.Max(2, traces / 4); i++)
                await RoundAsync(measured: true, wireTrace, wireEcho, wirePattern, null);
            var serverPort = server.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            serverPackets = [.. (await capture.StopAsync()).Where(p => p.Src == serverPort && p.Length > 0).Select(p => (double)(p.Time * 1_000_000m)).Order()];
        }

        // One round: a trace, the echo reference and the burst pattern as strings; in the main phase also the replays
        // of the trace's events and a batched trace.
        async Task RoundAsync(bool measured, Deliveries traceInto, Deliveries echoInto, Deliveries patternInto, (Deliveries Paced, Deliveries Replayed, Deliveries Batched)? more)
        {
            var run = NewRun();
            var traced = await ReceiveAsync(traceHub.StreamAsync<TraceEvent>("Trace", Message(url, run), run), (e, _) => [e.Sequence]);
            if (measured)
                traceInto.Add(log, run, traced);
            sizes.AddRange(traced.Select(a => TraceJson.Serialize((TraceEvent)a.Item).Length));
            var times = log.Trace(run);
            produced += times.Count - 1;
            inBurst += times.Zip(times.Skip(1)).Count(p => Stopwatch.GetElapsedTime(p.First.At, p.Second.At) < TimeSpan.FromMilliseconds(1));

            // The reference: as many messages of the events' mean size, one per millisecond.
            var echoRun = NewRun();
            var echoed = await ReceiveAsync(echoHub.StreamAsync<string>("Stream", echoRun, traced.Count, (int)sizes.Average()), (_, index) => [index]);
            if (measured)
                echoInto.Add(log, echoRun, echoed);

            var patternRun = NewRun();
            var shaped = await ReceiveAsync(echoHub.StreamAsync<string>("ReplayPattern", run, patternRun), (_, index) => [index]);
            if (measured)
                patternInto.Add(log, patternRun, shaped);
            if (more is not { } also)
                return;

            // The same event objects through the echo hub, paced and then with the trace's own gaps.
            foreach (var (keepGaps, into) in new[] { (false, also.Paced), (true, also.Replayed) })
            {
                var replayRun = NewRun();
                var arrivals = await ReceiveAsync(echoHub.StreamAsync<TraceEvent>("Replay", run, replayRun, keepGaps), (e, _) => [e.Sequence]);
                if (measured)
                    into.Add(log, replayRun, arrivals);
            }

            // A real trace whose events that are ready together travel as one message.
            var batchRun = NewRun();
            var batches = await ReceiveAsync(batchedHub.StreamAsync<TraceEvent[]>("Trace", Message(url, batchRun)), (batch, _) => batch.Select(e => e.Sequence));
            if (measured)
                also.Batched.Add(log, batchRun, batches);
        }

        // Cause analysis: the echo stream while traces run on another connection, so that the hub shares the cores
        // with a trace's own work as the trace's events do.
        var echoUnderLoad = new Deliveries();
        using (var stopLoad = new CancellationTokenSource())
        {
            await using var loadConnection = await server.ConnectAsync();
            var load = Task.Run(async () =>
            {
                while (!stopLoad.IsCancellationRequested)
                {
                    await foreach (var unused in loadConnection.StreamAsync<TraceEvent>("Trace", new TraceRequestMessage { Url = url }, NewRun()))
                    {
                    }
                }
            });
            for (var i = 0; i < Math.Max(2, traces); i++)
            {
                var echoRun = NewRun();
                echoUnderLoad.Add(log, echoRun, await ReceiveAsync(echoHub.StreamAsync<string>("Stream", echoRun, 30, (int)sizes.Average()), (_, index) => [index]));
            }

            await stopLoad.CancelAsync();
            await load;
        }

        var echo50 = echo.Median;
        var p95 = Stats.Percentile(trace.Total, 0.95);
        var echo95 = Stats.Percentile(echo.Total, 0.95);
        List<Figure> figures =
        [
            new("event latency p50", trace.Median, "µs", echo50, trace.Median / echo50, "≤ 1.5× echo", trace.Median <= 1.5 * echo50),
            new("event latency p95", p95, "µs", echo95, p95 / echo95, "context", null),
            new("bare echo latency p50", echo50, "µs", null, null, "reference", null),
            Cause("the trace's events replayed by the echo hub, one per millisecond (payload alone)", paced.Median, echo50),
            Cause("the trace's events replayed by the echo hub with the trace's own gaps (payload and bursts, no trace running)", replayed.Median, echo50),
            Cause("strings of the events' sizes by the echo hub with the trace's own gaps (burst pattern alone)", pattern.Median, echo50),
            Cause("live trace with events that are ready together sent as one message (batching)", batched.Median, echo50),
            Cause("bare echo while traces run on another connection (shared cores)", echoUnderLoad.Median, echo50),
        ];
        foreach (var (stage, pick) in new (string, Func<Deliveries, double>)[]
                 {
                     ("server: handed to SignalR → serialised", d => d.ServerMedian),
                     ("transport: serialised → parsed in the client", d => d.TransportMedian),
                     ("client: parsed → delivered to the loop", d => d.ClientMedian),
                 })
        {
            figures.Add(Cause($"{stage}, trace events", pick(trace), pick(echo)));
            figures.Add(Cause($"{stage}, replay with the trace's gaps", pick(replayed), pick(echo)));
            figures.Add(Cause($"{stage}, strings with the trace's gaps", pick(pattern), pick(echo)));
        }

        var clock = CaptureClock();
        var (echoSend, echoReceive) = wireEcho.WireSplit(serverPackets, clock);
        foreach (var (name, deliveries) in new[] { ("trace events", wireTrace), ("strings with the trace's gaps", wirePattern) })
        {
            var (send, receive) = deliveries.WireSplit(serverPackets, clock);
            figures.Add(Cause($"transport, server's send path: serialised → on loopback (tshark), {name}", send, echoSend));
            figures.Add(Cause($"transport, client's receive path: on loopback → parsed, {name}", receive, echoReceive));
        }

        figures.Add(new("share of events produced < 1 ms after the previous", 100.0 * inBurst / Math.Max(1, produced), "%", null, null, "context", null));
        figures.Add(new("mean event size (JSON)", sizes.Average(), "bytes", null, null, "context", null));
        return new SuiteResult("live", $"{traces} traces of the lab's www site, each followed by an echo stream of as many messages of the same mean size and by the cause-analysis streams",
            figures,
        [
            "Latency: from the moment the hub's stream was handed an item (trace event or echo message) to its arrival in the client's loop, one process, one clock.",
            "The echo hub hands over one message per millisecond. A trace hands over its events in bursts: after the server's TLS flight, two dozen events at once.",
            "Replays send the very event objects the trace produced through the echo hub: one per millisecond isolates the payload, with the trace's gaps adds its burst pattern, and neither has a trace running beside it.",
            "Stages: hub protocols on both ends stamp each item when serialised (server) and parsed (client); for stage rows the reference is the echo's same stage.",
            $"Transport split: a separate phase of {Math.Max(2, traces / 4)} rounds (trace, echo, burst pattern) with tshark capturing the hub's port; an item's bytes count as on loopback at the first server packet after it was serialised. The capture's own load is kept out of every other figure.",
        ]);
    }

    internal static Task<string> LabUrlAsync(BenchServer server, string site) => ServerClient.LabUrlAsync(server.BaseAddress, site);

    private static Figure Cause(string name, double value, double reference) =>
        new(name, value, "µs", reference, value / reference, "cause analysis", null);

    /// <summary>Stopwatch timestamps on the capture's scale (microseconds since the Unix epoch), anchored once.</summary>
    private static Func<long, double> CaptureClock()
    {
        var anchor = Stopwatch.GetTimestamp();
        var epoch = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMicroseconds;
        return timestamp => epoch + (timestamp - anchor) * 1_000_000.0 / Stopwatch.Frequency;
    }

    private static string NewRun() => Guid.NewGuid().ToString("N");

    private static TraceRequestMessage Message(string url, string run) =>
        new() { Url = url, Headers = new Dictionary<string, string> { [BenchServer.BenchHeader] = run } };

    /// <summary>Stamps each item first thing in the loop: any work before the stamp would delay the next item's.</summary>
    private static async Task<List<Arrival>> ReceiveAsync<T>(IAsyncEnumerable<T> stream, Func<T, int, IEnumerable<int>> sequences)
    {
        var arrivals = new List<Arrival>();
        var index = 0;
        await foreach (var item in stream)
        {
            var at = Stopwatch.GetTimestamp();
            foreach (var sequence in sequences(item, index++))
                arrivals.Add(new Arrival(sequence, item!, at));
        }

        return arrivals;
    }
}
