using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Playwright;

namespace FlowTrace.Bench.Suites;

/// <summary>
/// Bytes the browser downloads for the first page and the time until it is usable, for a Release build of FlowTrace and,
/// built and served the same way in the same run, the empty Blazor WebAssembly app of the SDK's template.
/// </summary>
public static class FirstLoadSuite
{
    public static async Task<SuiteResult> RunAsync(string workDirectory, string repositoryRoot, int loads)
    {
        var appOut = Path.Combine(workDirectory, "flowtrace-release");
        var emptyProject = Path.Combine(workDirectory, "EmptyBlazor");
        var emptyOut = Path.Combine(workDirectory, "empty-release");
        await RunOrThrowAsync("dotnet", ["publish", Path.Combine(repositoryRoot, "src", "Server"), "-c", "Release", "-o", appOut, "--nologo"]);
        if (!Directory.Exists(emptyProject))
            await RunOrThrowAsync("dotnet", ["new", "blazorwasm", "-o", emptyProject, "--no-restore", "-n", "EmptyBlazor"]);
        await RunOrThrowAsync("dotnet", ["publish", emptyProject, "-c", "Release", "-o", emptyOut, "--nologo"]);

        var port = ExternalProcess.FreePort();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = appOut };
        foreach (var arg in (string[])[Path.Combine(appOut, "FlowTrace.Server.dll"), "--urls", $"http://127.0.0.1:{port}", .. ServerArguments.LabOnFreePorts])
            info.ArgumentList.Add(arg);
        var app = new StartedProcess(info);
        await using var empty = await ServeStaticAsync(Path.Combine(emptyOut, "wwwroot"));
        try
        {
            await ExternalProcess.WaitForTcpAsync(port, app, "FlowTrace (Release)");
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            var ours = new List<(long Bytes, double Ms)>();
            var template = new List<(long Bytes, double Ms)>();
            for (var i = 0; i < loads; i++)
            {
                ours.Add(await LoadAsync(browser, $"http://127.0.0.1:{port}/", page => page.GetByRole(AriaRole.Button, new() { Name = "A healthy HTTPS site" })));
                template.Add(await LoadAsync(browser, empty.Urls.First() + "/", page => page.GetByRole(AriaRole.Heading, new() { Name = "Hello, world!" })));
            }

            var bytes = Stats.Median(ours.Select(o => (double)o.Bytes));
            var refBytes = Stats.Median(template.Select(t => (double)t.Bytes));
            var ms = Stats.Median(ours.Select(o => o.Ms));
            var refMs = Stats.Median(template.Select(t => t.Ms));
            return new SuiteResult("first-load", $"{loads} cold loads of each, fresh browser context each time",
            [
                new Figure("bytes downloaded (as transferred)", bytes / 1024, "KiB", refBytes / 1024, bytes / refBytes, "≤ 1.3× empty template", bytes <= 1.3 * refBytes),
                new Figure("time until ready", ms, "ms", refMs, ms / refMs, "context", null),
            ],
            [
                "Ready: FlowTrace's lab-site buttons are shown (the page can trace); the template's 'Hello, world!' heading is shown.",
                "Both are `dotnet publish -c Release` outputs; FlowTrace is served by its own server, the template by the same static-file middleware.",
            ]);
        }
        finally
        {
            app.Dispose();
        }
    }

    private static async Task<(long Bytes, double Ms)> LoadAsync(IBrowser browser, string url, Func<IPage, ILocator> ready)
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var responses = new List<IResponse>();
        page.Response += (_, response) => { lock (responses) responses.Add(response); };
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(url);
        await ready(page).WaitForAsync(new() { Timeout = 60_000 });
        var ms = clock.Elapsed.TotalMilliseconds;
        long bytes = 0;
        List<IResponse> all;
        lock (responses)
            all = [.. responses];
        foreach (var response in all)
        {
            var sizes = await response.Request.SizesAsync();
            bytes += sizes.ResponseBodySize + sizes.ResponseHeadersSize;
        }

        return (bytes, ms);
    }

    private static async Task<WebApplication> ServeStaticAsync(string root)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { WebRootPath = root });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var web = builder.Build();
        web.UseBlazorFrameworkFiles();
        web.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root) });
        web.MapFallbackToFile("index.html", new StaticFileOptions { FileProvider = new PhysicalFileProvider(root) });
        await web.StartAsync();
        return web;
    }

    private static async Task RunOrThrowAsync(string tool, string[] args)
    {
        var (code, output, error) = await ExternalProcess.RunAsync(tool, args, timeoutSeconds: 600);
        if (code != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {output}{error}");
    }
}
