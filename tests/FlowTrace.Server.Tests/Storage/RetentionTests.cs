using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Contracts.Storage;
using FlowTrace.Server.Storage;
using FlowTrace.Testing;
using Microsoft.AspNetCore.Builder;

namespace FlowTrace.Server.Tests.Storage;

public sealed class RetentionTests
{
    [Fact]
    public async Task Upkeep_MoreThanMaxCount_OldestDeletedInTheBackground()
    {
        var data = Directory.CreateTempSubdirectory("flowtrace-traces-");
        await using var app = FlowTraceServer.Build(
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Testing",
            "--FlowTrace:Storage:MaxCount=2", "--FlowTrace:Storage:PruneInterval=00:00:00.2",
            .. ServerArguments.LabOnFreePorts, .. ServerArguments.StorageIn(data.FullName),
        ]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var url = await ServerClient.LabUrlAsync(http.BaseAddress, "plain");
        using var response = await http.PostAsync("/api/traces", new StringContent($$"""{"url": "{{url}}", "repeat": 4}""", Encoding.UTF8, "application/json"));
        var ids = (await response.Content.ReadFromJsonAsync<RepeatResult>(TraceJson.Options))!.StoredIds!;
        Assert.Equal(4, ids.Count);
        Assert.All(ids, id => Assert.True(TraceIds.IsWellFormed(id)));

        var listed = int.MaxValue;
        for (var wait = 0; wait < 100 && listed > 2; wait++)
        {
            listed = (await http.GetFromJsonAsync<StoredTraceList>("/api/traces", TraceJson.Options))!.Total;
            await Task.Delay(100);
        }

        Assert.Equal(2, listed);
        // The newest two stay.
        using var newest = await http.GetAsync($"/api/traces/{ids[^1]}");
        Assert.Equal(HttpStatusCode.OK, newest.StatusCode);
        using var oldest = await http.GetAsync($"/api/traces/{ids[0]}");
        Assert.Equal(HttpStatusCode.NotFound, oldest.StatusCode);
        await app.StopAsync();
        data.Delete(recursive: true);
    }

    [Theory]
    [InlineData("--FlowTrace:Storage:MaxCount=0")]
    [InlineData("--FlowTrace:Storage:MaxAge=-1.00:00:00")]
    public async Task Start_InvalidRetention_RefusedAtStartUp(string option)
    {
        await using var app = FlowTraceServer.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing", option, .. ServerArguments.LabOnFreePorts]);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.Contains("FlowTrace:Storage is invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_ManyIds_128RandomBitsUrlSafeAndNeverRepeated()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => TraceIds.New()).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id =>
        {
            Assert.True(TraceIds.IsWellFormed(id), id);
            Assert.Equal(16, System.Buffers.Text.Base64Url.DecodeFromChars(id).Length);
        });
        Assert.False(TraceIds.IsWellFormed("../../etc/passwd"));
        Assert.False(TraceIds.IsWellFormed(new string('a', 23)));
    }
}
