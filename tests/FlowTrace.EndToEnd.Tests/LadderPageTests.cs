using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>The ladder diagram in the page, checked against the kept trace's own events.</summary>
[Collection(AppCollection.Name)]
public sealed class LadderPageTests(AppFixture app)
{
    [Fact]
    public async Task Ladder_HealthySite_AnArrowPerMessageOfTheEventsWithDetailsAndText()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.TraceLabSiteAsync(page, "A healthy HTTPS site");
        var events = await AppFixture.KeptEventsAsync(page);
        var ladder = page.Locator("svg.ladder");

        // Lanes: the client, the resolver the DNS step asked, the server it connected to.
        var resolver = AppFixture.DetailsOfType(events, "dnsQuery").First().GetProperty("resolver").GetString();
        var server = AppFixture.DetailsOfType(events, "tcpConnected").First().GetProperty("remote").GetString();
        await Assertions.Expect(ladder.Locator("g.lane")).ToHaveCountAsync(3);
        await Assertions.Expect(ladder.Locator($"g.lane[data-lane='{resolver}']")).ToHaveCountAsync(1);
        await Assertions.Expect(ladder.Locator($"g.lane[data-lane='{server}']")).ToHaveCountAsync(1);

        // An arrow for each query and each answer, each TLS record, the SYN, SYN-ACK and ACK.
        var arrows = ladder.Locator("g.arrow");
        var queries = AppFixture.DetailsOfType(events, "dnsQuery").Count();
        var records = AppFixture.DetailsOfType(events, "tlsRecord").Count();
        await Assertions.Expect(ladder.Locator("g.arrow.dns")).ToHaveCountAsync(2 * queries);
        await Assertions.Expect(ladder.Locator("g.arrow.tls")).ToHaveCountAsync(records);
        Assert.Equal(["SYN", "SYN-ACK", "ACK"], await ladder.Locator("g.arrow.tcp").EvaluateAllAsync<string[]>("arrows => arrows.map(a => a.dataset.label)"));
        // TLS 1.3's encrypted handshake messages by the names the engine gave them once decrypted.
        foreach (var name in AppFixture.DetailsOfType(events, "tlsHandshakeMessage").Where(d => d.GetProperty("messageType").GetString() != "server_hello"))
        {
            var messageType = name.GetProperty("messageType").GetString()!;
            var title = string.Concat(messageType.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
            await Assertions.Expect(ladder.Locator($"g.arrow[data-label='{title} (encrypted)']").First).ToBeVisibleAsync();
        }

        // Round trips numbered along the side: TCP, TLS 1.3, the request.
        await Assertions.Expect(ladder.Locator("g.round-trip text", new() { HasTextRegex = new Regex("^RTT") })).ToHaveTextAsync(["RTT 1", "RTT 2", "RTT 3"]);

        // Chosen by keyboard: its details name the event it was drawn from.
        var count = await arrows.CountAsync();
        var request = ladder.Locator("g.arrow[data-label='GET / HTTP/1.1']");
        await request.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var selected = page.GetByRole(AriaRole.Region, new() { Name = "Selected message" });
        var written = events.Single(e => e.GetProperty("details") is { ValueKind: JsonValueKind.Object } d && d.GetProperty("type").GetString() == "httpRequest");
        await Assertions.Expect(selected.Locator("p.event")).ToHaveTextAsync($"Event {written.GetProperty("sequence").GetInt32()}: {written.GetProperty("message").GetString()}");
        await Assertions.Expect(selected).ToContainTextAsync("(measured)");
        await AppFixture.ScreenshotAsync(page, nameof(Ladder_HealthySite_AnArrowPerMessageOfTheEventsWithDetailsAndText));

        // The ClientHello's arrow shows its bytes, explained.
        await ladder.Locator("g.arrow[data-label='ClientHello']").ClickAsync();
        await Assertions.Expect(selected.Locator("details.byte-fields[data-message='ClientHello'] summary")).ToContainTextAsync("ClientHello, byte by byte");
        await ladder.Locator("g.arrow[data-label='ClientHello']").ClickAsync();
        await request.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        // The text alternative lists the same messages, in the same order.
        var text = page.Locator("details.ladder-text li");
        await Assertions.Expect(text).ToHaveCountAsync(count);
        await Assertions.Expect(text.Nth(0)).ToContainTextAsync($"Client (this computer) → DNS resolver {resolver}");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(selected).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Ladder_SlowSite_FoldIdleTimeShortensTheWaitAndSaysHowLong()
    {
        var page = await app.SharedPageAsync();
        try
        {
            await AppFixture.TraceLabSiteAsync(page, "A slow server");
            var ladder = page.Locator("svg.ladder");
            await Assertions.Expect(ladder.Locator("g.fold")).ToHaveCountAsync(0);
            var toScale = await HeightAsync(ladder);
            // To scale, the ~400 ms wait for the first byte takes most of the drawing: the handshake's arrows are crowded
            // at the top. Folded, the wait is one short marked stretch and every message gets room.
            await page.GetByLabel("Fold idle time").CheckAsync();
            await Assertions.Expect(ladder.Locator("g.fold text").First).ToHaveTextAsync(new Regex(@"^\d+(\.\d+)? ms idle, folded$"));
            var first = await ArrowYAsync(ladder, "first byte of the response");
            var request = await ArrowYAsync(ladder, "GET / HTTP/1.1");
            Assert.InRange(first - request, 30, 200);
            Assert.True(await HeightAsync(ladder) > 0 && toScale > 0);
            await AppFixture.ScreenshotAsync(page, nameof(Ladder_SlowSite_FoldIdleTimeShortensTheWaitAndSaysHowLong));
        }
        finally
        {
            await page.GetByLabel("Fold idle time").UncheckAsync();
        }
    }

    private static async Task<double> HeightAsync(ILocator svg) =>
        await svg.EvaluateAsync<double>("svg => svg.viewBox.baseVal.height");

    /// <summary>Where (in the drawing's units) the arrow of <paramref name="label"/> arrives.</summary>
    private static async Task<double> ArrowYAsync(ILocator svg, string label) =>
        await svg.Locator($"g.arrow[data-label='{label}'] line").EvaluateAsync<double>("line => line.y2.baseVal.value");
}
