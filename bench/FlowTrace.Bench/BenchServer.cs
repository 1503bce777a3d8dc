using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using FlowTrace.Contracts.Events;
using FlowTrace.Server;
using FlowTrace.Tracer.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace FlowTrace.Bench;

/// <summary>
/// The real server in this process (lab on free ports, limits opened up for load), with a recorder of when each event
/// left the tracer and a bare echo hub as the reference. Client and server share one clock, so latency is exact.
/// </summary>
public sealed class BenchServer : IAsyncDisposable
{
    public const string BenchHeader = "X-Bench-Id";
    private readonly WebApplication _app;

    private BenchServer(WebApplication app, YieldTimes times)
    {
        _app = app;
        Times = times;
    }

    public YieldTimes Times { get; }

    public Uri BaseAddress => new(_app.Urls.First());

    public static async Task<BenchServer> StartAsync()
    {
        var times = new YieldTimes();
        var app = FlowTraceServer.Build(
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Production",
            "--FlowTrace:TracesPerMinutePerClient=10000000", "--FlowTrace:MaxConcurrentTraces=100000", "--FlowTrace:MaxTracesPerConnection=3",
            "--Logging:LogLevel:Default=Warning",
            "--FlowTrace:Lab:DnsPort=0", "--FlowTrace:Lab:HttpsPort=0", "--FlowTrace:Lab:Tls12Port=0", "--FlowTrace:Lab:HttpPort=0",
            "--FlowTrace:Lab:Http10Port=0", "--FlowTrace:Lab:ClosedPort=0", "--FlowTrace:Lab:HostileHttpPort=0", "--FlowTrace:Lab:HostileTlsPort=0",
        ], services =>
        {
            services.AddSingleton(times);
            services.AddSingleton<ITracer>(sp => new RecordingTracer(new FlowTracer(sp.GetRequiredService<TracerOptions>()), times));
        });
        app.MapHub<EchoHub>("/hubs/echo");
        await app.StartAsync();
        return new BenchServer(app, times);
    }

    public async Task<HubConnection> ConnectAsync(string path = "/hubs/trace")
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(BaseAddress, path))
            .AddJsonProtocol(o => TraceJson.Configure(o.PayloadSerializerOptions)).Build();
        await connection.StartAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>When each event (or echo message) was handed to SignalR, by run id and sequence.</summary>
    public sealed class YieldTimes
    {
        private readonly ConcurrentDictionary<(string Run, int Sequence), long> _times = new();

        public void Record(string run, int sequence) => _times[(run, sequence)] = Stopwatch.GetTimestamp();

        public long? Get(string run, int sequence) => _times.TryGetValue((run, sequence), out var t) ? t : null;
    }

    private sealed class RecordingTracer(ITracer inner, YieldTimes times) : ITracer
    {
        public async IAsyncEnumerable<TraceEvent> TraceAsync(TraceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var run = request.Headers.FirstOrDefault(h => h.Key == BenchHeader).Value;
            await foreach (var e in inner.TraceAsync(request, cancellationToken))
            {
                if (run is not null)
                    times.Record(run, e.Sequence);
                yield return e;
            }
        }
    }
}

/// <summary>The reference: a hub that streams messages of a given size and does nothing else.</summary>
public sealed class EchoHub(BenchServer.YieldTimes times) : Hub
{
    public async IAsyncEnumerable<string> Stream(string run, int count, int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var payload = new string('x', size);
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Delay(1, cancellationToken);
            times.Record(run, i);
            yield return payload;
        }
    }
}
