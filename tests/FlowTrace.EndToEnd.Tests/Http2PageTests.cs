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
}
