using FlowTrace.Testing;
using System.Net;
using System.Text;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Server.Tracing;
using FlowTrace.Tracer.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace FlowTrace.Server.Tests;

/// <summary>A server in public mode with small limits, so that each limit can be hit.</summary>
public class LimitedServerFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("flowtrace-traces-");

    protected virtual int TracesPerMinute => 1000;

    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The lab picks free ports and binds them a moment later; a connection made meanwhile by a test running beside
        // this one can take a port as its source port. Such a clash is retried with new ports, up to three times.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync();
                return;
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.Ordinal))
            {
                if (_app is not null)
                    await _app.DisposeAsync();
                _app = null;
            }
        }
    }

    private async Task StartAsync()
    {
        _app = FlowTraceServer.Build(
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Testing", "--FlowTrace:Mode=Public",
            $"--FlowTrace:TracesPerMinutePerClient={TracesPerMinute}", "--FlowTrace:MaxTracesPerConnection=2", "--FlowTrace:MaxHubMessageBytes=4096",
            .. ServerArguments.LabOnFreePorts,
            .. ServerArguments.StorageIn(_data.FullName),
        ]);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
        _data.Delete(recursive: true);
    }
}

/// <summary>The same server with a rate limit of six traces a minute.</summary>
public sealed class RateLimitedServerFixture : LimitedServerFixture
{
    protected override int TracesPerMinute => 6;
}

public sealed class RateLimitTests(RateLimitedServerFixture server) : IClassFixture<RateLimitedServerFixture>
{
    [Fact]
    public async Task Api_RateLimitPerClient_Returns429AfterTheLimit()
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await http.PostAsync("/api/traces", new StringContent("{\"url\": \"http://127.0.0.1:1/\"}", Encoding.UTF8, "application/json"));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                Assert.Contains("a minute", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Created, 6).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2)), statuses);
    }
}

public sealed class LimitsTests(LimitedServerFixture server) : IClassFixture<LimitedServerFixture>
{
    private Task<HubConnection> ConnectAsync() => ServerClient.ConnectAsync(server.BaseAddress);

    private Task<string> LabUrlAsync(string site) => ServerClient.LabUrlAsync(server.BaseAddress, site);

    [Fact]
    public async Task Hub_PublicMode_LabAllowedButOtherLoopbackRefused()
    {
        await using var connection = await ConnectAsync();
        var lab = await Collect(connection, new TraceRequestMessage { Url = await LabUrlAsync("www") }, "a");
        Assert.True(Assert.IsType<TraceSummary>(lab[^1].Details).Succeeded);
        var other = await Collect(connection, new TraceRequestMessage { Url = $"http://127.0.0.1:{server.BaseAddress.Port}/" }, "b");
        var summary = Assert.IsType<TraceSummary>(other[^1].Details);
        Assert.Equal("policy-refused", summary.Failure!.Code);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        Assert.Contains("\"mode\":\"public\"", await http.GetStringAsync("/api/info"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hub_ThirdConcurrentTraceOnOneConnection_RefusedClearly()
    {
        await using var connection = await ConnectAsync();
        var url = await LabUrlAsync("www");
        using var cancel = new CancellationTokenSource();
        var paused = new List<Task>();
        for (var i = 0; i < 2; i++)
        {
            var started = new TaskCompletionSource();
            var id = $"p{i}";
            paused.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var e in connection.StreamAsync<TraceEvent>("Trace", new TraceRequestMessage { Url = url, StepMode = true }, id, cancel.Token))
                        started.TrySetResult();
                }
                catch (OperationCanceledException)
                {
                }
            }));
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => Collect(connection, new TraceRequestMessage { Url = url }, "third"));
        Assert.Contains("At most 2 traces can run at once", error.Message, StringComparison.Ordinal);
        await cancel.CancelAsync();
        await Task.WhenAll(paused);
    }

    [Fact]
    public async Task Hub_OversizedMessage_IsRejected()
    {
        await using var connection = await ConnectAsync();
        var huge = new TraceRequestMessage { Url = "https://example.test/", Headers = new Dictionary<string, string> { ["X-Big"] = new string('a', 10_000) } };
        await Assert.ThrowsAnyAsync<Exception>(() => Collect(connection, huge, "big"));
    }

    [Theory]
    [InlineData(null, "http://127.0.0.1:5080", DestinationMode.Local)]
    [InlineData(null, "http://localhost:5080;http://[::1]:5080", DestinationMode.Local)]
    [InlineData(null, "http://0.0.0.0:8080", DestinationMode.Public)]
    [InlineData(null, "http://*:8080", DestinationMode.Public)]
    [InlineData(null, "http://127.0.0.1:5080;http://192.168.1.5:5080", DestinationMode.Public)]
    [InlineData(DestinationMode.Local, "http://0.0.0.0:8080", DestinationMode.Local)]
    public void DestinationModeSelector_ListeningAddresses_ChooseMode(DestinationMode? configured, string urls, DestinationMode expected) =>
        Assert.Equal(expected, DestinationModeSelector.Choose(configured, urls));

    private static async Task<List<TraceEvent>> Collect(HubConnection connection, TraceRequestMessage request, string id)
    {
        var events = new List<TraceEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var e in connection.StreamAsync<TraceEvent>("Trace", request, id, timeout.Token))
            events.Add(e);
        return events;
    }
}
