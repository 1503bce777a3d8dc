using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using FlowTrace.Bench.Live;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Rooms;
using FlowTrace.Server.Rooms;
using FlowTrace.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using System.Text.Json;

namespace FlowTrace.Bench.Suites;

/// <summary>
/// Workshop rooms: one presenter's trace delivered to N attendees (SignalR .NET clients in this process, one clock), on
/// one instance and on two instances over a real redis-server (presenter on the first, attendees on the second). The
/// delivery latency of each event is from the moment the presenter's instance produced it (the tracer's hand-over) to
/// an attendee's handler receiving it. The reference, in the same run and on the same servers: the same events broadcast
/// to a bare SignalR group of as many clients, with the trace's own gaps, from the send to the receipt.
/// </summary>
public static class RoomSuite
{
    /// <param name="attendees">Attendee counts to measure (each on one instance and on two).</param>
    /// <param name="traces">Traces measured per count (after one unmeasured).</param>
    /// <param name="pages">Real Chromium pages following the room (on two instances; on one too when
    /// <paramref name="pagesOnOneInstance"/>: a full run's, not CI's smoke run, where each page load is seconds of CPU).</param>
    /// <param name="pagesOnOneInstance">Whether pages follow the one-instance room as well.</param>
    public static async Task<SuiteResult> RunAsync(IReadOnlyList<int> attendees, int traces, int pages, bool pagesOnOneInstance)
    {
        var figures = new List<Figure>();
        await using (var single = await BenchServer.StartAsync(keepTraces: true, servePage: pages > 0 && pagesOnOneInstance))
        {
            foreach (var count in attendees)
                figures.AddRange(await MeasureAsync(single, single, count, traces, "one instance"));
            if (pages > 0 && pagesOnOneInstance)
                figures.AddRange(await MeasurePagesAsync(single, single, pages, traces, "one instance"));
        }

        await using (var redis = await RedisServer.StartAsync())
        {
            string[] shared = [$"--ConnectionStrings:Redis={redis.ConnectionString}"];
            await using var a = await BenchServer.StartAsync(keepTraces: true, arguments: shared);
            await using var b = await BenchServer.StartAsync(keepTraces: true, servePage: pages > 0, arguments: shared);
            foreach (var count in attendees)
                figures.AddRange(await MeasureAsync(a, b, count, traces, "two instances over Redis"));
            if (pages > 0)
                figures.AddRange(await MeasurePagesAsync(a, b, pages, traces, "two instances over Redis"));
        }

        return new SuiteResult("room", $"{string.Join(", ", attendees)} attendees; {traces} trace(s) of the lab's www site each, after one unmeasured",
            figures,
            [
                "Delivery latency: from the presenter's instance producing an event (the tracer handing it to the room hub, stamped in this process) " +
                "to an attendee's .NET SignalR client handling it (stamped in this process: one clock). Every event of the trace, summary included.",
                "Reference: a bare hub whose clients only join a group, on the same server(s); the same event objects are broadcast to the group " +
                "through the hub's context, each due at the moment the trace produced it (the same gaps and bursts) and sent one after another " +
                "as the room's are; latency from when it was due to the receipt. Same client count, same run.",
                "Two instances: the presenter and the broadcaster on the first, every attendee and reference client on the second, over a real " +
                "redis-server started for the run (SignalR's Redis backplane; the room's state in Redis).",
                "Missed: events an attendee never received within 10 s of the trace's end (the goal is none).",
                $"Chromium pages: {pages} real room pages (/r/CODE, the Debian Chromium, one browser context each) on the attendees' instance; " +
                "an event's arrival is when its WebSocket message reached the page, stamped before SignalR's handler runs (the pixel suite's " +
                "stamp); the page's wall clock is tied to this process' stopwatch at the start. Context: no bare page follows a room.",
            ]);
    }

    private static async Task<IEnumerable<Figure>> MeasureAsync(BenchServer presenterServer, BenchServer attendeeServer, int count, int traces, string where)
    {
        await using var presenter = await RoomPresenter.OpenAsync(presenterServer, "bench");
        var room = presenter.Room;
        var received = new ConcurrentQueue<(int Client, string Run, int Sequence, long At)>();
        var clients = new List<HubConnection>();
        var bareReceived = new ConcurrentQueue<(int Client, int Sequence, long At)>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var client = i;
                var connection = await attendeeServer.ConnectAsync(RoomHub.Path);
                connection.On<string, TraceEvent>(RoomHub.EventMethod, (run, e) => received.Enqueue((client, run, e.Sequence, Stopwatch.GetTimestamp())));
                await connection.InvokeAsync<RoomSnapshot>("Join", room.Code);
                clients.Add(connection);
                var bare = await attendeeServer.ConnectAsync(BareGroupHub.Path);
                bare.On<string, TraceEvent>(RoomHub.EventMethod, (_, e) => bareReceived.Enqueue((client, e.Sequence, Stopwatch.GetTimestamp())));
                await bare.InvokeAsync("Join", room.Code);
                clients.Add(bare);
            }

            var url = await ServerClient.LabUrlAsync(presenterServer.BaseAddress, "www");
            var latencies = new List<double>();
            var bareLatencies = new List<double>();
            var expected = 0;
            var got = 0;
            var bareGot = 0;
            var group = presenterServer.Services.GetRequiredService<IHubContext<BareGroupHub>>().Clients.Group(room.Code);
            for (var t = 0; t <= traces; t++)
            {
                var run = $"room-{where}-{count}-{t}-{Guid.NewGuid():N}";
                received.Clear();
                bareReceived.Clear();
                await presenter.TraceAsync(url, run);

                var produced = presenterServer.Times.Trace(run);
                await WaitForAsync(() => received.Count(r => r.Run == run) >= produced.Count * count);

                // The reference: the same event objects to a bare group, each due when the trace produced it (the same
                // gaps, bursts included) and sent one after another as the room sends them; its latency counts from when
                // it was due, so a send waiting for the one before counts as the room's do.
                var due = new Dictionary<int, long>();
                var start = Stopwatch.GetTimestamp();
                foreach (var (traceEvent, at) in produced)
                {
                    var dueAt = start + (at - produced[0].At);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), dueAt);
                    if (wait > TimeSpan.FromMilliseconds(1))
                        await Task.Delay(wait);
                    due[traceEvent.Sequence] = dueAt;
                    await group.SendAsync(RoomHub.EventMethod, run, traceEvent);
                }

                await WaitForAsync(() => bareReceived.Count >= produced.Count * count);
                if (t == 0)
                    continue;
                var handedOver = produced.ToDictionary(p => p.Event.Sequence, p => p.At);
                expected += produced.Count * count;
                foreach (var r in received.Where(r => r.Run == run && handedOver.ContainsKey(r.Sequence)))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(handedOver[r.Sequence], r.At).TotalMilliseconds);
                    got++;
                }

                foreach (var r in bareReceived)
                {
                    bareLatencies.Add(Stopwatch.GetElapsedTime(due[r.Sequence], r.At).TotalMilliseconds);
                    bareGot++;
                }
            }

            var p50 = Stats.Median(latencies);
            var p95 = Stats.Percentile(latencies, 0.95);
            var bareP95 = Stats.Percentile(bareLatencies, 0.95);
            var big = count >= 200;
            return
            [
                new Figure($"{where}, {count} attendee(s): delivery p50", p50, "ms", Stats.Median(bareLatencies), p50 / Stats.Median(bareLatencies), "context", null),
                new Figure($"{where}, {count} attendee(s): delivery p95", p95, "ms", bareP95, p95 / bareP95,
                    big ? "≤ 2× bare broadcast" : "context", big ? p95 <= 2 * bareP95 : null),
                new Figure($"{where}, {count} attendee(s): events missed", expected - got, "", expected - bareGot, null, "none", expected == got),
            ];
        }
        finally
        {
            foreach (var connection in clients)
                await connection.DisposeAsync();
        }
    }

    private static async Task<IEnumerable<Figure>> MeasurePagesAsync(BenchServer presenterServer, BenchServer attendeeServer, int pages, int traces, string where)
    {
        await using var presenter = await RoomPresenter.OpenAsync(presenterServer, "bench pages");
        var room = presenter.Room;
        // The page stamps on the wall clock, the server on the stopwatch.
        var epoch = BenchBrowser.StopwatchToEpoch();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BenchBrowser.LaunchAsync(playwright);
        var opens = new List<IPage>();
        for (var i = 0; i < pages; i++)
        {
            var context = await browser.NewContextAsync();
            var page = await context.NewPageAsync();
            await page.AddInitScriptAsync(PixelSuite.StampMessages);
            await page.GotoAsync(new Uri(attendeeServer.BaseAddress, $"r/{room.Code}").ToString());
            await page.GetByText("You follow the presenter").WaitForAsync(new() { Timeout = 60_000 });
            opens.Add(page);
        }

        var url = await ServerClient.LabUrlAsync(presenterServer.BaseAddress, "www");
        var latencies = new List<double>();
        var expected = 0;
        var got = 0;
        for (var t = 0; t <= traces; t++)
        {
            var run = $"room-pages-{t}-{Guid.NewGuid():N}";
            foreach (var page in opens)
                await page.EvaluateAsync("() => { window.__ws = []; }");
            await presenter.TraceAsync(url, run);

            var produced = presenterServer.Times.Trace(run).ToDictionary(p => p.Event.Sequence, p => p.At);
            foreach (var page in opens)
            {
                Dictionary<int, double> arrivals = [];
                var clock = Stopwatch.StartNew();
                while (arrivals.Count < produced.Count && clock.Elapsed < TimeSpan.FromSeconds(10))
                {
                    arrivals = RoomEventArrivals(await page.EvaluateAsync<string>("() => JSON.stringify(window.__ws)"), run);
                    if (arrivals.Count < produced.Count)
                        await Task.Delay(50);
                }

                if (t == 0)
                    continue;
                expected += produced.Count;
                foreach (var (sequence, at) in arrivals.Where(a => produced.ContainsKey(a.Key)))
                {
                    latencies.Add(at - epoch(produced[sequence]));
                    got++;
                }
            }
        }

        return
        [
            new Figure($"{where}, {pages} Chromium page(s): delivery p50", Stats.Median(latencies), "ms", null, null, "context", null),
            new Figure($"{where}, {pages} Chromium page(s): delivery p95", Stats.Percentile(latencies, 0.95), "ms", null, null, "context", null),
            new Figure($"{where}, {pages} Chromium page(s): events missed", expected - got, "", null, null, "none", expected == got),
        ];
    }

    /// <summary>When each room event of <paramref name="run"/> reached a page, from SignalR's JSON frames (records end in 0x1e).</summary>
    private static Dictionary<int, double> RoomEventArrivals(string framesJson, string run)
    {
        var arrivals = new Dictionary<int, double>();
        foreach (var (at, message) in BenchBrowser.Messages(JsonSerializer.Deserialize<JsonElement[][]>(framesJson)!))
        {
            if (message.TryGetProperty("target", out var target) && target.GetString() == RoomHub.EventMethod &&
                message.GetProperty("arguments")[0].GetString() == run)
                arrivals.TryAdd(message.GetProperty("arguments")[1].GetProperty("sequence").GetInt32(), at);
        }

        return arrivals;
    }

    /// <summary>A room opened through the API and its presenter's hub connection.</summary>
    private sealed class RoomPresenter(RoomCreated room, HubConnection connection) : IAsyncDisposable
    {
        public RoomCreated Room => room;

        public static async Task<RoomPresenter> OpenAsync(BenchServer server, string title)
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            using var opened = await http.PostAsJsonAsync("/api/rooms", new CreateRoomMessage { Title = title }, TraceJson.Options);
            var room = (await opened.Content.ReadFromJsonAsync<RoomCreated>(TraceJson.Options))!;
            var connection = await server.ConnectAsync(RoomHub.Path);
            await connection.InvokeAsync<RoomSnapshot>("Present", room.Code, room.PresenterKey);
            return new RoomPresenter(room, connection);
        }

        /// <summary>Traces <paramref name="url"/> for the room to its end. The run's name travels as the bench header
        /// (the server logs when each event left the tracer) and, as the trace's id, with each room event.</summary>
        public async Task TraceAsync(string url, string run)
        {
            await foreach (var unused in connection.StreamAsync<TraceEvent>("Trace", room.Code, room.PresenterKey,
                               new TraceRequestMessage { Url = url, Headers = new Dictionary<string, string> { [BenchServer.BenchHeader] = run } }, run))
            {
            }
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }

    private static async Task WaitForAsync(Func<bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (!done() && clock.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(20);
    }
}
