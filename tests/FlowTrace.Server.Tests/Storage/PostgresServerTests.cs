using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Storage;
using FlowTrace.Testing;
using Microsoft.AspNetCore.Builder;

namespace FlowTrace.Server.Tests.Storage;

/// <summary>The server on a real PostgreSQL (ConnectionStrings:Traces), and on one that is not there.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresFixture postgres)
{
    private static async Task<WebApplication> StartAsync(string connectionString, string data)
    {
        var app = FlowTraceServer.Build(
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Testing", $"--ConnectionStrings:Traces={connectionString}",
            .. ServerArguments.LabOnFreePorts, .. ServerArguments.StorageIn(data),
        ]);
        await app.StartAsync();
        return app;
    }

    private static async Task<HttpResponseMessage> TraceAsync(HttpClient http, Uri baseAddress)
    {
        var url = await ServerClient.LabUrlAsync(baseAddress, "www");
        return await http.PostAsync("/api/traces", new StringContent($$"""{"url": "{{url}}"}""", Encoding.UTF8, "application/json"));
    }

    [Fact]
    public async Task ConnectionString_Given_TwoInstancesShareOneHistory()
    {
        var connectionString = await postgres.NewDatabaseAsync();
        var data = Directory.CreateTempSubdirectory("flowtrace-traces-");
        await using var first = await StartAsync(connectionString, data.FullName);
        await using var second = await StartAsync(connectionString, data.FullName);
        using var http = new HttpClient { BaseAddress = new Uri(first.Urls.First()) };
        using var posted = await TraceAsync(http, http.BaseAddress);
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var id = (await posted.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!.Id;
        using var other = new HttpClient { BaseAddress = new Uri(second.Urls.First()) };
        var stored = await other.GetFromJsonAsync<StoredTrace>($"/api/traces/{id}", TraceJson.Options);
        Assert.Equal(StoredTraceOutcome.Completed, stored!.Info.Outcome);
        // Nothing went to the SQLite file: the connection string chose PostgreSQL.
        Assert.False(File.Exists(Path.Combine(data.FullName, "traces.db")));
        await first.StopAsync();
        await second.StopAsync();
        data.Delete(recursive: true);
    }

    [Fact]
    public async Task DatabaseDown_TraceStillRuns_AndSaysItWasNotStored()
    {
        var data = Directory.CreateTempSubdirectory("flowtrace-traces-");
        // A port nothing listens on: the database is down from the start.
        await using var app = await StartAsync($"Host=127.0.0.1;Port={ExternalProcess.FreePort()};Username=postgres;Timeout=2", data.FullName);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var response = await TraceAsync(http, http.BaseAddress);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!;
        Assert.Null(result.Id);
        Assert.Contains("could not be stored", result.StorageError, StringComparison.Ordinal);
        Assert.True(Assert.IsType<TraceSummary>(result.Events[^1].Details).Succeeded);
        using var history = await http.GetAsync("/api/traces");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, history.StatusCode);
        Assert.Contains("The trace store is unavailable", await history.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await app.StopAsync();
        data.Delete(recursive: true);
    }
}
