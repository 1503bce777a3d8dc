using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>HTTP/2 in the page: the frames in their steps, and each header block's HPACK made visible.</summary>
[Collection(AppCollection.Name)]
public sealed class Http2PageTests(AppFixture app)
{
    [Fact]
    public async Task DefaultOffer_Http2OnlySite_FramesAndHpackAsTheTraceKeptThem()
    {
        var page = await app.SharedPageAsync();
        // The default offer, as browsers make it, meets the lab's HTTP/2-only site.
        {
            await AppFixture.TraceLabSiteAsync(page, "HTTP/2 only");
            var events = await AppFixture.KeptEventsAsync(page);
            var headers = AppFixture.DetailsOfType(events, "http2Frame")
                .Single(f => f.GetProperty("frameType").GetString() == "HEADERS" && f.GetProperty("direction").GetString() == "serverToClient");
            var block = headers.GetProperty("headerBlock");

            var step = page.Locator("ol.steps").First.GetByRole(AriaRole.Listitem, new() { Name = "HTTP response", Exact = true });
            await step.Locator("details.step-details > summary").ClickAsync();
            var frame = step.Locator("div.h2-frame[data-frame='HEADERS']");
            await Assertions.Expect(frame.Locator("p.hpack")).ToContainTextAsync(
                $"HPACK: {block.GetProperty("wireBytes").GetInt32()} bytes on the wire for {block.GetProperty("plainBytes").GetInt32()} bytes of plain headers");
            var fields = block.GetProperty("fields").EnumerateArray().ToList();
            await Assertions.Expect(frame.Locator("table.hpack-fields tbody tr")).ToHaveCountAsync(fields.Count);
            await Assertions.Expect(frame.Locator("table.hpack-fields tbody tr").First.Locator("td").Nth(2)).ToHaveTextAsync(fields[0].GetProperty("carried").GetString()!);
            await AppFixture.ScreenshotAsync(page, nameof(DefaultOffer_Http2OnlySite_FramesAndHpackAsTheTraceKeptThem));
            await step.Locator("details.step-details > summary").ClickAsync();
        }
    }

    [Fact]
    public async Task Http2Site_FrameTimeline_EveryKeptFrameOnItsStreamsRowInTimeOrder()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.TraceLabSiteAsync(page, "HTTP/2: headers too large for one frame");
        var events = await AppFixture.KeptEventsAsync(page);
        var frames = events.Where(e => e.GetProperty("hop").GetInt32() == 0 && e.GetProperty("details") is { ValueKind: System.Text.Json.JsonValueKind.Object } d
            && d.GetProperty("type").GetString() == "http2Frame").ToList();
        Assert.NotEmpty(frames);

        await Assertions.Expect(page.Locator("section.status")).ToContainTextAsync("— HTTP/2 200");
        var timeline = page.Locator("section.flow figure.h2-timeline").First;
        await Assertions.Expect(timeline).ToBeVisibleAsync();
        await Assertions.Expect(timeline.Locator("figcaption")).ToContainTextAsync($"stream by stream: {frames.Count} frames from");
        // A row per stream the frames name: the connection's (0) and the request's (1).
        var streams = frames.Select(f => f.GetProperty("details").GetProperty("streamId").GetInt32()).Distinct().Order().ToList();
        Assert.Equal(streams, (await timeline.Locator("g.h2-stream").EvaluateAllAsync<int[]>("rows => rows.map(r => +r.dataset.stream)")).ToList());
        // Every kept frame is in a mark of its own stream and direction: the marks' counts add up, per stream and direction.
        var marks = await timeline.Locator("g.h2-mark").EvaluateAllAsync<MarkSeen[]>(
            "marks => marks.map(m => ({ stream: +m.dataset.stream, direction: m.dataset.direction, count: +m.dataset.count, types: m.dataset.types, x: +m.querySelector('rect').getAttribute('x') }))");
        foreach (var group in frames.GroupBy(f => (Stream: f.GetProperty("details").GetProperty("streamId").GetInt32(), Direction: f.GetProperty("details").GetProperty("direction").GetString())))
            Assert.Equal(group.Count(), marks.Where(m => m.Stream == group.Key.Stream && string.Equals(m.Direction, group.Key.Direction, StringComparison.OrdinalIgnoreCase)).Sum(m => m.Count));
        // The server's header block went on in CONTINUATION; the request's HEADERS left before the response's arrived.
        var received = marks.Where(m => m.Stream == 1 && m.Direction == "ServerToClient").ToList();
        Assert.Contains(received, m => m.Types.Contains("CONTINUATION", StringComparison.Ordinal));
        var sent = marks.Single(m => m.Stream == 1 && m.Direction == "ClientToServer" && m.Types.Contains("HEADERS", StringComparison.Ordinal));
        Assert.True(sent.X <= received.Min(m => m.X), $"request at {sent.X}, response from {received.Min(m => m.X)}");
        Assert.Equal(received.Select(m => m.X).Order(), received.Select(m => m.X));
        // The explanations say what HTTP/2 did differently, with this trace's numbers.
        var continuations = frames.Count(f => f.GetProperty("details").GetProperty("frameType").GetString() == "CONTINUATION");
        var block = frames.Select(f => f.GetProperty("details")).First(d => d.GetProperty("frameType").GetString() == "HEADERS" && d.GetProperty("direction").GetString() == "serverToClient").GetProperty("headerBlock");
        var steps = page.Locator("ol.steps").First;
        await Assertions.Expect(steps.GetByRole(AriaRole.Listitem, new() { Name = "HTTP response", Exact = true }).Locator("p.explain")).ToContainTextAsync(
            $"The response's headers took {block.GetProperty("wireBytes").GetInt32():N0} bytes of HPACK for {block.GetProperty("plainBytes").GetInt32():N0} bytes as text, more than one frame holds, so it went on in {continuations} CONTINUATION frame");
        await Assertions.Expect(steps.GetByRole(AriaRole.Listitem, new() { Name = "Connection handling", Exact = true }).Locator("p.explain")).ToContainTextAsync("a GOAWAY frame first");
        await timeline.ScreenshotAsync(new() { Path = Path.Combine(AppFixture.Screenshots, "Http2Timeline.png") });
    }

    [Fact]
    public async Task RefusedStream_SentAgainOnANewConnection_SecondHopSaysWhyAndTheRefusalIsExplained()
    {
        var page = await app.SharedPageAsync();
        var fold = page.Locator("details.lab-fold");
        await fold.Locator("summary").ClickAsync();
        await AppFixture.TraceLabSiteAsync(page, "Hostile HTTP/2: a stream refused, then answered");
        await fold.Locator("summary").ClickAsync();
        await Assertions.Expect(page.Locator("section.flow h2.hop")).ToHaveTextAsync("Sent again on a new connection: the server refused the stream without processing it");
        var first = page.Locator("ol.steps").First;
        await Assertions.Expect(first.GetByRole(AriaRole.Listitem, new() { Name = "Server processing", Exact = true }).Locator("p.explain"))
            .ToContainTextAsync("A browser sends such a request again, once, on a new connection, and so does the trace");
        var second = page.Locator("ol.steps").Nth(1);
        await Assertions.Expect(second.GetByRole(AriaRole.Listitem, new() { Name = "HTTP response", Exact = true })).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bdone\b"));
        // Each hop has its own connection, so its own timeline.
        await Assertions.Expect(page.Locator("section.flow figure.h2-timeline")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task KeptTraces_OpenedOneAfterTheOther_TimelineDrawsEachTracesOwnFrames()
    {
        // Two traces of one site have as many frames and step boundaries: opening one kept trace after the other (the same
        // page, its events arriving all at once) must still draw the second's timeline, not keep the first's.
        var page = await app.SharedPageAsync();
        var timeline = page.Locator("section.flow figure.h2-timeline").First;
        var drawn = new List<(string Id, string Svg)>();
        for (var i = 0; i < 2; i++)
        {
            await AppFixture.TraceLabSiteAsync(page, "HTTP/2 only");
            await Assertions.Expect(page.Locator("section.stored a.permalink")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^/t/[A-Za-z0-9_-]{22}$"));
            drawn.Add(((await page.Locator("section.stored a.permalink").TextContentAsync())!, await timeline.InnerHTMLAsync()));
        }

        Assert.NotEqual(drawn[0].Svg, drawn[1].Svg);
        foreach (var (id, svg) in new[] { drawn[0], drawn[1], drawn[0] })
        {
            // Followed inside the page, as a link in it is: the trace page stays, its trace changes.
            await page.EvaluateAsync("href => { const a = document.createElement('a'); a.href = href; document.body.appendChild(a); a.click(); a.remove(); }", id);
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(id) + "$"));
            await Assertions.Expect(page.Locator("section.stored a.permalink")).ToHaveTextAsync(id);
            await Assertions.Expect(timeline).ToHaveJSPropertyAsync("innerHTML", svg);
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Trace a URL" }).ClickAsync();
    }

    private sealed class MarkSeen
    {
        public int Stream { get; set; }
        public string Direction { get; set; } = "";
        public int Count { get; set; }
        public string Types { get; set; } = "";
        public double X { get; set; }
    }
}
