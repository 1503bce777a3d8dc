using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>The page itself shows each step as it happens, not a .NET client: measured in Chromium's DOM.</summary>
[Collection(AppCollection.Name)]
public sealed class LivenessTests(AppFixture app)
{
    /// <summary>Records, in the page, when each step card of the first hop first shows as done (performance.now()).</summary>
    private const string WatchSteps = """
        () => {
          window.__doneAt = {};
          const seen = () => {
            for (const li of document.querySelectorAll('ol.steps')[0]?.querySelectorAll('li.step') ?? []) {
              const step = li.dataset.step;
              if (li.classList.contains('done') && !(step in window.__doneAt)) window.__doneAt[step] = performance.now();
            }
          };
          new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
        }
        """;

    [Fact]
    public async Task SlowSite_FirstTraceAfterPageLoad_TlsShownDoneWhileTheServerStillWorks()
    {
        // A fresh page: the first trace after load is the one that used to arrive in one burst at the end.
        var page = await app.OpenAsync();
        await page.EvaluateAsync(WatchSteps);
        await page.GetByRole(AriaRole.Button, new() { Name = "A slow server" }).ClickAsync();
        await page.Locator(".status p.ok, .status p.error").WaitForAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Trace completed");
        var doneAt = await page.EvaluateAsync<Dictionary<string, double>>("() => window.__doneAt");
        var serverMs = double.Parse((await page.Locator("ol.steps li[data-step='ServerProcessing'] [aria-label='duration']").First.TextContentAsync())!.Replace(" ms", "").Replace(",", ""),
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(serverMs >= 200, $"the slow site answered in {serverMs} ms");
        // The server worked for serverMs after the handshake: the page must have drawn the TLS step well before the
        // answer came, not together with it.
        var gap = doneAt["ServerProcessing"] - doneAt["Tls"];
        Assert.True(gap >= serverMs / 2, $"TLS drawn {gap:0} ms before server processing, which lasted {serverMs:0} ms: the steps did not appear one by one");
        Assert.True(doneAt["Tcp"] <= doneAt["Tls"]);
        await page.Context.CloseAsync();
    }
}
