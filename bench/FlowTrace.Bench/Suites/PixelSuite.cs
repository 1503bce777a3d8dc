using System.Diagnostics;
using System.Text.Json;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Lab;
using Microsoft.Playwright;

namespace FlowTrace.Bench.Suites;

/// <summary>
/// Live to the pixel: for each event of a trace, from the moment the server handed it to SignalR to the DOM change in
/// Chromium that shows it (the step card's event count), for the first trace after the page loads and for warm traces.
/// The server runs in this process, so its hand-over stamps and the page's clock (both the system's) can be compared.
/// </summary>
public static class PixelSuite
{
    public static readonly string[] Sites = ["www", "slow", "redirect", "stream"];

    /// <summary>Records, in the page, when each step card's event count first reaches each value (epoch ms), and the
    /// page's long tasks.</summary>
    private const string Watch = """
        () => {
          window.__seen = []; window.__long = [];
          const counts = new Map();
          const scan = () => {
            const now = performance.timeOrigin + performance.now();
            document.querySelectorAll('section.flow ol.steps').forEach((ol, hop) => {
              ol.querySelectorAll(':scope > li.step').forEach(li => {
                const m = li.querySelector('details.step-details > summary')?.textContent.match(/\((\d+) events\)/);
                const n = m ? +m[1] : 0, key = hop + '/' + li.dataset.step, had = counts.get(key) ?? 0;
                for (let k = had + 1; k <= n; k++) window.__seen.push([hop, li.dataset.step, k, now]);
                if (n > had) counts.set(key, n);
              });
            });
          };
          new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
          new PerformanceObserver(list => { for (const e of list.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask' });
          window.__reset = () => { window.__seen = []; window.__long = []; counts.clear(); };
        }
        """;

    /// <summary>Stamps every WebSocket message as it reaches the page, before SignalR's own handler runs.</summary>
    private const string StampMessages = """
        (() => {
          window.__ws = [];
          const Native = window.WebSocket;
          window.WebSocket = class extends Native {
            constructor(...args) {
              super(...args);
              this.addEventListener('message', e => { if (typeof e.data === 'string') window.__ws.push([performance.timeOrigin + performance.now(), e.data]); });
            }
          };
        })();
        """;

    public static async Task<SuiteResult> RunAsync(int warmTraces)
    {
        await using var server = await BenchServer.StartAsync(servePage: true);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var lab = JsonSerializer.Deserialize<List<LabSite>>(await http.GetStringAsync(new Uri("/api/lab", UriKind.Relative)), TraceJson.Options)!;
        // The server's stamps are on the stopwatch's clock, the page's on the wall clock: both the system's, tied here.
        var (wall, stamp) = (DateTime.UtcNow, Stopwatch.GetTimestamp());
        double Epoch(long at) => (wall - DateTime.UnixEpoch).TotalMilliseconds + (at - stamp) * 1000.0 / Stopwatch.Frequency;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var first = new List<double>();
        var warm = new List<double>();
        var arrivals = new List<double>();
        var drawing = new List<double>();
        var longTasks = new List<double>();
        var run = 0;
        foreach (var name in Sites)
        {
            var site = lab.Single(s => s.Name == name);
            await using var context = await browser.NewContextAsync();
            var page = await context.NewPageAsync();
            await page.AddInitScriptAsync(StampMessages);
            await page.GotoAsync(server.BaseAddress.ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "A healthy HTTPS site" }).WaitForAsync(new() { Timeout = 60_000 });
            await page.EvaluateAsync(Watch);
            // A person reads the page for a moment before the first click.
            await Task.Delay(1000);
            for (var i = 0; i <= warmTraces; i++)
            {
                var (latencies, arrived, drawn) = await TraceAsync(page, server, $"{site.Url}?pixel={++run}", Epoch);
                (i == 0 ? first : warm).AddRange(latencies);
                if (i > 0)
                {
                    arrivals.AddRange(arrived);
                    drawing.AddRange(drawn);
                }
                longTasks.AddRange(JsonSerializer.Deserialize<double[]>(await page.EvaluateAsync<string>("() => JSON.stringify(window.__long)"))!);
            }
        }

        var firstP50 = Stats.Median(first);
        var warmP50 = Stats.Median(warm);
        var warmP95 = Stats.Percentile(warm, 0.95);
        var longest = longTasks.Count == 0 ? 0 : longTasks.Max();
        return new SuiteResult("pixel", $"{Sites.Length} lab sites, the first trace after page load and {warmTraces} warm traces each",
        [
            new("event → pixel, warm: p50", warmP50, "ms", null, null, "≤ 16 ms", warmP50 <= 16),
            new("event → pixel, warm: p95", warmP95, "ms", null, null, "≤ 50 ms", warmP95 <= 50),
            new("event → pixel, warm: max", warm.Max(), "ms", null, null, "context", null),
            new("event → pixel, first trace after load: p50", firstP50, "ms", warmP50, firstP50 / warmP50, "≤ 2× warm", firstP50 <= 2 * Math.Max(warmP50, 1)),
            new("event → pixel, first trace after load: p95", Stats.Percentile(first, 0.95), "ms", warmP95, Stats.Percentile(first, 0.95) / warmP95, "context", null),
            new("longest task during traces", longest, "ms", null, null, "≤ 50 ms", longest <= 50),
            new("of which hand-over → WebSocket message in the page, warm: p50 (cause analysis)", Stats.Median(arrivals), "ms", warmP50, Stats.Median(arrivals) / warmP50, "context", null),
            new("of which message → pixel, warm: p50 (cause analysis)", Stats.Median(drawing), "ms", warmP50, Stats.Median(drawing) / warmP50, "context", null),
        ],
        [
            "Latency of an event: from the server handing it to SignalR (stamped in the tracer's stream, this process) to the first DOM mutation in Chromium " +
            "after which its step card counts it (a MutationObserver in the page, which runs before the next paint); events of the whole trace, summaries excepted.",
            "The page is the Development build served as `dotnet run` serves it; each site gets a fresh browser context, a second of idle time, then its first trace and the warm ones.",
            "Long tasks: the page's PerformanceObserver (type longtask, over 50 ms by definition), during the traces.",
            "Not yet here: the bare-page reference (a page receiving the same messages over a bare SignalR hub) and the 2,000-event trace.",
        ]);
    }

    private static async Task<(List<double> Latencies, List<double> Arrivals, List<double> Drawing)> TraceAsync(IPage page, BenchServer server, string url, Func<long, double> epoch)
    {
        await page.EvaluateAsync("() => { window.__reset(); window.__ws = []; }");
        await page.Locator("#url").FillAsync(url);
        await page.GetByRole(AriaRole.Button, new() { Name = "Trace", Exact = true }).ClickAsync();
        await page.Locator(".status p.ok, .status p.error").WaitForAsync(new() { Timeout = 60_000 });
        await Task.Delay(100);
        var seen = JsonSerializer.Deserialize<JsonElement[][]>(await page.EvaluateAsync<string>("() => JSON.stringify(window.__seen)"))!;
        var shown = seen.Select(s => (Hop: s[0].GetInt32(), Step: s[1].GetString()!, Count: s[2].GetInt32(), At: s[3].GetDouble()))
            .ToDictionary(s => (s.Hop, s.Step, s.Count), s => s.At);
        var received = MessageArrivals(JsonSerializer.Deserialize<JsonElement[][]>(await page.EvaluateAsync<string>("() => JSON.stringify(window.__ws)"))!);
        var latencies = new List<double>();
        var arrivals = new List<double>();
        var drawing = new List<double>();
        var perStep = new Dictionary<(int, string), int>();
        foreach (var (traceEvent, at) in server.Times.Trace(url))
        {
            if (traceEvent.Step == TraceStep.Trace)
                continue;
            var key = (traceEvent.Hop, traceEvent.Step.ToString());
            var count = perStep[key] = perStep.GetValueOrDefault(key) + 1;
            if (!shown.TryGetValue((traceEvent.Hop, key.Item2, count), out var drawn))
                continue;
            latencies.Add(drawn - epoch(at));
            if (received.TryGetValue(traceEvent.Sequence, out var arrived))
            {
                arrivals.Add(arrived - epoch(at));
                drawing.Add(drawn - arrived);
            }
        }

        return (latencies, arrivals, drawing);
    }

    /// <summary>When each stream item (by event sequence) reached the page, from SignalR's JSON frames (records end in 0x1e).</summary>
    private static Dictionary<int, double> MessageArrivals(JsonElement[][] frames)
    {
        var arrivals = new Dictionary<int, double>();
        foreach (var frame in frames)
        {
            foreach (var record in frame[1].GetString()!.Split('\u001e', StringSplitOptions.RemoveEmptyEntries))
            {
                using var message = JsonDocument.Parse(record);
                if (message.RootElement.TryGetProperty("type", out var type) && type.GetInt32() == 2 &&
                    message.RootElement.GetProperty("item").TryGetProperty("sequence", out var sequence))
                    arrivals.TryAdd(sequence.GetInt32(), frame[0].GetDouble());
            }
        }

        return arrivals;
    }
}
