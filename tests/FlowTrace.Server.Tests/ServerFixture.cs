using FlowTrace.Testing;
using System.Threading.Channels;
using FlowTrace.Contracts.Events;
using FlowTrace.Server;
using FlowTrace.Tracer.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace FlowTrace.Server.Tests;

/// <summary>The real server on a free loopback port, with its lab on free ports, once per collection.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("flowtrace-traces-");

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every trace the hub or API runs, with how its enumeration ended.</summary>
    public Channel<string> TraceEndings { get; } = Channel.CreateUnbounded<string>();

    /// <summary>Per traced URL, when (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>) the tracer produced its
    /// last completed step, by step: the server's side of "was this event sent before that one was even made?".</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<(string Url, TraceStep Step), long> StepProduced { get; } = new();

    public async Task InitializeAsync()
    {
        _app = FlowTraceServer.Build(
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Testing",
            .. ServerArguments.LabOnFreePorts,
            .. ServerArguments.StorageIn(_data.FullName),
            // Every test here comes from one address; the rate limit has its own tests (RateLimitTests).
            "--FlowTrace:TracesPerMinutePerClient=1000",
        ], services => services.AddSingleton<ITracer>(_ => new RecordingTracer(new FlowTracer(), TraceEndings.Writer, StepProduced)));
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _data.Delete(recursive: true);
    }

    public HttpClient Http() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public Task<HubConnection> ConnectAsync() => ServerClient.ConnectAsync(BaseAddress);

    public Task<string> LabUrlAsync(string site) => ServerClient.LabUrlAsync(BaseAddress, site);

    /// <summary>Decorates the tracer to observe, from the server side, when and how each trace's stream ended.</summary>
    private sealed class RecordingTracer(ITracer inner, ChannelWriter<string> endings, System.Collections.Concurrent.ConcurrentDictionary<(string Url, TraceStep Step), long> produced) : ITracer
    {
        public async IAsyncEnumerable<TraceEvent> TraceAsync(TraceRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var completed = false;
            try
            {
                await foreach (var e in inner.TraceAsync(request, cancellationToken))
                {
                    completed |= e.Details is TraceSummary;
                    if (e.Kind == TraceEventKind.Completed)
                        produced[(request.Url, e.Step)] = System.Diagnostics.Stopwatch.GetTimestamp();
                    yield return e;
                }
            }
            finally
            {
                endings.TryWrite($"{request.Url} {(cancellationToken.IsCancellationRequested ? "cancelled" : completed ? "completed" : "stopped")}");
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
