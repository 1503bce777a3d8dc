using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Storage;
using FlowTrace.Contracts.Lab;
using FlowTrace.Contracts.Repeat;

namespace FlowTrace.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class ApiTests(ServerFixture server)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task PostTraces_LabSite_ReturnsEveryEventEndingWithSummary()
    {
        using var http = server.Http();
        var url = await server.LabUrlAsync("redirect");
        using var response = await http.PostAsync("/api/traces", Json($$"""{"url": "{{url}}", "addressFamily": "ipv4"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var events = (await response.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!.Events;
        var summary = Assert.IsType<TraceSummary>(events![^1].Details);
        Assert.True(summary.Succeeded);
        Assert.Equal(2, events.Select(e => e.Details).OfType<RedirectDetails>().Count());
    }

    [Fact]
    public async Task PostTraces_AgainOnSameConnection_SecondRequestOnTheKeptConnection()
    {
        using var http = server.Http();
        var url = await server.LabUrlAsync("www");
        using var response = await http.PostAsync("/api/traces", Json($$"""{"url": "{{url}}", "againOnSameConnection": true}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var events = (await response.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!.Events;
        Assert.Equal(url, Assert.Single(events.Select(e => e.Details).OfType<SameConnectionAgainDetails>()).Url);
        Assert.True(events.Select(e => e.Details).OfType<TcpConnectedDetails>().Last().Reused);
        Assert.DoesNotContain(events, e => e.Hop == 1 && e.Step is TraceStep.Dns or TraceStep.Tls);
    }

    [Fact]
    public async Task PostTraces_AgainResumingSession_SecondConnectionResumesAndIsKeptSo()
    {
        using var http = server.Http();
        var url = await server.LabUrlAsync("tls12");
        using var response = await http.PostAsync("/api/traces", Json($$"""{"url": "{{url}}", "againResumingSession": true}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = (await response.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!;
        Assert.Equal(url, Assert.Single(stored.Events.Select(e => e.Details).OfType<ResumedAgainDetails>()).Url);
        Assert.True(stored.Events.Where(e => e.Hop == 1).Select(e => e.Details).OfType<TlsHandshakeDetails>().Single().Resumption!.Accepted);
        // Kept and read back with what resumption did.
        var kept = await http.GetFromJsonAsync<FlowTrace.Contracts.Storage.StoredTrace>($"/api/traces/{stored.Id}", TraceJson.Options);
        Assert.True(kept!.Events.Where(e => e.Hop == 1).Select(e => e.Details).OfType<TlsHandshakeDetails>().Single().Resumption!.Accepted);
    }

    [Fact]
    public async Task PostTraces_ResolveFromRootForALabName_WalkedFromTheLabsRoot()
    {
        using var http = server.Http();
        var url = await server.LabUrlAsync("www");
        using var response = await http.PostAsync("/api/traces", Json($$"""{"url": "{{url}}", "resolveFromRoot": true, "addressFamily": "ipv4"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var events = (await response.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!.Events;
        var result = events.Select(e => e.Details).OfType<DnsResultDetails>().Single();
        Assert.Equal([".", "test.", "lab.test."], result.Delegations);
        var queries = events.Select(e => e.Details).OfType<DnsQueryDetails>().ToList();
        Assert.Equal(["test.", "lab.test.", null], queries.Select(q => q.Referral?.Zone));
    }

    [Fact]
    public async Task PostTraces_Http2WhereTheServerAgrees_FramesKeptAndReadBack()
    {
        using var http = server.Http();
        var url = await server.LabUrlAsync("h2");
        using var response = await http.PostAsync("/api/traces", Json($$"""{"url": "{{url}}", "httpVersion": "http2OrHttp11"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = (await response.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!;
        Assert.Equal("HTTP/2", stored.Events.Select(e => e.Details).OfType<HttpResponseDetails>().Single().Version);
        var kept = await http.GetFromJsonAsync<FlowTrace.Contracts.Storage.StoredTrace>($"/api/traces/{stored.Id}", TraceJson.Options);
        Assert.Contains(kept!.Events.Select(e => e.Details).OfType<Http2FrameDetails>(), f => f is { FrameType: "HEADERS", HeaderBlock: not null });
    }

    [Fact]
    public async Task PostTraces_UnknownHttpVersion_BadRequest()
    {
        using var http = server.Http();
        var url = await server.LabUrlAsync("www");
        using var response = await http.PostAsync("/api/traces", Json($$"""{"url": "{{url}}", "httpVersion": "http3"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"url": "ftp://example.test/"}""", "scheme 'ftp:'")]
    [InlineData("""{"url": "https://example.test/", "noSuchOption": true}""", "noSuchOption")]
    [InlineData("""{"method": "GET"}""", "'url' is required")]
    [InlineData("""not json""", "not a valid trace request")]
    [InlineData("""{"url": "https://example.test:99999/"}""", "")]
    [InlineData("""{"url": "https://example.test/", "repeat": 0}""", "'repeat' must be between 1 and 100")]
    [InlineData("""{"url": "https://example.test/", "repeat": 101}""", "'repeat' must be between 1 and 100")]
    [InlineData("""{"url": "https://example.test/", "repeat": 3, "stepMode": true}""", "Step mode")]
    [InlineData("""{"url": "https://example.test/", "trustedRoots": "not a certificate"}""", "'trustedRoots': the text holds no PEM certificate")]
    [InlineData("""{"url": "https://example.test/", "trustedRoots": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}""", "'trustedRoots': a certificate in the PEM text does not parse")]
    public Task PostTraces_BadRequest_Returns400ProblemDetails(string body, string expected) => AssertBadRequestAsync("/api/traces", body, expected);

    [Fact]
    public async Task PostTraces_TrustedRootsGiven_TrustedForThatTraceOnly()
    {
        using var http = server.Http();
        var url = new Uri(await server.LabUrlAsync("selfsigned"));
        // The lab's self-signed certificate, as a user would save it from the server: trusted, it vouches for itself.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, url.Port);
        using var tls = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(url.Host);
        using var certificate = new System.Security.Cryptography.X509Certificates.X509Certificate2(tls.RemoteCertificate!);
        var pem = JsonSerializer.Serialize(certificate.ExportCertificatePem());

        async Task<TlsHandshakeDetails> TraceAsync(string extra)
        {
            using var response = await http.PostAsync("/api/traces", Json($$"""{"url": "{{url}}"{{extra}}}"""));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var events = (await response.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!.Events;
            return events!.Select(e => e.Details).OfType<TlsHandshakeDetails>().Single();
        }

        Assert.Empty((await TraceAsync($", \"trustedRoots\": {pem}")).Findings);
        Assert.Equal(["self-signed"], (await TraceAsync("")).Findings.Select(f => f.Code));
    }

    private async Task AssertBadRequestAsync(string path, string body, string expected)
    {
        using var http = server.Http();
        using var response = await http.PostAsync(path, Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(expected, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostTraces_Repeat_ReturnsEveryRunAndTheirStatistics()
    {
        using var http = server.Http();
        var url = await server.LabUrlAsync("www");
        using var response = await http.PostAsync("/api/traces", Json($$"""{"url": "{{url}}", "repeat": 3}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<RepeatResult>(TraceJson.Options);
        Assert.NotNull(result);
        Assert.Equal(3, result.Runs.Count);
        // Each run is a whole trace on its own connection: its own TCP handshake, its own summary.
        Assert.All(result.Runs, run =>
        {
            Assert.True(Assert.IsType<TraceSummary>(run[^1].Details).Succeeded);
            Assert.Single(run, e => e.Step == TraceStep.Tcp && e.Kind == TraceEventKind.Completed);
        });
        Assert.Equal(3, result.Statistics.Runs);
        Assert.Equal(3, result.Statistics.Succeeded);
        var tls = result.Statistics.Steps.Single(s => s.Step == TraceStep.Tls);
        Assert.Equal(result.Runs[0].Single(e => e.Step == TraceStep.Tls && e.Kind == TraceEventKind.Completed).Duration, tls.Duration.First);
        Assert.NotNull(tls.Duration.Median);
        Assert.True(tls.Duration.Min <= tls.Duration.Median && tls.Duration.Median <= tls.Duration.Max);
    }

    [Fact]
    public async Task PostSni_LabServer_ResultPerNameThenSummary()
    {
        using var http = server.Http();
        var url = new Uri(await server.LabUrlAsync("www"));
        var body = "{\"target\": \"" + url.Host + ":" + url.Port + "\", \"names\": [\"www.lab.test\", \"api.lab.test\", \"unknown.lab.test\"]}";
        using var response = await http.PostAsync("/api/sni", Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var updates = await response.Content.ReadFromJsonAsync<List<FlowTrace.Contracts.Sni.SniComparisonUpdate>>(TraceJson.Options);
        Assert.Equal(4, updates!.OfType<FlowTrace.Contracts.Sni.SniProbeResult>().Count());
        var summary = Assert.IsType<FlowTrace.Contracts.Sni.SniComparisonSummary>(updates![^1]);
        Assert.Equal(["unknown.lab.test"], summary.FallThroughNames);
    }

    [Theory]
    [InlineData("{\"names\": [\"a.test\"]}", "'target' is required")]
    [InlineData("{\"target\": \"a.test\", \"names\": [\"bad name\"]}", "not a DNS name")]
    [InlineData("{\"target\": \"a.test\", \"names\": [], \"includeNoSni\": false}", "at least one name")]
    public Task PostSni_BadRequest_Returns400(string body, string expected) => AssertBadRequestAsync("/api/sni", body, expected);

    [Fact]
    public async Task PostSni_ThirtyThreeNames_Returns400()
    {
        using var http = server.Http();
        var names = string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"n{i}.lab.test\""));
        using var response = await http.PostAsync("/api/sni", Json("{\"target\": \"www.lab.test\", \"names\": [" + names + "]}"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 32", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetLab_ListsSitesWithFullUrlsAndPurpose()
    {
        using var http = server.Http();
        var sites = await http.GetFromJsonAsync<List<LabSite>>("/api/lab", TraceJson.Options);
        Assert.Contains(sites!, s => s.Name == "www" && s.Url.StartsWith("https://www.lab.test:", StringComparison.Ordinal) && s.Demonstrates.Length > 10);
        Assert.True(sites!.Count >= 15);
    }
}
