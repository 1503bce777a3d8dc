using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

[Collection(AppCollection.Name)]
public sealed partial class TracePageTests(AppFixture app)
{
    private static readonly string[] Steps = ["DNS lookup", "TCP connection", "TLS handshake", "HTTP request", "Server processing", "HTTP response", "Connection handling"];

    private static ILocator Step(IPage page, string name) =>
        page.Locator("ol.steps").First.GetByRole(AriaRole.Listitem, new() { Name = name, Exact = true });

    private static Task WaitForEndAsync(IPage page) =>
        page.Locator(".status p.ok, .status p.error").WaitForAsync(new() { Timeout = 30_000 });

    [Fact]
    public async Task TraceLabSite_HealthySite_EverySevenStepsCompleteWithDuration()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.TraceLabSiteAsync(page, "A healthy HTTPS site");
        await AppFixture.ScreenshotAsync(page, nameof(TraceLabSite_HealthySite_EverySevenStepsCompleteWithDuration));
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Trace completed");
        foreach (var name in Steps)
        {
            var step = Step(page, name);
            await Assertions.Expect(step).ToHaveClassAsync(new Regex(@"\bdone\b"));
            await Assertions.Expect(step.GetByLabel("duration")).ToHaveTextAsync(DurationPattern());
        }

        await Assertions.Expect(page.Locator("svg.waterfall g.row")).ToHaveCountAsync(7);
        await Assertions.Expect(Step(page, "TLS handshake")).ToContainTextAsync("The certificate checks out");
        await Assertions.Expect(Step(page, "TCP connection")).ToContainTextAsync("the three-way handshake took");
        await Assertions.Expect(Step(page, "TLS handshake")).ToContainTextAsync("in one round trip");
        // The lab's TLS 1.3 server issues tickets after the handshake; they are told under Connection handling.
        await Assertions.Expect(Step(page, "Connection handling")).ToContainTextAsync(new Regex(@"issued \d+ session tickets? \(NewSessionTicket, valid "));

        // An explanation explains: it does not say the step's subtitle over again (no clause of 20 characters or more
        // of the subtitle appears in it word for word).
        foreach (var name in Steps)
        {
            var message = (await Step(page, name).Locator("p.message").TextContentAsync())!;
            var explain = await Step(page, name).Locator("p.explain").TextContentAsync() ?? "";
            foreach (var clause in message.Split([';', ':', ','], StringSplitOptions.TrimEntries).Where(c => c.Length >= 20))
                Assert.False(explain.Contains(clause, StringComparison.OrdinalIgnoreCase), $"{name}: the explanation repeats '{clause}'");
        }
    }

    [Fact]
    public async Task LabSites_AsLessons_GroupedByStepWithWhatToLookForHostileOnesFolded()
    {
        var page = await app.SharedPageAsync();
        var lessons = page.Locator(".lab-lesson");
        await Assertions.Expect(lessons.Locator("h3")).ToHaveTextAsync(
            ["Start here", "DNS lookup", "TCP connection", "TLS and certificates", "HTTP request and response", "Connection handling", "Hostile servers"]);
        var start = page.GetByRole(AriaRole.Region, new() { Name = "Start here" });
        await Assertions.Expect(start.GetByRole(AriaRole.Button)).ToHaveTextAsync(["A healthy HTTPS site"]);
        var dns = page.GetByRole(AriaRole.Region, new() { Name = "DNS lookup" });
        await Assertions.Expect(dns.Locator("p.look-for")).ToContainTextAsync("Look at the DNS step");
        await Assertions.Expect(dns.GetByRole(AriaRole.Button, new() { Name = "A name that does not exist" })).ToBeVisibleAsync();

        // The hostile servers are folded away until asked for, with their count.
        var fold = page.Locator("details.lab-fold");
        await Assertions.Expect(fold.Locator("summary")).ToContainTextAsync(new Regex(@"Hostile servers \(\d+ sites\)"));
        var hostile = fold.GetByRole(AriaRole.Button, new() { Name = "Hostile: not TLS at all" });
        await Assertions.Expect(hostile).ToBeHiddenAsync();
        await fold.Locator("summary").ClickAsync();
        await Assertions.Expect(hostile).ToBeVisibleAsync();
        await AppFixture.ScreenshotAsync(page, nameof(LabSites_AsLessons_GroupedByStepWithWhatToLookForHostileOnesFolded));
        await fold.Locator("summary").ClickAsync();
        await Assertions.Expect(hostile).ToBeHiddenAsync();
    }

    [Fact]
    public async Task TraceLabSite_RefusedConnection_FailureShownInTcpStep()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.TraceLabSiteAsync(page, "Connection refused");
        await AppFixture.ScreenshotAsync(page, nameof(TraceLabSite_RefusedConnection_FailureShownInTcpStep));
        var tcp = Step(page, "TCP connection");
        await Assertions.Expect(tcp).ToHaveClassAsync(new Regex(@"\bfailed\b"));
        await Assertions.Expect(tcp).ToContainTextAsync("refused");
        await Assertions.Expect(Step(page, "DNS lookup")).ToHaveClassAsync(new Regex(@"\bdone\b"));
        await Assertions.Expect(Step(page, "TLS handshake")).Not.ToHaveClassAsync(new Regex(@"\bdone\b"));
        // An https URL whose connection failed: TLS was not reached, which is not the same as plain http needing none.
        await Assertions.Expect(Step(page, "TLS handshake")).ToContainTextAsync("not reached");
        await Assertions.Expect(Step(page, "TLS handshake")).ToContainTextAsync("an earlier step failed");
        await Assertions.Expect(Step(page, "TLS handshake")).Not.ToContainTextAsync("plain http");
    }

    [Fact]
    public async Task TraceLabSite_WrongNameCertificate_FindingShownInTlsStep()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.TraceLabSiteAsync(page, "A certificate for the wrong name");
        await AppFixture.ScreenshotAsync(page, nameof(TraceLabSite_WrongNameCertificate_FindingShownInTlsStep));
        var tls = Step(page, "TLS handshake");
        await Assertions.Expect(tls).ToContainTextAsync("A browser would refuse this certificate");
        await Assertions.Expect(tls).ToContainTextAsync("other-name.lab.test");
    }

    [Fact]
    public async Task Repeat_ThreeRuns_ShowsProgressThenFirstBesideTheRest()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.OpenOptionsAsync(page);
        await page.Locator("#repeat").FillAsync("3");
        try
        {
            await AppFixture.TraceLabSiteAsync(page, "A healthy HTTPS site");
        }
        finally
        {
            await page.Locator("#repeat").FillAsync("1");
        }

        await AppFixture.ScreenshotAsync(page, nameof(Repeat_ThreeRuns_ShowsProgressThenFirstBesideTheRest));
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("3 runs of");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("3 completed");
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Per step over the runs" });
        await Assertions.Expect(table.Locator("tbody tr")).ToHaveCountAsync(8);
        var tls = table.Locator("tr[data-step='Tls'] td");
        await Assertions.Expect(tls).ToHaveCountAsync(6);
        for (var i = 0; i < 5; i++)
            await Assertions.Expect(tls.Nth(i)).ToHaveTextAsync(DurationPattern());
        // The steps show the last run, complete.
        await Assertions.Expect(Step(page, "Connection handling")).ToHaveClassAsync(new Regex(@"\bdone\b"));
    }

    [Fact]
    public async Task StepMode_LabSite_PausesAfterEachStepAndResumesOnNextStep()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.OpenOptionsAsync(page);
        var stepMode = page.GetByLabel("Step mode (pause after each step)");
        await stepMode.CheckAsync();
        try
        {
            await StepThroughAsync(page);
        }
        finally
        {
            await stepMode.UncheckAsync();
        }

        await AppFixture.ScreenshotAsync(page, nameof(StepMode_LabSite_PausesAfterEachStepAndResumesOnNextStep));
        foreach (var name in Steps)
            await Assertions.Expect(Step(page, name)).ToHaveClassAsync(new Regex(@"\bdone\b"));
    }

    private static async Task StepThroughAsync(IPage page)
    {
        var before = await page.Locator("section.status").GetAttributeAsync("data-traces");
        await page.GetByRole(AriaRole.Button, new() { Name = "A healthy HTTPS site" }).ClickAsync();
        await Assertions.Expect(page.Locator("section.status")).Not.ToHaveAttributeAsync("data-traces", before ?? "0");
        var next = page.GetByRole(AriaRole.Button, new() { Name = "Next step" });
        await next.WaitForAsync();
        await Assertions.Expect(Step(page, "DNS lookup")).ToHaveClassAsync(new Regex(@"\bdone\b"));
        await Assertions.Expect(Step(page, "TCP connection")).ToHaveClassAsync(new Regex(@"\bwaiting\b"));
        // The ladder grows with the trace: the DNS messages while paused after DNS, nothing of TCP yet.
        var ladder = page.Locator("svg.ladder");
        await Assertions.Expect(ladder.Locator("g.arrow.dns").First).ToBeVisibleAsync();
        await Assertions.Expect(ladder.Locator("g.arrow.tcp")).ToHaveCountAsync(0);
        await AppFixture.ScreenshotAsync(page, nameof(StepMode_LabSite_PausesAfterEachStepAndResumesOnNextStep) + "-paused");
        await next.ClickAsync();
        await Assertions.Expect(Step(page, "TCP connection")).ToHaveClassAsync(new Regex(@"\bdone\b"));
        await Assertions.Expect(Step(page, "TLS handshake")).ToHaveClassAsync(new Regex(@"\bwaiting\b"));
        await Assertions.Expect(ladder.Locator("g.arrow[data-label='SYN-ACK']")).ToBeVisibleAsync();
        await Assertions.Expect(ladder.Locator("g.arrow.tls")).ToHaveCountAsync(0);
        for (var i = 0; i < 10 && await page.Locator(".status p.ok").CountAsync() == 0; i++)
        {
            await next.Or(page.Locator(".status p.ok")).First.WaitForAsync();
            if (await next.IsVisibleAsync())
                await next.ClickAsync();
        }

        await WaitForEndAsync(page);
    }

    [Fact]
    public async Task StepDetails_OpenedAfterAStream_ShowEveryChunkAndCloseAgain()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.TraceLabSiteAsync(page, "A slowly streamed body");
        var response = Step(page, "HTTP response");
        var details = response.Locator("details.step-details");
        // Drawn only while open: a closed card carries its count, not its lines.
        await Assertions.Expect(details.Locator("summary")).ToContainTextAsync(new Regex(@"\(\d+ events\)"));
        await Assertions.Expect(details.Locator("p.detail")).ToHaveCountAsync(0);
        await details.Locator("summary").ClickAsync();
        await Assertions.Expect(details.Locator("p.detail", new() { HasTextRegex = new Regex(@"chunk \d+: 13 bytes") })).ToHaveCountAsync(8);
        // The status line on its own line, then the headers.
        await Assertions.Expect(details.Locator("pre.headers:not(.body-preview)")).ToContainTextAsync(new Regex(@"^HTTP/1\.1 200 OK\n[^\n]+\n", RegexOptions.Multiline));
        await Assertions.Expect(details.Locator("pre.headers:not(.body-preview)")).ToContainTextAsync("Transfer-Encoding: chunked");
        await AppFixture.ScreenshotAsync(page, nameof(StepDetails_OpenedAfterAStream_ShowEveryChunkAndCloseAgain));
        await details.Locator("summary").ClickAsync();
        await Assertions.Expect(details.Locator("p.detail")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task TrustedRoots_TextThatIsNoCertificate_RefusedWithTheReason()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.OpenOptionsAsync(page);
        var roots = page.GetByLabel("Also trust these CA certificates for this trace");
        await roots.FillAsync("not a certificate");
        try
        {
            await AppFixture.TraceLabSiteAsync(page, "A healthy HTTPS site");
        }
        finally
        {
            await roots.FillAsync("");
        }

        await Assertions.Expect(page.Locator(".status p.error")).ToContainTextAsync("'trustedRoots': the text holds no PEM certificate");
    }

    [Fact]
    public async Task PhoneLayout_TraceShown_NoHorizontalScroll()
    {
        var page = await app.SharedPageAsync();
        var wide = page.ViewportSize;
        await page.SetViewportSizeAsync(375, 812);
        try
        {
            await AppFixture.TraceLabSiteAsync(page, "A redirect chain");
            foreach (var details in await page.Locator("details.step-details").AllAsync())
                await details.Locator("summary").ClickAsync();
            await AppFixture.ScreenshotAsync(page, nameof(PhoneLayout_TraceShown_NoHorizontalScroll));
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"the page is {overflow} px wider than a 375 px phone");
        }
        finally
        {
            await page.SetViewportSizeAsync(wide!.Width, wide.Height);
        }
    }

    [Fact]
    public async Task TraceForm_KeyboardOnly_TracesTypedUrl()
    {
        var page = await app.SharedPageAsync();
        var url = await page.GetByRole(AriaRole.Button, new() { Name = "Plain HTTP" }).GetAttributeAsync("title");
        Assert.NotNull(url);
        var plain = (await page.EvaluateAsync<string>("() => fetch('/api/lab').then(r => r.json()).then(s => s.find(x => x.name === 'plain').url)"));
        await Assertions.Expect(page.Locator("p.mode")).ToContainTextAsync("Local mode");
        await page.GetByLabel("URL to trace").FocusAsync();
        // The shared page's field may hold an earlier trace's URL: select it all, as a keyboard user would, and type over it.
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync(plain);
        await AppFixture.TraceAsync(page, () => page.Keyboard.PressAsync("Enter"));
        await AppFixture.ScreenshotAsync(page, nameof(TraceForm_KeyboardOnly_TracesTypedUrl));
        await Assertions.Expect(Step(page, "TLS handshake")).ToContainTextAsync("not needed");
        await Assertions.Expect(Step(page, "HTTP response")).ToHaveClassAsync(new Regex(@"\bdone\b"));
    }

    [GeneratedRegex(@"^\d[\d,.]* ms$")]
    private static partial Regex DurationPattern();
}
