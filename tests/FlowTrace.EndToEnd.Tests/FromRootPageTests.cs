using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>Resolving from the root in the page: the walk's servers on the ladder, the DNS step saying what happened.</summary>
[Collection(AppCollection.Name)]
public sealed class FromRootPageTests(AppFixture app)
{
    [Fact]
    public async Task ResolveFromRoot_LabSite_LadderHasEachServerOfTheWalkFromTheEvents()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.OpenOptionsAsync(page);
        var option = page.GetByLabel("Resolve from the root (as dig +trace: root, top-level domain, the zone's server)");
        await option.CheckAsync();
        try
        {
            await AppFixture.TraceLabSiteAsync(page, "A healthy HTTPS site");
            var dns = page.Locator("li.step[data-step='Dns']");
            await Assertions.Expect(dns.Locator("p.explain")).ToContainTextAsync("Resolved from the root, as dig +trace does");
            await Assertions.Expect(dns.Locator("p.explain")).ToContainTextAsync(". → test. → lab.test.");

            // Every server the kept events say was asked has its lane, in order, and each referral its arrow.
            var events = await AppFixture.KeptEventsAsync(page);
            var queries = AppFixture.DetailsOfType(events, "dnsQuery").ToList();
            Assert.True(queries.Count >= 3);
            var servers = queries.Select(q => q.GetProperty("resolver").GetString()!).Distinct().ToList();
            await Assertions.Expect(page.Locator("svg.ladder g.lane.resolver text.lane-label")).ToHaveTextAsync([.. servers.Select(s => $"DNS server {s}")]);
            foreach (var referral in queries.Where(q => q.GetProperty("referral").ValueKind == System.Text.Json.JsonValueKind.Object).Select(q => q.GetProperty("referral")))
                await Assertions.Expect(page.Locator($"svg.ladder g.arrow[data-label='referral: {referral.GetProperty("zone").GetString()} at {referral.GetProperty("nameServers")[0].GetString()}']")).ToHaveCountAsync(1);
            await AppFixture.ScreenshotAsync(page, nameof(ResolveFromRoot_LabSite_LadderHasEachServerOfTheWalkFromTheEvents));
        }
        finally
        {
            await option.UncheckAsync();
        }
    }
}
