using System.Text.Json;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Export;
using FlowTrace.Tracer.Tests.Lab;

namespace FlowTrace.Tracer.Tests.Export;

[Collection(LabCollection.Name)]
public sealed class HarExportTests(LabFixture lab)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 9, 15, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("www")]
    [InlineData("redirect")]
    [InlineData("plain")]
    [InlineData("refused")]
    [InlineData("wrongname")]
    [InlineData("stream")]
    public async Task Write_LabSite_ValidHar12(string site)
    {
        var har = HarExport.Write(await lab.TraceAsync(site), Start, "0.1.0");
        Assert.Empty(HarSchemaValidator.Errors(har));
    }

    [Fact]
    public async Task Write_HttpsSite_TimingsMappedAsDevToolsDoes()
    {
        var events = await lab.TraceAsync("www");
        var summary = Assert.IsType<TraceSummary>(events[^1].Details);
        double Ms(TraceStep step) => Math.Round(summary.Steps.Single(s => s.Step == step).Duration.TotalMilliseconds, 3);
        using var har = JsonDocument.Parse(HarExport.Write(events, Start, "0.1.0"));
        var entry = har.RootElement.GetProperty("log").GetProperty("entries").EnumerateArray().Single();
        var timings = entry.GetProperty("timings");
        Assert.Equal(Ms(TraceStep.Dns), timings.GetProperty("dns").GetDouble());
        Assert.Equal(Ms(TraceStep.Tls), timings.GetProperty("ssl").GetDouble());
        // connect includes ssl, as DevTools counts it.
        Assert.Equal(Ms(TraceStep.Tcp) + Ms(TraceStep.Tls), timings.GetProperty("connect").GetDouble(), 3);
        Assert.Equal(Ms(TraceStep.HttpRequest), timings.GetProperty("send").GetDouble());
        Assert.Equal(Ms(TraceStep.ServerProcessing), timings.GetProperty("wait").GetDouble());
        Assert.Equal(Ms(TraceStep.HttpResponse), timings.GetProperty("receive").GetDouble());
        Assert.Equal(-1, timings.GetProperty("blocked").GetDouble());
        var phases = new[] { "dns", "connect", "send", "wait", "receive" }.Sum(p => timings.GetProperty(p).GetDouble());
        Assert.Equal(phases, entry.GetProperty("time").GetDouble(), 3);
        Assert.Equal(200, entry.GetProperty("response").GetProperty("status").GetInt32());
        Assert.Equal("127.0.0.1", entry.GetProperty("serverIPAddress").GetString());
        Assert.Equal("2026-11-30T09:15:00", entry.GetProperty("startedDateTime").GetString()![..19]);
        // FlowTrace's own detail: the step split and the events, underscore-prefixed.
        var own = entry.GetProperty("_flowtrace");
        Assert.Equal(7, own.GetProperty("steps").GetArrayLength());
        Assert.Equal(events.Count, own.GetProperty("events").GetArrayLength());
        Assert.Contains(own.GetProperty("steps").EnumerateArray(), s => s.GetProperty("clientParts").EnumerateObject().Any(p => p.Name == ClientWorkNames.TlsCrypto));
    }

    [Fact]
    public async Task Write_RedirectChain_AnEntryPerHopWithItsRedirectUrl()
    {
        var events = await lab.TraceAsync("redirect");
        using var har = JsonDocument.Parse(HarExport.Write(events, Start, "0.1.0"));
        var entries = har.RootElement.GetProperty("log").GetProperty("entries").EnumerateArray().ToList();
        var redirects = events.Select(e => e.Details).OfType<RedirectDetails>().ToList();
        Assert.Equal(redirects.Count + 1, entries.Count);
        for (var i = 0; i < redirects.Count; i++)
            Assert.Equal(redirects[i].To, entries[i].GetProperty("response").GetProperty("redirectURL").GetString());
        Assert.Equal("", entries[^1].GetProperty("response").GetProperty("redirectURL").GetString());
    }

    [Fact]
    public async Task Write_PlainHttp_SslNotApplicable()
    {
        using var har = JsonDocument.Parse(HarExport.Write(await lab.TraceAsync("plain"), Start, "0.1.0"));
        var timings = har.RootElement.GetProperty("log").GetProperty("entries")[0].GetProperty("timings");
        Assert.Equal(-1, timings.GetProperty("ssl").GetDouble());
        Assert.True(timings.GetProperty("connect").GetDouble() >= 0);
    }

    [Fact]
    public async Task Write_RefusedConnection_StatusZeroWithTheFailureAndNoLaterPhases()
    {
        using var har = JsonDocument.Parse(HarExport.Write(await lab.TraceAsync("refused"), Start, "0.1.0"));
        var entry = har.RootElement.GetProperty("log").GetProperty("entries")[0];
        Assert.Equal(0, entry.GetProperty("response").GetProperty("status").GetInt32());
        Assert.Contains("refused", entry.GetProperty("comment").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(-1, entry.GetProperty("timings").GetProperty("ssl").GetDouble());
    }

    [Fact]
    public void Errors_NotAHar_Reported()
    {
        // The validator itself must refuse what is not HAR, or the tests above prove nothing.
        Assert.NotEmpty(HarSchemaValidator.Errors("""{"log": {"version": "1.2", "entries": [{"time": "soon"}]}}"""));
    }
}
