using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Storage;
using FlowTrace.Server.Hubs;
using FlowTrace.Server.Storage;
using FlowTrace.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace FlowTrace.Server.Tests.Storage;

/// <summary>Traces kept by the running server (local mode, SQLite in the fixture's own directory).</summary>
[Collection(ServerCollection.Name)]
public sealed class StorageApiTests(ServerFixture server)
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<(TraceStoredResult Result, HttpResponseMessage Response)> PostAsync(HttpClient http, string site)
    {
        var url = await server.LabUrlAsync(site);
        var response = await http.PostAsync("/api/traces", Json($$"""{"url": "{{url}}"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ((await response.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!, response);
    }

    [Fact]
    public async Task PostTraces_LabSite_StoredAtItsLocationWithEveryEvent()
    {
        using var http = server.Http();
        var (result, response) = await PostAsync(http, "www");
        using (response)
        {
            Assert.True(TraceIds.IsWellFormed(result.Id), result.Id);
            Assert.Equal($"/api/traces/{result.Id}", response.Headers.Location?.ToString());
            Assert.Equal($"/t/{result.Id}", result.Permalink);
            Assert.Null(result.StorageError);
        }

        var stored = await http.GetFromJsonAsync<StoredTrace>($"/api/traces/{result.Id}", TraceJson.Options);
        Assert.NotNull(stored);
        Assert.Equal(result.Events.Select(TraceJson.Serialize), stored.Events.Select(TraceJson.Serialize));
        Assert.Equal((StoredTraceKind.Trace, StoredTraceOutcome.Completed, 200, "www.lab.test"), (stored.Info.Kind, stored.Info.Outcome, stored.Info.FinalStatus, stored.Info.Host));
        Assert.Equal(((TraceSummary)result.Events[^1].Details!).Total, stored.Info.Total);
        Assert.Equal(result.Events.Count, stored.Info.EventCount);
    }

    [Fact]
    public async Task PostTraces_FailingSite_ListedWithItsFailingStep()
    {
        using var http = server.Http();
        var (result, response) = await PostAsync(http, "refused");
        response.Dispose();
        var list = await http.GetFromJsonAsync<StoredTraceList>("/api/traces?failingStep=tcp&outcome=failed&pageSize=200", TraceJson.Options);
        var info = Assert.Single(list!.Items, i => i.Id == result.Id);
        Assert.Equal(TraceStep.Tcp, info.FailingStep);
        Assert.Null(info.FinalStatus);
    }

    [Theory]
    [InlineData("/api/traces/AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("/api/traces/not-an-id")]
    [InlineData("/api/traces/AAAAAAAAAAAAAAAAAAAAAA/ndjson")]
    public async Task GetTrace_UnknownId_404WithTheReason(string path)
    {
        using var http = server.Http();
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No stored trace", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?page=0")]
    [InlineData("?pageSize=1000")]
    [InlineData("?failingStep=nonsense")]
    [InlineData("?outcome=exploded")]
    public async Task ListTraces_BadQuery_400(string query)
    {
        using var http = server.Http();
        using var response = await http.GetAsync("/api/traces" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Import_ExportedNdjson_StoredAgainWithTheSameEvents()
    {
        using var http = server.Http();
        var (result, response) = await PostAsync(http, "redirect");
        response.Dispose();
        var ndjson = await http.GetStringAsync($"/api/traces/{result.Id}/ndjson");
        Assert.Equal(result.Events.Select(TraceJson.Serialize), ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var imported = await http.PostAsync("/api/traces/import", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var copy = (await imported.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!;
        Assert.NotEqual(result.Id, copy.Id);
        var stored = await http.GetFromJsonAsync<StoredTrace>(imported.Headers.Location!.ToString(), TraceJson.Options);
        Assert.Equal(ndjson, string.Concat(stored!.Events.Select(e => TraceJson.Serialize(e) + "\n")));
        Assert.Equal(StoredTraceOutcome.Completed, stored.Info.Outcome);
    }

    [Theory]
    [InlineData("", "holds no events")]
    [InlineData("not json\n", "Line 1 is not a FlowTrace event")]
    [InlineData("{\"sequence\":1,\"hop\":0,\"step\":\"dns\",\"kind\":\"started\",\"offset\":\"00:00:00\",\"message\":\"x\"}\n", "numbered from 0")]
    [InlineData("{\"sequence\":0,\"hop\":0,\"step\":\"dns\",\"kind\":\"started\",\"offset\":\"00:00:00\",\"message\":\"x\"}\n", "not the trace's start")]
    public async Task Import_BadInput_400AndNothingStored(string body, string expected)
    {
        using var http = server.Http();
        var before = (await http.GetFromJsonAsync<StoredTraceList>("/api/traces?pageSize=1", TraceJson.Options))!.Total;
        using var response = await http.PostAsync("/api/traces/import", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, (await http.GetFromJsonAsync<StoredTraceList>("/api/traces?pageSize=1", TraceJson.Options))!.Total);
    }

    [Fact]
    public async Task Import_LargerThanTheLimit_413()
    {
        using var http = server.Http();
        using var response = await http.PostAsync("/api/traces/import", new StringContent(new string('x', 9 * 1024 * 1024), Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task HubTrace_WhenItEnds_ToldWhereItIsKept()
    {
        await using var connection = await server.ConnectAsync();
        var told = new TaskCompletionSource<(string TraceId, string? Id, string? Error)>();
        connection.On<string, string?, string?, string?>(TraceHub.StoredMethod, (traceId, id, _, error) => told.TrySetResult((traceId, id, error)));
        var url = await server.LabUrlAsync("www");
        var events = new List<TraceEvent>();
        await foreach (var e in connection.StreamAsync<TraceEvent>("Trace", new FlowTrace.Contracts.Requests.TraceRequestMessage { Url = url }, "page-trace-1"))
            events.Add(e);
        // Sent before the stream completes; the client may run the handler a moment after the stream's end.
        var (traceId, id, error) = await told.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("page-trace-1", null), (traceId, error));
        using var http = server.Http();
        var stored = await http.GetFromJsonAsync<StoredTrace>($"/api/traces/{id}", TraceJson.Options);
        Assert.Equal(events.Select(TraceJson.Serialize), stored!.Events.Select(TraceJson.Serialize));
    }

    [Fact]
    public async Task Har_StoredTrace_ValidHar12AsADownload()
    {
        using var http = server.Http();
        var (result, response) = await PostAsync(http, "redirect");
        response.Dispose();
        using var har = await http.GetAsync($"/api/traces/{result.Id}/har");
        Assert.Equal(HttpStatusCode.OK, har.StatusCode);
        Assert.Equal("attachment", har.Content.Headers.ContentDisposition?.DispositionType);
        var text = await har.Content.ReadAsStringAsync();
        Assert.Empty(HarSchemaValidator.Errors(text));
        using var document = System.Text.Json.JsonDocument.Parse(text);
        Assert.Equal(3, document.RootElement.GetProperty("log").GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task Commands_StoredTrace_CurlAndOpensslForItsAddress()
    {
        using var http = server.Http();
        var (result, response) = await PostAsync(http, "www");
        response.Dispose();
        var commands = await http.GetFromJsonAsync<TraceCommands>($"/api/traces/{result.Id}/commands", TraceJson.Options);
        var remote = result.Events.Select(e => e.Details).OfType<TcpConnectedDetails>().First().Remote;
        Assert.StartsWith("curl --http1.1 --resolve www.lab.test:", commands!.Curl, StringComparison.Ordinal);
        Assert.Contains($"openssl s_client -connect {remote} -servername www.lab.test", commands.Openssl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HubSniComparison_WhenItEnds_KeptAsAnSniComparison()
    {
        await using var connection = await server.ConnectAsync();
        var told = new TaskCompletionSource<string?>();
        connection.On<string?, string?>(TraceHub.SniStoredMethod, (id, _) => told.TrySetResult(id));
        var target = new Uri(await server.LabUrlAsync("www")).Authority;
        var updates = new List<FlowTrace.Contracts.Sni.SniComparisonUpdate>();
        var request = new FlowTrace.Contracts.Sni.SniComparisonMessage { Target = target, Names = ["www.lab.test", "api.lab.test"], IncludeNoSni = true };
        await foreach (var update in connection.StreamAsync<FlowTrace.Contracts.Sni.SniComparisonUpdate>("CompareSni", request))
            updates.Add(update);
        var id = await told.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var http = server.Http();
        var stored = await http.GetFromJsonAsync<StoredTrace>($"/api/traces/{id}", TraceJson.Options);
        Assert.Equal((StoredTraceKind.Sni, StoredTraceOutcome.Completed), (stored!.Info.Kind, stored.Info.Outcome));
        Assert.Equal(target, stored.SniRequest!.Target);
        Assert.Equal(updates.Count, stored.SniUpdates.Count);
        Assert.Empty(stored.Events);
    }

    [Fact]
    public async Task PostTraces_CredentialsSent_ShownLiveButNotKept()
    {
        using var http = server.Http();
        var url = await server.LabUrlAsync("www");
        using var response = await http.PostAsync("/api/traces", Json($$$"""{"url": "{{{url}}}", "headers": {"Authorization": "Bearer s3cret", "Cookie": "session=abc", "X-Plain": "kept"}}"""));
        var result = (await response.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!;
        // The live answer is the caller's own: what was sent, as it was sent.
        Assert.Contains(result.Events.Select(e => e.Details).OfType<HttpRequestDetails>().Single().Headers, h => h.Value == "Bearer s3cret");
        var kept = await http.GetStringAsync($"/api/traces/{result.Id}");
        var ndjson = await http.GetStringAsync($"/api/traces/{result.Id}/ndjson");
        foreach (var text in new[] { kept, ndjson })
        {
            Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("session=abc", text, StringComparison.Ordinal);
            Assert.Contains("kept", text, StringComparison.Ordinal);
            Assert.Contains(FlowTrace.Server.Storage.Redaction.Placeholder, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HubTrace_ClosedMidway_KeptWholeAsCancelledWithWhatItGot()
    {
        await using var connection = await server.ConnectAsync();
        var url = await server.LabUrlAsync("slow");
        using var stop = new CancellationTokenSource();
        try
        {
            await foreach (var e in connection.StreamAsync<TraceEvent>("Trace", new FlowTrace.Contracts.Requests.TraceRequestMessage { Url = url }, "closed-midway", stop.Token))
            {
                // The slow site answers after a wait: stop once the request has gone out, as a closed tab would.
                if (e.Step == TraceStep.HttpRequest && e.Kind == TraceEventKind.Completed)
                    await stop.CancelAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }

        using var http = server.Http();
        StoredTraceInfo? kept = null;
        for (var wait = 0; wait < 50 && kept is null; wait++)
        {
            var list = await http.GetFromJsonAsync<StoredTraceList>("/api/traces?host=slow.lab.test&outcome=cancelled&pageSize=200", TraceJson.Options);
            kept = list!.Items.FirstOrDefault();
            if (kept is null)
                await Task.Delay(100);
        }

        Assert.NotNull(kept);
        var stored = await http.GetFromJsonAsync<StoredTrace>($"/api/traces/{kept.Id}", TraceJson.Options);
        // Whole: every event up to the close, in order, and the tracer's own account of where the close stopped it
        // (the step it was in failed as cancelled, then the summary), whichever side noticed the close first.
        Assert.Equal(Enumerable.Range(0, stored!.Events.Count), stored.Events.Select(e => e.Sequence));
        Assert.Contains(stored.Events, e => e.Step == TraceStep.HttpRequest && e.Kind == TraceEventKind.Completed);
        Assert.Contains(stored.Events, e => e.Kind == TraceEventKind.Failed && e.Details is StepFailureDetails { Code: "cancelled" });
        var summary = Assert.IsType<TraceSummary>(stored.Events[^1].Details);
        Assert.Equal("cancelled", summary.Failure?.Code);
        Assert.Equal(StoredTraceOutcome.Cancelled, stored.Info.Outcome);
    }
}
