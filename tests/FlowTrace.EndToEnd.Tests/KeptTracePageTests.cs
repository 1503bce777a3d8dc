using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>Kept traces in the page: the permalink, replay, trace again, copy as curl, the history, import.</summary>
[Collection(AppCollection.Name)]
public sealed class KeptTracePageTests(AppFixture app)
{
    private static ILocator Step(IPage page, string name) =>
        page.Locator("ol.steps").First.GetByRole(AriaRole.Listitem, new() { Name = name, Exact = true });

    /// <summary>Back to the trace page through the app's own navigation, for the next test on the shared page.</summary>
    private static Task HomeAsync(IPage page) => page.GetByRole(AriaRole.Link, new() { Name = "Trace a URL" }).ClickAsync();

    [Fact]
    public async Task LiveTrace_Kept_PermalinkShowsItThenReplaysAndTracesAgain()
    {
        var page = await app.SharedPageAsync();
        try
        {
            await AppFixture.TraceLabSiteAsync(page, "A healthy HTTPS site");
            var permalink = page.Locator("section.stored a.permalink");
            await Assertions.Expect(permalink).ToHaveTextAsync(new Regex(@"^/t/[A-Za-z0-9_-]{22}$"));
            var path = (await permalink.TextContentAsync())!;

            // Opened from its permalink (inside the app, as a shared link opens it): the same page, the trace complete.
            await permalink.ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "$"));
            await Assertions.Expect(page.Locator(".status p.ok")).ToContainTextAsync("Trace completed");
            await Assertions.Expect(Step(page, "Connection handling")).ToHaveClassAsync(new Regex(@"\bdone\b"));
            await Assertions.Expect(page.Locator("section.stored")).ToContainTextAsync("stored 20");
            await AppFixture.ScreenshotAsync(page, nameof(LiveTrace_Kept_PermalinkShowsItThenReplaysAndTracesAgain) + "-permalink");

            // Replay: the events again at their pace, through the same drawing as a live trace.
            await AppFixture.TraceAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync());
            await Assertions.Expect(Step(page, "TLS handshake")).ToHaveClassAsync(new Regex(@"\bdone\b"));

            // Trace again: a new live trace beside the stored one, step by step.
            await AppFixture.TraceAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Trace again" }).ClickAsync());
            var comparison = page.GetByRole(AriaRole.Region, new() { Name = "Stored trace against this one" });
            await Assertions.Expect(comparison.Locator("tr[data-step='Tls'] td")).ToHaveCountAsync(3);
            await Assertions.Expect(comparison.Locator("tr[data-step='total'] td.difference")).ToHaveTextAsync(new Regex(@"faster|slower|same"));
            await AppFixture.ScreenshotAsync(page, nameof(LiveTrace_Kept_PermalinkShowsItThenReplaysAndTracesAgain));
            // The new trace is kept too, under its own id.
            await Assertions.Expect(page.Locator("section.stored a.permalink")).Not.ToHaveTextAsync(path);
        }
        finally
        {
            await HomeAsync(page);
        }
    }

    [Fact]
    public async Task Replay_KeptSlowTrace_ServerProcessingRunsAgainAtItsPace()
    {
        var page = await app.SharedPageAsync();
        try
        {
            await AppFixture.TraceLabSiteAsync(page, "A slow server");
            var permalink = page.Locator("section.stored a.permalink");
            await Assertions.Expect(permalink).ToHaveTextAsync(new Regex(@"^/t/[A-Za-z0-9_-]{22}$"));
            await permalink.ClickAsync();
            await Assertions.Expect(Step(page, "HTTP response")).ToHaveClassAsync(new Regex(@"\bdone\b"));

            // At the original pace the server's ~400 ms are seen passing: the step runs before it is done, and TLS is
            // already done while it runs (all at once, the page would go straight from nothing to done). The page records
            // each class its steps take, as it takes it, so that a busy machine's slow polling cannot miss the run.
            await page.EvaluateAsync("""
                () => {
                  window.__classes = [];
                  // The replay draws the steps afresh: look up the first hop's cards on every change of the flow.
                  new MutationObserver(() => {
                    const ol = document.querySelector('section.flow ol.steps');
                    const state = s => ol?.querySelector(`li.step[data-step='${s}']`)?.className ?? '';
                    window.__classes.push([state('ServerProcessing'), state('Tls'), state('HttpResponse')]);
                  }).observe(document.querySelector('section.flow'), { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
                }
                """);
            await page.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();
            // The replay has run once the step, drawn afresh, is done again.
            await page.WaitForFunctionAsync("""
                () => {
                  const c = window.__classes, fresh = c.findIndex(x => !x[0].split(' ').includes('done'));
                  return fresh >= 0 && c.slice(fresh).some(x => x[0].split(' ').includes('done'));
                }
                """, null, new() { Timeout = 15_000 });
            await Assertions.Expect(page.Locator(".status p.ok")).ToContainTextAsync("Trace completed");
            var seen = System.Text.Json.JsonSerializer.Deserialize<string[][]>(await page.EvaluateAsync<string>("() => JSON.stringify(window.__classes)"))!;
            var running = seen.Where(s => s[0].Split(' ').Contains("running")).ToList();
            Assert.True(running.Count > 0, "Server processing was never seen running: " + string.Join(" | ", seen.Select(s => s[0])));
            // While it ran, TLS was done and the response not yet.
            Assert.All(running, s => Assert.Contains("done", s[1].Split(' ')));
            Assert.All(running, s => Assert.DoesNotContain("done", s[2].Split(' ')));
        }
        finally
        {
            await HomeAsync(page);
        }
    }

    [Fact]
    public async Task CopyAsCurl_KeptTrace_ShowsTheCommandForItsAddress()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.TraceLabSiteAsync(page, "A healthy HTTPS site");
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy as curl" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("curl command")).ToContainTextAsync("curl --http1.1 --resolve www.lab.test:");
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy as openssl" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("openssl command")).ToContainTextAsync("-servername www.lab.test");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "HAR" })).ToHaveAttributeAsync("href", new Regex(@"^api/traces/[A-Za-z0-9_-]{22}/har$"));
    }

    [Fact]
    public async Task History_KeptTraces_ListedFilteredAndDeleted()
    {
        var page = await app.SharedPageAsync();
        try
        {
            await AppFixture.TraceLabSiteAsync(page, "Connection refused");
            var id = (await page.Locator("section.stored a.permalink").TextContentAsync())!["/t/".Length..];
            await page.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
            var row = page.Locator($"tr[data-id='{id}']");
            await Assertions.Expect(row).ToContainTextAsync("failed");
            await Assertions.Expect(row).ToContainTextAsync("TCP connection");
            await page.Locator("#filter-step").SelectOptionAsync("Dns");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Assertions.Expect(row).ToHaveCountAsync(0);
            await page.Locator("#filter-step").SelectOptionAsync("Tcp");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Assertions.Expect(row).ToHaveCountAsync(1);
            await AppFixture.ScreenshotAsync(page, nameof(History_KeptTraces_ListedFilteredAndDeleted));
            await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
            await Assertions.Expect(row).ToHaveCountAsync(0);
            using var http = new HttpClient { BaseAddress = app.BaseAddress };
            using var gone = await http.GetAsync($"/api/traces/{id}");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
        }
        finally
        {
            await HomeAsync(page);
        }
    }

    [Fact]
    public async Task Import_NdjsonDropped_OpensAsAKeptTrace()
    {
        // A trace taken elsewhere: here through the API, as `flowtrace URL --json` would print it.
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var lab = JsonDocument.Parse(await http.GetStringAsync("/api/lab"));
        var url = lab.RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "redirect").GetProperty("url").GetString();
        using var posted = await http.PostAsync("/api/traces", new StringContent($$"""{"url": "{{url}}"}""", Encoding.UTF8, "application/json"));
        using var result = JsonDocument.Parse(await posted.Content.ReadAsStringAsync());
        var id = result.RootElement.GetProperty("id").GetString();
        var ndjson = await http.GetByteArrayAsync($"/api/traces/{id}/ndjson");

        var page = await app.SharedPageAsync();
        try
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
            await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "trace.ndjson", MimeType = "application/x-ndjson", Buffer = ndjson });
            await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/t/[A-Za-z0-9_-]{22}$"));
            Assert.DoesNotContain(id!, page.Url, StringComparison.Ordinal);
            await Assertions.Expect(page.Locator(".status p.ok")).ToContainTextAsync("Trace completed");
            await Assertions.Expect(page.Locator("ol.steps")).ToHaveCountAsync(3);

            // Not a trace: a clear refusal, and nothing opened.
            await page.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
            await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "notes.ndjson", MimeType = "application/x-ndjson", Buffer = Encoding.UTF8.GetBytes("hello\n") });
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("notes.ndjson could not be opened: Line 1 is not a FlowTrace event");
            Assert.EndsWith("/history", page.Url, StringComparison.Ordinal);
        }
        finally
        {
            await HomeAsync(page);
        }
    }
}
