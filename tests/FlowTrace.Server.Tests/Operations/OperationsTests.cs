using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Diagnostics.Metrics;
using FlowTrace.Server.Operations;
using FlowTrace.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FlowTrace.Server.Tests.Operations;

/// <summary>A server of the operations tests' own (the shared fixture records its traces through a tracer of its own,
/// which the metrics do not see), started once for the class.</summary>
public sealed class OperationsServer : IAsyncLifetime
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("flowtrace-operations-");

    public WebApplication App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = FlowTraceServer.Build(
            ["--urls", "http://127.0.0.1:0", "--environment", "Testing", .. ServerArguments.LabOnFreePorts, .. ServerArguments.StorageIn(_data.FullName)]);
        await App.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(App.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _data.Delete(recursive: true);
    }
}

/// <summary>What whoever runs the server reads: <c>/healthz</c> and <c>/metrics</c>. Each test reads only the
/// measurements made while it listens, so they share one server.</summary>
public sealed class OperationsTests(OperationsServer server) : IClassFixture<OperationsServer>
{
    [Fact]
    public async Task Healthz_SqliteStore_HealthyWithTheStorageCheck()
    {
        using var response = await server.Http.GetAsync(OperationsSetup.HealthPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var storage = Assert.Single(body.RootElement.GetProperty("checks").EnumerateArray());
        Assert.Equal("storage", storage.GetProperty("name").GetString());
        Assert.Contains("SQLite", storage.GetProperty("description").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Healthz_StoreUnreachable_UnhealthyWith503AndTheReason()
    {
        await using var app = FlowTraceServer.Build(
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Testing", .. ServerArguments.LabOnFreePorts,
            // A PostgreSQL server that is not there: the server still starts (storage is retried per trace), unhealthy.
            "--ConnectionStrings:Traces=Host=127.0.0.1;Port=9;Username=x;Password=x;Timeout=2",
        ]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var response = await http.GetAsync(OperationsSetup.HealthPath);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("status").GetString());
        Assert.Contains("PostgreSQL", body.RootElement.GetProperty("checks")[0].GetProperty("description").GetString(), StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task Metrics_TracesCompletedAndFailed_CountedByOutcomeAndFailureCode()
    {
        // Meters are process-wide and other servers of this test run share the process: read this server's own.
        using var measured = new ScopedMeasurements(server.App.Services.GetRequiredService<IMeterFactory>());
        await TraceAsync("www");
        await TraceAsync("refused");
        Assert.Equal(2, measured.Sum("flowtrace.traces.started"));
        Assert.Equal(1, measured.Sum("flowtrace.traces.completed"));
        Assert.Equal(1, measured.Sum("flowtrace.traces.failed", ("failure.code", "tcp-refused")));
        Assert.Equal(0, measured.Sum("flowtrace.traces.cancelled"));
        // Scraped in Prometheus' format, ASP.NET Core's own instruments beside FlowTrace's.
        var text = await server.Http.GetStringAsync(OperationsSetup.MetricsPath);
        Assert.Contains("flowtrace_traces_started_total", text, StringComparison.Ordinal);
        Assert.Contains("flowtrace_traces_failed_total{", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ServersOwnWarmUp_NotCounted()
    {
        using var measured = new ScopedMeasurements(server.App.Services.GetRequiredService<IMeterFactory>());
        // What the server sends its own API at start (TracerUpkeep), marked with its warm-up key.
        var key = server.App.Services.GetRequiredService<FlowTrace.Server.Tracing.WarmUpKey>();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/traces")
        {
            Content = new StringContent($$"""{"url": "{{await ServerClient.LabUrlAsync(server.Http.BaseAddress!, "www")}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(FlowTrace.Server.Tracing.WarmUpKey.Header, key.Value);
        using var response = await server.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(0, measured.Sum("flowtrace.traces.started"));
        await TraceAsync("www");
        Assert.Equal(1, measured.Sum("flowtrace.traces.started"));
    }

    [Fact]
    public async Task Metrics_Rooms_OpenRoomsCounted()
    {
        using var measured = new ScopedMeasurements(server.App.Services.GetRequiredService<IMeterFactory>());
        var before = measured.Observe("flowtrace.rooms.open");
        using var created = await server.Http.PostAsJsonAsync("/api/rooms", new { title = "metrics" });
        created.EnsureSuccessStatusCode();
        Assert.Equal(before + 1, measured.Observe("flowtrace.rooms.open"));
        Assert.Equal(0, measured.Observe("flowtrace.rooms.attendees"));
    }

    [Theory]
    [InlineData("127.0.0.1", false, true)]
    [InlineData("::1", false, true)]
    [InlineData("::ffff:127.0.0.1", false, true)]
    [InlineData("192.0.2.7", false, false)]
    [InlineData("2001:db8::7", false, false)]
    [InlineData("192.0.2.7", true, true)]
    public void MayReadMetrics_ClientAddress_OnlyLoopbackUnlessAllowed(string client, bool anyAddress, bool allowed) =>
        Assert.Equal(allowed, OperationsSetup.MayReadMetrics(IPAddress.Parse(client), anyAddress));

    private async Task TraceAsync(string site)
    {
        var url = await ServerClient.LabUrlAsync(server.Http.BaseAddress!, site);
        using var response = await server.Http.PostAsync("/api/traces", new StringContent($$"""{"url": "{{url}}"}""", Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

}
