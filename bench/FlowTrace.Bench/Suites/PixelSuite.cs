using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Lab;
using Microsoft.Playwright;

namespace FlowTrace.Bench.Suites;

/// <summary>
/// Live to the pixel: for each event of a trace, from the moment the server handed it to SignalR to the DOM change in
/// Chromium that shows it (the step card's event count), for the first trace after the page loads and for warm traces.
/// The FlowTrace page is measured beside a bare page (plain JavaScript on the JavaScript SignalR client, the same hub
/// and messages) in the same run. The server runs in this process, so its hand-over stamps and the page's clock (both
/// the system's) can be compared.
/// </summary>
public static class PixelSuite
{
    public static readonly string[] Sites = ["www", "slow", "redirect", "stream"];

    /// <summary>The long trace: the lab's stream site shaped to 2,000 chunks 1 ms apart, each chunk an event.</summary>
    public const string LongStreamQuery = "?chunks=2000&every=1";

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
          window.__reset = () => { window.__seen = []; window.__long = []; counts.clear(); performance.clearMarks(); };
        }
        """;

    /// <summary>Stamps every WebSocket message as it reaches the page, before SignalR's own handler runs.</summary>
    internal const string StampMessages = """
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

    /// <param name="warmTraces">Warm traces per site after the first.</param>
    /// <param name="smoke">CI's size: one site and a 200-event stream, enough to keep the harness honest in a fraction
    /// of the time (every page load is a Debug build of the WebAssembly app there).</param>
    public static async Task<SuiteResult> RunAsync(int warmTraces, bool smoke = false)
    {
        string[] sites = smoke ? ["www"] : Sites;
        var chunks = smoke ? 200 : 2000;
        await using var server = await BenchServer.StartAsync(servePage: true);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var lab = JsonSerializer.Deserialize<List<LabSite>>(await http.GetStringAsync(new Uri("/api/lab", UriKind.Relative)), TraceJson.Options)!;
        // The server's stamps are on the stopwatch's clock, the page's on the wall clock.
        var epoch = BenchBrowser.StopwatchToEpoch();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BenchBrowser.LaunchAsync(playwright);
        var measure = new Measure(server, epoch);
        // ?marks: the FlowTrace page marks its own stages of each event on the performance timeline (PageMarks).
        await using var app = new PageRun(browser, server.BaseAddress + "?marks", "A healthy HTTPS site");
        await using var bare = new PageRun(browser, server.BaseAddress + "bare/", null);
        foreach (var name in sites)
        {
            var url = lab.Single(s => s.Name == name).Url;
            foreach (var page in new[] { app, bare })
                await page.RunSiteAsync(measure, url, warmTraces);
        }

        var longUrl = lab.Single(s => s.Name == "stream").Url + (smoke ? $"?chunks={chunks}&every=1" : LongStreamQuery);
        // At smoke size the stream runs in the pages already loaded: a load of the Debug app is ~10 s of CPU in CI.
        await using var appLong = new PageRun(browser, app.Address, app.ReadyButton, smoke ? app : null);
        await using var bareLong = new PageRun(browser, bare.Address, null, smoke ? bare : null);
        foreach (var page in new[] { appLong, bareLong })
            await page.RunSiteAsync(measure, longUrl, warmTraces: 1);

        var warmP50 = Stats.Median(app.Warm);
        var warmP95 = Stats.Percentile(app.Warm, 0.95);
        var firstP50 = Stats.Median(app.First);
        var longest = app.LongTasks.DefaultIfEmpty(0).Max();
        var longP50 = Stats.Median(appLong.Warm);
        var longP95 = Stats.Percentile(appLong.Warm, 0.95);
        var longLongest = appLong.LongTasks.DefaultIfEmpty(0).Max();
        Figure Versus(string name, double value, double reference, string goal, bool? met) =>
            new(name, value, "ms", reference, reference > 0 ? value / reference : null, goal, met);
        var stages = app.Stages;
        return new SuiteResult("pixel", $"{sites.Length} lab sites, the first trace after page load and {warmTraces} warm traces each; a {chunks:N0}-event stream",
        [
            Versus("event → pixel, warm: p50", warmP50, Stats.Median(bare.Warm), "≤ 16 ms", warmP50 <= 16),
            Versus("event → pixel, warm: p95", warmP95, Stats.Percentile(bare.Warm, 0.95), "≤ 50 ms", warmP95 <= 50),
            Versus("event → pixel, warm: max", app.Warm.Max(), bare.Warm.Max(), "context", null),
            new("event → pixel, first trace after load: p50", firstP50, "ms", warmP50, firstP50 / warmP50, "≤ 2× warm", firstP50 <= 2 * Math.Max(warmP50, 1)),
            new("event → pixel, first trace after load: p95", Stats.Percentile(app.First, 0.95), "ms", warmP95, Stats.Percentile(app.First, 0.95) / warmP95, "context", null),
            Versus("longest task during traces", longest, bare.LongTasks.DefaultIfEmpty(0).Max(), "≤ 50 ms", longest <= 50),
            Versus($"{chunks:N0}-event stream: event → pixel p50", longP50, Stats.Median(bareLong.Warm), "≤ 16 ms", longP50 <= 16),
            Versus($"{chunks:N0}-event stream: event → pixel p95", longP95, Stats.Percentile(bareLong.Warm, 0.95), "≤ 50 ms", longP95 <= 50),
            Versus($"{chunks:N0}-event stream: longest task", longLongest, bareLong.LongTasks.DefaultIfEmpty(0).Max(), "≤ 50 ms", longLongest <= 50),
            new($"{chunks:N0}-event stream: events drawn", appLong.Warm.Count, "", bareLong.Warm.Count, bareLong.Warm.Count > 0 ? (double)appLong.Warm.Count / bareLong.Warm.Count : null, "context", null),
            new("page stage: hand-over → WebSocket message in the page, warm p50", Stats.Median(stages.Arrival), "ms", null, null, "context", null),
            new("page stage: message → SignalR starts parsing it, warm p50", Stats.Median(stages.BeforeParse), "ms", null, null, "context", null),
            new("page stage: JSON parse of one event (hub message), warm p50", Stats.Median(stages.Parse), "ms", null, null, "context", null),
            new("page stage: parsed → handed to the trace, warm p50", Stats.Median(stages.ToLoop), "ms", null, null, "context", null),
            new("page stage: handed to the trace → drawn (burst's render), warm p50", Stats.Median(stages.ToDrawn), "ms", null, null, "context", null),
            new("page stage: drawn → its DOM change observed, warm p50", Stats.Median(stages.DrawnToDom), "ms", null, null, "context", null),
        ],
        [
            "Latency of an event: from the server handing it to SignalR (stamped in the tracer's stream, this process) to the first DOM mutation in Chromium " +
            "after which its step card counts it (a MutationObserver in the page, which runs before the next paint); events of the whole trace, summaries excepted.",
            "Reference: a bare page (plain JavaScript on the JavaScript SignalR client from npm, no framework and no WebAssembly) on the same hub, " +
            "receiving the same messages and writing each into the DOM, measured the same way in the same run.",
            "The FlowTrace page is the Release build served as `dotnet run` serves it; each site gets a fresh browser context per page, a second of idle time, then its first trace and the warm ones.",
            $"The {chunks:N0}-event stream is the lab's stream site with `?chunks={chunks}&every=1`: each chunk is an event of the HTTP response step, one per millisecond; " +
            "figures over the warm trace's events.",
            "Long tasks: the page's PerformanceObserver (type longtask, over 50 ms by definition), during the traces.",
            "Page stages: the FlowTrace page's own performance marks (`?marks`, PageMarks): after SignalR parsed each hub message (with the parse's own duration), " +
            "when the trace's loop received the event, and when the burst was drawn; the WebSocket arrival is stamped before SignalR's handler runs.",
        ]);
    }

    /// <summary>Latencies of one page kind (FlowTrace or bare): fresh context per site, first trace and warm ones; or,
    /// given <paramref name="samePageAs"/>, in the page that run has open.</summary>
    private sealed class PageRun(IBrowser browser, string address, string? readyButton, PageRun? samePageAs = null) : IAsyncDisposable
    {
        private IBrowserContext? _context;
        private IPage? _page;

        public string Address => address;
        public string? ReadyButton => readyButton;
        public List<double> First { get; } = [];
        public List<double> Warm { get; } = [];
        public List<double> LongTasks { get; } = [];
        public Stages Stages { get; } = new();

        public async Task RunSiteAsync(Measure measure, string url, int warmTraces)
        {
            var page = samePageAs?._page ?? await OpenAsync();
            for (var i = 0; i <= warmTraces; i++)
            {
                var latencies = await measure.TraceAsync(page, url, i > 0 ? Stages : null);
                (i == 0 ? First : Warm).AddRange(latencies);
                LongTasks.AddRange(JsonSerializer.Deserialize<double[]>(await page.EvaluateAsync<string>("() => JSON.stringify(window.__long)"))!);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_context is not null)
                await _context.DisposeAsync();
        }

        private async Task<IPage> OpenAsync()
        {
            await DisposeAsync();
            _context = await browser.NewContextAsync();
            _page = await _context.NewPageAsync();
            await _page.AddInitScriptAsync(StampMessages);
            await _page.GotoAsync(address);
            if (readyButton is not null)
                await _page.GetByRole(AriaRole.Button, new() { Name = readyButton }).WaitForAsync(new() { Timeout = 60_000 });
            await _page.EvaluateAsync(Watch);
            // A person reads the page for a moment before the first click.
            await Task.Delay(1000);
            return _page;
        }
    }

    /// <summary>Runs one trace in a page and reads back when each of its events was shown.</summary>
    private sealed class Measure(BenchServer server, Func<long, double> epoch)
    {
        private int _run;

        public async Task<List<double>> TraceAsync(IPage page, string url, Stages? stages)
        {
            // Each run its own URL, so that the server's log of hand-overs finds it.
            url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + $"pixel={++_run}";
            await page.EvaluateAsync("() => { window.__reset(); window.__ws = []; }");
            await page.Locator("#url").FillAsync(url);
            await page.GetByRole(AriaRole.Button, new() { Name = "Trace", Exact = true }).ClickAsync();
            await page.Locator(".status p.ok, .status p.error").WaitForAsync(new() { Timeout = 60_000 });
            await Task.Delay(100);
            var seen = await ReadAsync(page, "window.__seen");
            var shown = seen.Select(s => (Hop: s[0].GetInt32(), Step: s[1].GetString()!, Count: s[2].GetInt32(), At: s[3].GetDouble()))
                .ToDictionary(s => (s.Hop, s.Step, s.Count), s => s.At);
            var received = MessageArrivals(await ReadAsync(page, "window.__ws"));
            var marks = new PageMarksRead(await ReadAsync(page,
                "performance.getEntriesByType('mark').filter(m => m.name.startsWith('ft:')).map(m => [m.name, performance.timeOrigin + m.startTime])"));
            var latencies = new List<double>();
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
                if (stages is not null && received.TryGetValue(traceEvent.Sequence, out var arrived))
                    stages.Add(epoch(at), arrived, marks.Of(traceEvent.Sequence), drawn);
            }

            return latencies;
        }

        private static async Task<JsonElement[][]> ReadAsync(IPage page, string expression) =>
            JsonSerializer.Deserialize<JsonElement[][]>(await page.EvaluateAsync<string>($"() => JSON.stringify({expression})"))!;

        /// <summary>When each stream item (by event sequence) reached the page, from SignalR's JSON frames (records end in 0x1e).</summary>
        private static Dictionary<int, double> MessageArrivals(JsonElement[][] frames)
        {
            var arrivals = new Dictionary<int, double>();
            foreach (var (at, message) in BenchBrowser.Messages(frames))
            {
                if (message.TryGetProperty("type", out var type) && type.GetInt32() == 2 &&
                    message.GetProperty("item").TryGetProperty("sequence", out var sequence))
                    arrivals.TryAdd(sequence.GetInt32(), at);
            }

            return arrivals;
        }
    }

    /// <summary>The page's marks of one event: parsed (and how long the parse took), handed to the trace, drawn.</summary>
    private readonly record struct EventMarks(double? Parsed, double? ParseMs, double? Item, double? Drawn);

    /// <summary>Reads the FlowTrace page's marks (ft:parsed:SEQ:µs, ft:item:SEQ, ft:drawn:LAST-SEQ).</summary>
    private sealed class PageMarksRead
    {
        private readonly Dictionary<int, (double At, double Ms)> _parsed = [];
        private readonly Dictionary<int, double> _items = [];
        private readonly List<(int Last, double At)> _drawn = [];

        public PageMarksRead(JsonElement[][] marks)
        {
            foreach (var mark in marks)
            {
                var parts = mark[0].GetString()!.Split(':');
                var at = mark[1].GetDouble();
                if (parts.Length < 3 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                    continue;
                switch (parts[1])
                {
                    case "parsed" when parts.Length == 4:
                        _parsed.TryAdd(number, (at, int.Parse(parts[3], CultureInfo.InvariantCulture) / 1000.0));
                        break;
                    case "item":
                        _items.TryAdd(number, at);
                        break;
                    case "drawn":
                        _drawn.Add((number, at));
                        break;
                }
            }
        }

        public EventMarks Of(int sequence)
        {
            var parsed = _parsed.TryGetValue(sequence, out var p) ? p : ((double, double)?)null;
            double? item = _items.TryGetValue(sequence, out var i) ? i : null;
            // The first drawing after the event was handed over that includes it (a drawing names its last event).
            double? drawn = item is null ? null : _drawn.Where(d => d.Last >= sequence && d.At >= item).Select(d => (double?)d.At).FirstOrDefault();
            return new EventMarks(parsed?.Item1, parsed?.Item2, item, drawn);
        }
    }

    /// <summary>Each event's time in the FlowTrace page, stage by stage.</summary>
    private sealed class Stages
    {
        public List<double> Arrival { get; } = [];
        public List<double> BeforeParse { get; } = [];
        public List<double> Parse { get; } = [];
        public List<double> ToLoop { get; } = [];
        public List<double> ToDrawn { get; } = [];
        public List<double> DrawnToDom { get; } = [];

        public void Add(double handedOver, double arrived, EventMarks marks, double dom)
        {
            Arrival.Add(arrived - handedOver);
            if (marks is not { Parsed: { } parsed, ParseMs: { } parse, Item: { } item, Drawn: { } drawn })
                return;
            BeforeParse.Add(parsed - parse - arrived);
            Parse.Add(parse);
            ToLoop.Add(item - parsed);
            ToDrawn.Add(drawn - item);
            DrawnToDom.Add(dom - drawn);
        }
    }
}
