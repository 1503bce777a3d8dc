using System.Net.Http.Json;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Storage;
using FlowTrace.Testing;

namespace FlowTrace.Server.Tests.Storage;

/// <summary>The command line keeping its trace on a running server (--store) and writing it as HAR (--har).</summary>
[Collection(ServerCollection.Name)]
public sealed class CliStoreTests(ServerFixture server)
{
    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => CliRun.RunAsync(args);

    [Fact]
    public async Task Run_StoreAndHar_PermalinkOpensTheSameEventsAndTheHarIsValid()
    {
        var har = Path.Combine(Path.GetTempPath(), $"flowtrace-{Guid.NewGuid():N}.har");
        try
        {
            var (code, output, error) = await RunAsync("www", "--lab", "--json", "--store", server.BaseAddress.ToString(), "--har", har);
            Assert.True(code == 0, error);
            var permalink = error.Split('\n').Single(l => l.StartsWith("Stored: ", StringComparison.Ordinal))["Stored: ".Length..].Trim();
            Assert.StartsWith(new Uri(server.BaseAddress, "/t/").ToString(), permalink, StringComparison.Ordinal);
            var id = permalink[(permalink.LastIndexOf('/') + 1)..];
            using var http = server.Http();
            var stored = await http.GetFromJsonAsync<StoredTrace>($"/api/traces/{id}", TraceJson.Options);
            // Exactly what --json printed: the stored trace is the CLI's own.
            Assert.Equal(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), stored!.Events.Select(TraceJson.Serialize));
            Assert.Empty(HarSchemaValidator.Errors(await File.ReadAllTextAsync(har)));
        }
        finally
        {
            File.Delete(har);
        }
    }

    [Fact]
    public async Task Run_StoreOnNoServer_TraceShownAndExitOneWithTheReason()
    {
        var (code, output, error) = await RunAsync("www", "--lab", "--store", $"http://127.0.0.1:{ExternalProcess.FreePort()}/");
        Assert.Equal(1, code);
        Assert.Contains("Trace completed", output, StringComparison.Ordinal);
        Assert.Contains("--store:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--store", "ftp://x/", "--store takes a FlowTrace server")]
    [InlineData("--har", "x.har", "take one trace")]
    public async Task Run_BadExportOptions_ExitTwo(string option, string value, string expected)
    {
        var (code, _, error) = await RunAsync("www", "--lab", option, value, "--repeat", "2");
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
