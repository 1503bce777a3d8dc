using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>Cold against warm in the page: the same request again on the same connection.</summary>
[Collection(AppCollection.Name)]
public sealed class AgainPageTests(AppFixture app)
{
    [Fact]
    public async Task AgainOnSameConnection_HealthySite_SecondHopShownWithWhatEachStepSaved()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.OpenOptionsAsync(page);
        var option = page.GetByLabel("Then again on the same connection (warm against cold)");
        await option.CheckAsync();
        try
        {
            await AppFixture.TraceLabSiteAsync(page, "A healthy HTTPS site");
            await Assertions.Expect(page.Locator("h2.hop")).ToHaveTextAsync(["Again on the same connection"]);
            var table = page.GetByRole(AriaRole.Region, new() { Name = "Cold against warm" });
            // No lookup and no handshake the second time: each says so, with the time it saved.
            foreach (var step in new[] { "Dns", "Tls" })
            {
                var row = table.Locator($"tr[data-step='{step}']");
                await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("not needed");
                await Assertions.Expect(row.Locator("td.saved")).ToHaveTextAsync(await row.Locator("td").Nth(0).TextContentAsync() ?? "");
            }

            await Assertions.Expect(table.Locator("tr[data-step='Tls'] td.why")).ToContainTextAsync("no handshake");
            await Assertions.Expect(table.Locator("tr[data-step='ServerProcessing'] td").Nth(1)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"ms$"));
            // The ladder has the second request on the same lane, and no second SYN.
            await Assertions.Expect(page.Locator("svg.ladder g.arrow[data-label='GET / HTTP/1.1']")).ToHaveCountAsync(2);
            await Assertions.Expect(page.Locator("svg.ladder g.arrow[data-label='SYN']")).ToHaveCountAsync(1);
            await AppFixture.ScreenshotAsync(page, nameof(AgainOnSameConnection_HealthySite_SecondHopShownWithWhatEachStepSaved));
        }
        finally
        {
            await option.UncheckAsync();
        }
    }

    [Fact]
    public async Task AgainResumingSession_Tls12Site_SecondHandshakeResumedAndCompared()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.OpenOptionsAsync(page);
        var option = page.GetByLabel("Then again on a new connection, resuming the TLS session (cold against resumed)");
        await option.CheckAsync();
        try
        {
            // The other kind of "again" cannot be chosen with it.
            await Assertions.Expect(page.GetByLabel("Then again on the same connection (warm against cold)")).ToBeDisabledAsync();
            await AppFixture.TraceLabSiteAsync(page, "TLS 1.2 only");
            await Assertions.Expect(page.Locator("h2.hop")).ToHaveTextAsync(["Again on a new connection, resuming the TLS session"]);
            var table = page.GetByRole(AriaRole.Region, new() { Name = "Cold against resumed" });
            await Assertions.Expect(table.Locator("tr[data-step='Tls'] td.why")).ToContainTextAsync("took the session back");
            await Assertions.Expect(table.Locator("tr[data-step='Tls'] td.why")).ToContainTextAsync("2 round trips became one round trip");
            await Assertions.Expect(table.Locator("tr[data-step='Tcp'] td.why")).ToContainTextAsync("paid again");

            // What the page says comes from the kept events: the second handshake resumed, with no certificate.
            var events = await AppFixture.KeptEventsAsync(page);
            var second = AppFixture.DetailsOfType(events, "tlsHandshake").Last();
            Assert.True(second.GetProperty("resumption").GetProperty("accepted").GetBoolean());
            Assert.Equal(0, second.GetProperty("certificates").GetArrayLength());
            // A new connection: two SYNs on the ladder, one certificate.
            await Assertions.Expect(page.Locator("svg.ladder g.arrow[data-label='SYN']")).ToHaveCountAsync(2);
            await AppFixture.ScreenshotAsync(page, nameof(AgainResumingSession_Tls12Site_SecondHandshakeResumedAndCompared));
        }
        finally
        {
            await option.UncheckAsync();
        }
    }
}
