using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

[Collection(AppCollection.Name)]
public sealed class SniPageTests(AppFixture app)
{
    [Fact]
    public async Task SniPage_LabServer_NamesFromCertificateThenLiveTableWithDefaultAndMismatch()
    {
        // On the shared page, reached through the app's own links as a user would (a page load of its own costs ten
        // CPU-seconds), and back to the trace page at the end.
        var page = await app.SharedPageAsync();
        try
        {
            await CompareAndReopenAsync(page);
        }
        finally
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Trace a URL" }).ClickAsync();
        }
    }

    private static async Task CompareAndReopenAsync(IPage page)
    {
        var www = await page.EvaluateAsync<string>("() => fetch('/api/lab').then(r => r.json()).then(s => s.find(x => x.name === 'www').url)");
        var target = new Uri(www).Authority;
        await page.GetByRole(AriaRole.Link, new() { Name = "SNI comparison" }).ClickAsync();
        await page.GetByLabel("Server (host or IP, with :port)").FillAsync(target);
        await page.GetByRole(AriaRole.Button, new() { Name = "Get names from its certificate" }).ClickAsync();
        var names = page.GetByLabel("Names to send as SNI (one per line, at most 32)");
        await Assertions.Expect(names).ToHaveValueAsync(new Regex("alias\\.lab\\.test"));
        await names.FillAsync((await names.InputValueAsync()) + "\nunknown.lab.test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        await page.Locator(".status p.ok").WaitForAsync();
        await AppFixture.ScreenshotAsync(page, nameof(SniPage_LabServer_NamesFromCertificateThenLiveTableWithDefaultAndMismatch));

        var table = page.GetByRole(AriaRole.Table, new() { Name = "Certificate per name" });
        await Assertions.Expect(table.Locator("tr.default")).ToContainTextAsync("default.lab.test");
        var unknown = table.Locator("tr[data-name='unknown.lab.test']");
        await Assertions.Expect(unknown).ToHaveClassAsync("mismatch");
        await Assertions.Expect(unknown).ToContainTextAsync("falls through to the default");
        await Assertions.Expect(table.Locator("tr[data-name='www.lab.test']")).ToContainTextAsync("covers the name");
        await Assertions.Expect(page.GetByText("What SNI is", new() { Exact = false }).Or(page.GetByRole(AriaRole.Heading, new() { Name = "Which certificate does a server hand out for which name?" }))).ToBeVisibleAsync();

        // Kept: its permalink opens the same table, read back from storage.
        var permalink = page.Locator("section.stored a.permalink");
        await Assertions.Expect(permalink).ToHaveTextAsync(new Regex(@"^/sni/[A-Za-z0-9_-]{22}$"));
        var path = (await permalink.TextContentAsync())!;
        await page.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
        await page.Locator($"a[href='{path.TrimStart('/')}']").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "$"));
        await Assertions.Expect(table.Locator("tr[data-name='unknown.lab.test']")).ToHaveClassAsync("mismatch");
        await Assertions.Expect(page.GetByLabel("Server (host or IP, with :port)")).ToHaveValueAsync(target);
    }
}
