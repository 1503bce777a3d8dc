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

    [Theory]
    [InlineData(HttpResponseDetails.BodyPreviewMaxBytes, HttpStatusCode.Created)]
    [InlineData(HttpResponseDetails.BodyPreviewMaxBytes + 1, HttpStatusCode.BadRequest)]
    public async Task Import_BodyPreviewAgainstTheCap_KeptOnlyWithinIt(int previewLength, HttpStatusCode expected)
    {
        using var http = server.Http();
        var (result, response) = await PostAsync(http, "www");
        response.Dispose();
        // The same trace with its body preview made as long as asked, as a hand-edited export would be.
        var edited = result.Events.Select(e => e.Details is HttpResponseDetails details
            ? e with { Details = details with { BodyPreview = new string('b', previewLength) } }
            : e);
        var ndjson = string.Concat(edited.Select(e => TraceJson.Serialize(e) + "\n"));
        var before = (await http.GetFromJsonAsync<StoredTraceList>("/api/traces?pageSize=1", TraceJson.Options))!.Total;
        using var imported = await http.PostAsync("/api/traces/import", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(expected, imported.StatusCode);
        var after = (await http.GetFromJsonAsync<StoredTraceList>("/api/traces?pageSize=1", TraceJson.Options))!.Total;
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.Contains("keeps more of the body than a trace does", await imported.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(before, after);
        }
        else
        {
            Assert.Equal(before + 1, after);
        }
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
    public async Task HubRepeat_ClosedDuringTheSecondRun_FirstKeptCompletedSecondCancelled()
    {
        await using var connection = await server.ConnectAsync();
        var url = await server.LabUrlAsync("slow") + $"?repeat-closed={Guid.NewGuid():N}";
        using var stop = new CancellationTokenSource();
        try
        {
            var request = new FlowTrace.Contracts.Requests.TraceRequestMessage { Url = url, Repeat = 3 };
            await foreach (var update in connection.StreamAsync<FlowTrace.Contracts.Repeat.RepeatUpdate>("Repeat", request, stop.Token))
            {
                if (update is { Run: 2, Event: { Step: TraceStep.ServerProcessing, Kind: TraceEventKind.Started } })
                    await stop.CancelAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }

        var kept = await KeptAsync(url, expected: 2);
        Assert.Equal([StoredTraceOutcome.Completed, StoredTraceOutcome.Cancelled], kept.Select(k => k.Outcome).Order());
    }

    [Fact]
    public async Task PostTraces_RepeatAbandonedMidway_FinishedRunsCompletedTheStoppedOneCancelled()
    {
        using var http = server.Http();
        // A trace first, so that a server just started (this test alone) is warm: the 900 ms below are then the runs'.
        using (var warm = await http.PostAsync("/api/traces", Json($$"""{"url": "{{await server.LabUrlAsync("www")}}"}""")))
            Assert.True(warm.IsSuccessStatusCode, await warm.Content.ReadAsStringAsync());
        var url = await server.LabUrlAsync("slow") + $"?rest-abandoned={Guid.NewGuid():N}";
        // The slow site takes ~400 ms a run: gone after about two of the five.
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(900));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.PostAsync("/api/traces", Json($$"""{"url": "{{url}}", "repeat": 5}"""), stop.Token));

        // However far it got on a busy machine: the run that was going, if one was, is cancelled, every one before it
        // completed, and fewer than five were kept (InRange below). The
        // server learns the client went when its connection closes, which on a busy machine may come after the finished
        // runs were written: wait for the stopped one.
        var kept = await KeptAsync(url, expected: 1);
        for (var wait = 0; wait < 40 && !kept.Any(k => k.Outcome == StoredTraceOutcome.Cancelled); wait++)
        {
            await Task.Delay(250);
            kept = await KeptAsync(url, expected: 1);
        }

        // When the server noticed between two runs (a starved machine noticed only after run 2 had finished), no run
        // was going and none is cancelled; the hub test above stops within a run and sees it kept as cancelled.
        Assert.InRange(kept.Count, 1, 4);
        Assert.InRange(kept.Count(k => k.Outcome == StoredTraceOutcome.Cancelled), 0, 1);
        Assert.All(kept.Where(k => k.Outcome != StoredTraceOutcome.Cancelled), k => Assert.Equal(StoredTraceOutcome.Completed, k.Outcome));
    }

    [Fact]
    public async Task PostSni_AbandonedMidway_KeptAsACancelledComparison()
    {
        using var http = server.Http();
        // The silent server never answers a ClientHello: the comparison is still waiting when the client goes.
        var target = new Uri(await server.LabUrlAsync("tls-silent")).Authority;
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            http.PostAsync("/api/sni", Json($$"""{"target": "{{target}}", "names": ["silent.lab.test"]}"""), stop.Token));

        // The server learns the client went when its connection closes, which a busy machine (the whole suite running
        // on two cores) can delay by seconds: up to 15 s for the write.
        StoredTraceInfo? kept = null;
        for (var wait = 0; wait < 150 && kept is null; wait++)
        {
            var list = await http.GetFromJsonAsync<StoredTraceList>("/api/traces?host=silent.lab.test&outcome=cancelled&pageSize=200", TraceJson.Options);
            kept = list!.Items.FirstOrDefault(i => i.Kind == StoredTraceKind.Sni && i.Url == $"https://{target}/");
            if (kept is null)
                await Task.Delay(100);
        }

        Assert.NotNull(kept);
    }

    /// <summary>The kept traces of <paramref name="url"/>, once at least <paramref name="expected"/> are there.</summary>
    private async Task<List<StoredTraceInfo>> KeptAsync(string url, int expected)
    {
        using var http = server.Http();
        var host = new Uri(url).Host;
        List<StoredTraceInfo> kept = [];
        for (var wait = 0; wait < 50; wait++)
        {
            var list = await http.GetFromJsonAsync<StoredTraceList>($"/api/traces?host={host}&pageSize=200", TraceJson.Options);
            kept = [.. list!.Items.Where(i => i.Url == url)];
            if (kept.Count >= expected)
            {
                // The runs are written one after another once the server sees the client gone: read until two reads a
                // moment apart agree, so that no write of this test lands while the next test counts.
                for (var settled = 0; settled < 20; settled++)
                {
                    await Task.Delay(250);
                    list = await http.GetFromJsonAsync<StoredTraceList>($"/api/traces?host={host}&pageSize=200", TraceJson.Options);
                    var again = list!.Items.Where(i => i.Url == url).ToList();
                    if (again.Count == kept.Count)
                        return again;
                    kept = again;
                }

                return kept;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{expected} kept trace(s) of {url} expected, {kept.Count} found.");
        return kept;
    }

    [Fact]
    public async Task PostTraces_CredentialsSentOverHttp2_RequestBytesNotKept()
    {
        using var http = server.Http();
        var url = await server.LabUrlAsync("h2");
        using var response = await http.PostAsync("/api/traces", Json($$$"""{"url": "{{{url}}}", "headers": {"Authorization": "Bearer s3cret"}}"""));
        var result = (await response.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!;
        // Live, the caller sees the bytes sent (its own credential in the HPACK block); kept, neither value nor bytes.
        Assert.NotNull(result.Events.Select(e => e.Details).OfType<HttpRequestDetails>().Single().Wire);
        var kept = await http.GetFromJsonAsync<FlowTrace.Contracts.Storage.StoredTrace>($"/api/traces/{result.Id}", TraceJson.Options);
        var request = kept!.Events.Select(e => e.Details).OfType<HttpRequestDetails>().Single();
        Assert.Equal("GET / HTTP/2", request.RequestLine);
        Assert.Null(request.Wire);
        Assert.Null(request.WireFields);
        Assert.Equal(FlowTrace.Server.Storage.Redaction.Placeholder, request.Headers.Single(h => h.Name == "authorization").Value);
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
        // Its own URL: other tests keep cancelled traces of the slow site too.
        var url = await server.LabUrlAsync("slow") + $"?closed-midway={Guid.NewGuid():N}";
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
        // The server learns the client went when its connection closes, which a busy machine (the whole suite running
        // on two cores) can delay by seconds: up to 15 s for the write.
        StoredTraceInfo? kept = null;
        for (var wait = 0; wait < 150 && kept is null; wait++)
        {
            var list = await http.GetFromJsonAsync<StoredTraceList>("/api/traces?host=slow.lab.test&outcome=cancelled&pageSize=200", TraceJson.Options);
            kept = list!.Items.FirstOrDefault(i => i.Url == url);
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
