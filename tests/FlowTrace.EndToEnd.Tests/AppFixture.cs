using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>
/// The built server run as its own process (lab on free ports) and Debian's Chromium driven by Playwright,
/// both started once for the collection.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private ServerProcess? _server;
    private IPlaywright? _playwright;
    private IPage? _shared;
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("flowtrace-traces-");

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public static string RepositoryRoot { get; } = FindRoot();

    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(RepositoryRoot, "artifacts", "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: the browser tests drive Debian's Chromium. Run .ci/run, which installs it (apt-get install chromium).");
        _server = await ServerProcess.StartAsync([.. ServerArguments.LabOnFreePorts, .. ServerArguments.StorageIn(_data.FullName)]);
        BaseAddress = _server.BaseAddress;

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
        _data.Delete(recursive: true);
    }

    /// <summary>A fresh page on the app, sized as asked, with the app loaded and its lab sites listed.</summary>
    public Task<IPage> OpenAsync(int width = 1280, int height = 1000) =>
        OpenAtAsync("", page => page.GetByRole(AriaRole.Button, new() { Name = "A healthy HTTPS site" }), width, height);

    /// <summary>A fresh page (a browser of its own: its own context, which the test closes with <c>page.Context.CloseAsync()</c>)
    /// on <paramref name="path"/> of this fixture's server (or <paramref name="server"/>), once <paramref name="ready"/> shows.</summary>
    public async Task<IPage> OpenAtAsync(string path, Func<IPage, ILocator> ready, int width = 1280, int height = 1000, Uri? server = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var console = new List<string>();
        page.Console += (_, message) => { lock (console) console.Add($"{message.Type}: {message.Text}"); };
        page.PageError += (_, error) => { lock (console) console.Add($"page error: {error}"); };
        await page.GotoAsync(new Uri(server ?? BaseAddress, path).ToString());
        try
        {
            await ready(page).WaitForAsync();
        }
        catch (TimeoutException e)
        {
            lock (console)
                throw new InvalidOperationException($"The app did not load. Browser console:\n{string.Join("\n", console)}", e);
        }

        return page;
    }

    /// <summary>
    /// One page of the app, loaded once and shared by the tests that trace a lab site and read what it shows: loading the
    /// app costs Chromium about ten CPU-seconds, most of these tests' time. Each trace draws its step cards afresh (they
    /// are keyed by the trace's own steps), so what one test opened does not carry into the next, and the collection runs
    /// its tests one at a time. Tests that change the form's options, or need a page that has traced nothing, open their own.
    /// </summary>
    public async Task<IPage> SharedPageAsync() => _shared ??= await OpenAsync();

    /// <summary>Clicks a lab site's button and waits until the status line shows that trace's end (not an earlier one's).</summary>
    public static Task TraceLabSiteAsync(IPage page, string site) =>
        TraceAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = site }).ClickAsync());

    /// <summary>Starts a trace as <paramref name="start"/> does and waits until the status line shows its end, not an
    /// earlier trace's: the status line counts the traces the page has started.</summary>
    public static async Task TraceAsync(IPage page, Func<Task> start)
    {
        var before = int.Parse(await page.Locator("section.status").GetAttributeAsync("data-traces") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        await start();
        await page.Locator($"section.status[data-traces='{before + 1}'] :is(p.ok, p.error)").WaitForAsync(new() { Timeout = 30_000 });
    }

    /// <summary>Opens the form's options unless they are open already (a shared page may have left them open).</summary>
    public static async Task OpenOptionsAsync(IPage page)
    {
        var options = page.Locator("details.options");
        if (await options.GetAttributeAsync("open") is null)
            await options.Locator("> summary").ClickAsync();
    }

    /// <summary>The events of the trace the page just ran, as the server kept them.</summary>
    public static async Task<List<System.Text.Json.JsonElement>> KeptEventsAsync(IPage page)
    {
        var permalink = page.Locator("section.stored a.permalink");
        await Assertions.Expect(permalink).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^/t/[A-Za-z0-9_-]{22}$"));
        var id = (await permalink.TextContentAsync())![3..];
        var json = await page.EvaluateAsync<string>("id => fetch('/api/traces/' + id).then(r => r.text())", id);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return [.. document.RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>The details of the kept events whose details are of JSON type <paramref name="type"/> (e.g. tlsRecord).</summary>
    public static IEnumerable<System.Text.Json.JsonElement> DetailsOfType(IEnumerable<System.Text.Json.JsonElement> events, string type) =>
        events.Select(e => e.GetProperty("details"))
            .Where(d => d.ValueKind == System.Text.Json.JsonValueKind.Object && d.GetProperty("type").GetString() == type);

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FlowTrace.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("FlowTrace.sln not found above the test assembly.");
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}
