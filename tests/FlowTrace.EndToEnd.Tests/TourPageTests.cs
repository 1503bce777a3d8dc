using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>The guided tour: predict, then trace, then the answer read from the trace.</summary>
[Collection(AppCollection.Name)]
public sealed class TourPageTests(AppFixture app)
{
    [Fact]
    public async Task Tour_FirstTwoStops_PredictThenTheTraceJudgesTheAnswer()
    {
        var page = await app.SharedPageAsync();
        try
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Guided tour" }).ClickAsync();
            var stop = page.GetByRole(AriaRole.Region, new() { Name = "Tour stop" });
            await Assertions.Expect(stop.Locator("h2")).ToHaveTextAsync("Stop 1 of 5: A healthy HTTPS site");
            await Assertions.Expect(stop.Locator("p.question")).ToContainTextAsync("How many round trips will the TLS handshake take?");

            // TLS 1.3: one round trip, as predicted.
            await stop.GetByRole(AriaRole.Button, new() { Name = "1", Exact = true }).ClickAsync();
            await Assertions.Expect(stop.Locator(".reveal")).ToContainTextAsync("Right answer: 1. The handshake took 1 round trip (TLS 1.3).", new() { Timeout = 30_000 });
            await Assertions.Expect(stop.Locator(".verdict")).ToHaveTextAsync("You were right.");
            await Assertions.Expect(page.Locator("svg.ladder g.arrow[data-label='ClientHello']")).ToHaveCountAsync(1);

            // TLS 1.2: the same guess is wrong, and the page says so.
            await stop.GetByRole(AriaRole.Button, new() { Name = "Next stop" }).ClickAsync();
            await Assertions.Expect(stop.Locator("h2")).ToHaveTextAsync("Stop 2 of 5: TLS 1.2 only");
            await Assertions.Expect(stop.Locator(".reveal")).ToHaveCountAsync(0);
            await stop.GetByRole(AriaRole.Button, new() { Name = "1", Exact = true }).ClickAsync();
            await Assertions.Expect(stop.Locator(".reveal")).ToContainTextAsync(new Regex(@"Right answer: 2\. The handshake took 2 round trips \(TLS 1\.2\)\."), new() { Timeout = 30_000 });
            await Assertions.Expect(stop.Locator(".verdict")).ToContainTextAsync("You said 1");
            await AppFixture.ScreenshotAsync(page, nameof(Tour_FirstTwoStops_PredictThenTheTraceJudgesTheAnswer));
        }
        finally
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Trace a URL" }).ClickAsync();
        }
    }
}
