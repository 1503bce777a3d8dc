using FlowTrace.Bench.Live;
using FlowTrace.Contracts.Events;
using FlowTrace.Server;
using FlowTrace.Testing;
using FlowTrace.Tracer.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace FlowTrace.Bench;

/// <summary>
/// The real server in this process (lab on free ports, limits opened up for load), with a log of when each event
/// left the tracer, a bare echo hub as the reference, and hub protocols on both ends that stamp each stream item.
/// Client and server share one clock, so latency is exact.
/// </summary>
public sealed class BenchServer : IAsyncDisposable
{
    /// <summary>Request header naming a run, so that its events are logged.</summary>
    public const string BenchHeader = "X-Bench-Id";
    private readonly WebApplication _app;

    private readonly bool _stampItems;
    private readonly DirectoryInfo _data;

    private BenchServer(WebApplication app, HandOverLog times, bool stampItems, DirectoryInfo data)
    {
        _app = app;
        _data = data;
        _stampItems = stampItems;
        Times = times;
    }

    /// <summary>Hand-over, serialisation and parse stamps of every logged stream item.</summary>
    public HandOverLog Times { get; }

    public Uri BaseAddress => new(_app.Urls.First());

    /// <summary>The server's services (the room suite's reference broadcasts through the bare hub's context).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the server. <paramref name="stampItems"/> adds the stamping hub protocols and keeps every logged trace's
    /// events for replay: what the live suite's cause analysis needs, and a cost under load the other suites must not pay.
    /// </summary>
    /// <param name="stampItems">Add the stamping hub protocols and keep every logged trace (the live suite).</param>
    /// <param name="servePage">Serve the Blazor page from this build's output (the pixel suite), as <c>dotnet run</c>
    /// does: the Development environment reads the server's static web assets manifest.</param>
    /// <param name="keepTraces">Keep every logged trace's events (the room suite replays them to its reference).</param>
    /// <param name="arguments">More configuration (the room suite's Redis).</param>
    public static async Task<BenchServer> StartAsync(bool stampItems = false, bool servePage = false, bool keepTraces = false, IReadOnlyList<string>? arguments = null)
    {
        var times = new HandOverLog(keepTraces: stampItems || servePage || keepTraces);
        // Traces are stored as the app stores them (its cost is part of what is measured), in a directory of the run's own.
        var data = Directory.CreateTempSubdirectory("flowtrace-bench-traces-");
        var app = FlowTraceServer.Build(
        [
            "--urls", "http://127.0.0.1:0", "--environment", servePage ? "Development" : "Production",
            "--applicationName", servePage ? "FlowTrace.Server" : "FlowTrace.Bench",
            "--FlowTrace:TracesPerMinutePerClient=10000000", "--FlowTrace:MaxConcurrentTraces=100000", "--FlowTrace:MaxTracesPerConnection=3",
            "--Logging:LogLevel:Default=Warning",
            .. ServerArguments.LabOnFreePorts,
            .. ServerArguments.StorageIn(data.FullName),
            .. arguments ?? [],
        ], services =>
        {
            services.AddSingleton(times);
            services.AddSingleton<ITracer>(sp => new RecordingTracer(new FlowTracer(sp.GetRequiredService<TracerOptions>()), times));
            // Registered after the app's JSON protocol, so it replaces it under the same name.
            if (stampItems)
                services.AddSingleton<IHubProtocol>(new StampingProtocol(StampingProtocol.Json(), times.Serialised));
        });
        if (servePage)
            MapBarePage(app);
        app.MapHub<EchoHub>(EchoHub.Path);
        app.MapHub<BatchedTraceHub>(BatchedTraceHub.Path);
        app.MapHub<BareGroupHub>(BareGroupHub.Path);
        await app.StartAsync();
        return new BenchServer(app, times, stampItems, data);
    }

    /// <summary>The pixel suite's reference page under /bare/: plain JavaScript on the JavaScript SignalR client (from
    /// npm, installed by .ci/run), against the app's own hub.</summary>
    private static void MapBarePage(WebApplication app)
    {
        var folder = Path.Combine(BenchRunner.FindRoot(), "bench", "FlowTrace.Bench", "BarePage");
        var client = Path.Combine(folder, "node_modules", "@microsoft", "signalr", "dist", "browser", "signalr.min.js");
        if (!File.Exists(client))
            throw new InvalidOperationException($"The bare page needs the JavaScript SignalR client: run `npm ci --prefix {folder}` (.ci/run does).");
        app.MapGet("/bare/", () => Results.File(Path.Combine(folder, "index.html"), "text/html; charset=utf-8"));
        app.MapGet("/bare/bare.js", () => Results.File(Path.Combine(folder, "bare.js"), "text/javascript"));
        app.MapGet("/bare/signalr.min.js", () => Results.File(client, "text/javascript"));
    }

    /// <summary>A .NET SignalR client on <paramref name="path"/>, with the app's JSON options and parse stamps.</summary>
    public async Task<HubConnection> ConnectAsync(string path = "/hubs/trace")
    {
        return await ServerClient.ConnectAsync(BaseAddress, path, builder =>
        {
            if (_stampItems)
                builder.Services.AddSingleton<IHubProtocol>(new StampingProtocol(StampingProtocol.Json(), Times.Parsed));
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _data.Delete(recursive: true);
    }
}
