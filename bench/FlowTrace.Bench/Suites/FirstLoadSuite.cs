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
    /// <param name="workDirectory">Where the builds go.</param>
    /// <param name="repositoryRoot">The repository, whose app is published.</param>
    /// <param name="loads">Cold loads of each page.</param>
    /// <param name="smoke">CI's size: FlowTrace is the build the benchmark itself was built with, served as in
    /// development (its bytes are then not a Release build's, so the goal is not judged), and the template is not built:
    /// its Release publish is most of the suite's time and only a full run judges against it.</param>
    public static async Task<SuiteResult> RunAsync(string workDirectory, string repositoryRoot, int loads, bool smoke = false)
    {
        var emptyProject = Path.Combine(workDirectory, "EmptyBlazor");
        var emptyOut = Path.Combine(workDirectory, "empty-release");
        var appDll = Path.Combine(workDirectory, "flowtrace-release", "FlowTrace.Server.dll");
        if (!smoke)
            await BenchBuild.DotnetAsync(["publish", Path.Combine(repositoryRoot, "src", "Server"), "-c", "Release", "-o", Path.GetDirectoryName(appDll)!, "--nologo"], timeoutSeconds: 600);
        if (!smoke)
        {
            if (!Directory.Exists(emptyProject))
                await BenchBuild.DotnetAsync(["new", "blazorwasm", "-o", emptyProject, "--no-restore", "-n", "EmptyBlazor"], timeoutSeconds: 600);
            await BenchBuild.DotnetAsync(["publish", emptyProject, "-c", "Release", "-o", emptyOut, "--nologo"], timeoutSeconds: 600);
        }

        // At smoke size the page comes from this build served in this process (as the pixel suite serves it): a process
        // of its own would cost seconds of CPU to start, and the smoke run judges nothing.
        await using var inProcess = smoke ? await BenchServer.StartAsync(servePage: true) : null;
        var port = inProcess?.BaseAddress.Port ?? ExternalProcess.FreePort();
        var app = inProcess is null ? StartPublished(appDll, port, workDirectory) : null;
        await using var empty = smoke ? null : await ServeStaticAsync(Path.Combine(emptyOut, "wwwroot"));
        try
        {
            if (app is not null)
                await ExternalProcess.WaitForTcpAsync(port, app, "FlowTrace (Release)");
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await BenchBrowser.LaunchAsync(playwright);
            var ours = new List<(long Bytes, double Ms)>();
            var template = new List<(long Bytes, double Ms)>();
            for (var i = 0; i < loads; i++)
            {
                ours.Add(await LoadAsync(browser, $"http://127.0.0.1:{port}/", page => page.GetByRole(AriaRole.Button, new() { Name = "A healthy HTTPS site" })));
                if (empty is not null)
                    template.Add(await LoadAsync(browser, empty.Urls.First() + "/", page => page.GetByRole(AriaRole.Heading, new() { Name = "Hello, world!" })));
            }

            var bytes = Stats.Median(ours.Select(o => (double)o.Bytes));
            double? refBytes = empty is null ? null : Stats.Median(template.Select(t => (double)t.Bytes));
            var ms = Stats.Median(ours.Select(o => o.Ms));
            double? refMs = empty is null ? null : Stats.Median(template.Select(t => t.Ms));
            return new SuiteResult("first-load", $"{loads} cold loads of each, fresh browser context each time",
            [
                new Figure("bytes downloaded (as transferred)", bytes / 1024, "KiB", refBytes / 1024, bytes / refBytes,
                    smoke ? "judged in full runs (a Debug build here)" : "≤ 1.3× empty template", smoke ? null : bytes <= 1.3 * refBytes),
                new Figure("time until ready", ms, "ms", refMs, ms / refMs, "context", null),
            ],
            [
                "Ready: FlowTrace's lab-site buttons are shown (the page can trace); the template's 'Hello, world!' heading is shown.",
                !smoke
                    ? "Both are `dotnet publish -c Release` outputs; FlowTrace is served by its own server, the template by the same static-file middleware."
                    : "Smoke size: FlowTrace is the Debug build the tests built, served in the benchmark's process as in development; the template is not built, so there is no reference.",
            ]);
        }
        finally
        {
            app?.Dispose();
        }
    }

    private static StartedProcess StartPublished(string appDll, int port, string workDirectory)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(appDll)! };
        foreach (var arg in (string[])[appDll, "--urls", $"http://127.0.0.1:{port}", .. ServerArguments.LabOnFreePorts, .. ServerArguments.StorageIn(Path.Combine(workDirectory, "traces"))])
            info.ArgumentList.Add(arg);
        return new StartedProcess(info);
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
}
