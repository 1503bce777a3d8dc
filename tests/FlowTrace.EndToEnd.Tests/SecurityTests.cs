using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

[Collection(AppCollection.Name)]
public sealed class SecurityTests(AppFixture app)
{
    [Fact]
    public async Task TraceLabSite_MarkupInHeadersAndBody_ShownAsTextNeverRun()
    {
        var page = await app.SharedPageAsync();
        var violations = new List<string>();
        void Watch(object? sender, IConsoleMessage m)
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                lock (violations) violations.Add(m.Text);
        }

        // Watched until the end: opening the response's details draws the hostile text too.
        page.Console += Watch;
        try
        {
            // A hostile site: in the lab's fold of hostile servers, opened for it and closed again after.
            await page.Locator("details.lab-fold summary").ClickAsync();
            await AppFixture.TraceLabSiteAsync(page, "Markup in headers and body");
            await page.Locator("details.lab-fold summary").ClickAsync();
            await Assertions.Expect(page.Locator(".status p.ok")).ToBeVisibleAsync();
            var response = page.Locator("ol.steps").First.GetByRole(AriaRole.Listitem, new() { Name = "HTTP response", Exact = true });
            await response.Locator("summary").ClickAsync();
            await AppFixture.ScreenshotAsync(page, nameof(TraceLabSite_MarkupInHeadersAndBody_ShownAsTextNeverRun));

            await Assertions.Expect(response.Locator("pre.headers:not(.body-preview)")).ToContainTextAsync("X-Hostile: <script>window.__flowtraceXss = 1</script><img src=x onerror=");
            await Assertions.Expect(response.Locator("pre.body-preview")).ToContainTextAsync("<script>window.__flowtraceXss = 3</script>");
            Assert.Equal(0, await page.Locator("ol.steps img, ol.steps script").CountAsync());
            Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__flowtraceXss"));
        }
        finally
        {
            page.Console -= Watch;
        }

        lock (violations)
            Assert.Empty(violations);
    }

    [Fact]
    public async Task EveryResponse_CarriesSecurityHeaders()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        foreach (var path in new[] { "/", "/api/lab", "/assets/css/flowtrace.css" })
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp), path);
            Assert.Contains("frame-ancestors 'none'", csp!.Single(), StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp!.Single(), StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        }
    }
}
