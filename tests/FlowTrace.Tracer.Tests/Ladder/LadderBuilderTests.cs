using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Ladder;
using FlowTrace.Tracer.Tests.Lab;

namespace FlowTrace.Tracer.Tests.Ladder;

[Collection(LabCollection.Name)]
public sealed class LadderBuilderTests(LabFixture lab)
{
    [Fact]
    public async Task Build_HealthyTls13Site_EveryMessageOnItsLaneInOrder()
    {
        var events = await lab.TraceAsync("www");
        var ladder = LadderBuilder.Build(events);
        var connected = TraceAssert.Detail<TcpConnectedDetails>(events);
        var resolver = events.Select(e => e.Details).OfType<DnsQueryDetails>().First().Resolver;
        Assert.Equal([LadderBuilder.Client, resolver, connected.Remote], ladder.Lanes.Select(l => l.Id));
        Assert.Equal([LadderLaneKind.Client, LadderLaneKind.Resolver, LadderLaneKind.Server], ladder.Lanes.Select(l => l.Kind));

        // The exchange as a packet capture would list it, TLS 1.3's encrypted messages by their real names. The AAAA and
        // A queries go out side by side and either may be answered first; the last byte has an arrow of its own only
        // when it came in a later read than the first.
        var labels = ladder.Arrows.Select(a => a.Label).ToList();
        Assert.Equal(["A: 127.0.0.1", "A? www.lab.test", "AAAA: NoError, no record", "AAAA? www.lab.test"], labels.Take(4).Order(StringComparer.Ordinal));
        var download = TraceAssert.Detail<HttpResponseDetails>(events).DownloadTime;
        Assert.Equal(download >= LadderBuilder.ShortestBlock, labels.Remove("last byte of the response"));
        Assert.Equal(
            ["SYN", "SYN-ACK", "ACK",
             "ClientHello", "ServerHello", "change_cipher_spec",
             "EncryptedExtensions (encrypted)", "Certificate (encrypted)", "CertificateVerify (encrypted)", "Finished (encrypted)",
             "change_cipher_spec", "Finished (encrypted)",
             "GET / HTTP/1.1", "first byte of the response", "alert close_notify", "FIN"],
            labels.Skip(4));

        // One round trip each for TCP, TLS 1.3 and the request; the resolver's counted apart, the AAAA and A queries sent
        // side by side waiting one round trip together.
        Assert.Equal([1, 2, 3], ladder.Arrows.Where(a => a.From == connected.Remote && a.RoundTrip is not null).Select(a => a.RoundTrip!.Value));
        // (One when the A query left before the AAAA answer came back, as it usually does; two when it left after.)
        var queries = events.Select(e => e.Details).OfType<DnsQueryDetails>().Select((q, i) => (Sent: events.First(e => e.Details == q).Offset - q.Duration, Answered: events.First(e => e.Details == q).Offset)).ToList();
        var expected = queries.Count(q => !queries.Any(other => other.Answered <= q.Sent) ) == queries.Count ? 1 : 2;
        Assert.Equal(Enumerable.Range(1, expected), ladder.Arrows.Where(a => a.From == resolver && a.RoundTrip is not null).Select(a => a.RoundTrip!.Value));
        AssertDrawnFromEvents(events, ladder);

        // The client's own work between the server's Finished and its own: cryptography and the certificate checks.
        var serverFinished = ladder.Arrows.First(a => a.Label == "Finished (encrypted)" && a.From == connected.Remote);
        var clientFinished = ladder.Arrows.Last(a => a.Label == "Finished (encrypted)");
        Assert.Contains(ladder.Blocks, b => b.Start == serverFinished.Arrived && b.End == clientFinished.Sent);
    }

    [Fact]
    public void Build_QueriesSentSideBySide_OneRoundTripNotTwo()
    {
        static TraceEvent Query(int sequence, string type, double sentMs, double answeredMs) =>
            new(sequence, 0, TraceStep.Dns, TraceEventKind.Detail, TimeSpan.FromMilliseconds(answeredMs), "",
                new DnsQueryDetails(type, "www.lab.test", "127.0.0.1:53", "udp", "NoError", false, [], 40, TimeSpan.FromMilliseconds(answeredMs - sentMs)));
        int[] Trips(params TraceEvent[] events) => [.. LadderBuilder.Build(events).Arrows.Where(a => a.RoundTrip is not null).Select(a => a.RoundTrip!.Value)];

        // Both left before either answer came back: they waited one round trip together.
        Assert.Equal([1], Trips(Query(0, "AAAA", 0.1, 0.5), Query(1, "A", 0.1, 0.7)));
        // The second asked only after the first answer: a round trip of its own.
        Assert.Equal([1, 2], Trips(Query(0, "AAAA", 0.1, 0.5), Query(1, "A", 0.6, 0.9)));
    }

    [Fact]
    public void Build_SeveralMessagesInOneEncryptedRecord_NamesThemAllWithoutPairingThemWrongly()
    {
        // BoringSSL and Go put the server's encrypted flight in fewer records than messages.
        var sequence = 0;
        TraceEvent At(double ms, TraceStep step, TraceEventDetails details) =>
            new(sequence++, 0, step, TraceEventKind.Detail, TimeSpan.FromMilliseconds(ms), "", details);
        var events = new List<TraceEvent>
        {
            At(0.1, TraceStep.Tcp, new TcpConnectedDetails("127.0.0.1:5000", "127.0.0.1:443", 1, TimeSpan.FromMilliseconds(0.1), true, TimeSpan.FromMilliseconds(0.2), false)),
            At(0.2, TraceStep.Tls, new TlsRecordDetails(WireDirection.ClientToServer, "handshake", ["client_hello"], "TLS 1.0", 300)),
            At(1.0, TraceStep.Tls, new TlsRecordDetails(WireDirection.ServerToClient, "handshake", ["server_hello"], "TLS 1.2", 90)),
            At(1.0, TraceStep.Tls, new TlsRecordDetails(WireDirection.ServerToClient, "application_data", [], "TLS 1.2", 2000)),
            At(1.0, TraceStep.Tls, new TlsRecordDetails(WireDirection.ServerToClient, "application_data", [], "TLS 1.2", 60)),
            At(1.0, TraceStep.Tls, new TlsHandshakeMessageDetails(WireDirection.ServerToClient, "server_hello")),
            At(1.0, TraceStep.Tls, new TlsHandshakeMessageDetails(WireDirection.ServerToClient, "encrypted_extensions")),
            At(1.0, TraceStep.Tls, new TlsHandshakeMessageDetails(WireDirection.ServerToClient, "certificate")),
            At(1.0, TraceStep.Tls, new TlsHandshakeMessageDetails(WireDirection.ServerToClient, "certificate_verify")),
            At(1.0, TraceStep.Tls, new TlsHandshakeMessageDetails(WireDirection.ServerToClient, "finished")),
            At(1.5, TraceStep.Tls, new TlsRecordDetails(WireDirection.ClientToServer, "application_data", [], "TLS 1.2", 60)),
        };

        var labels = LadderBuilder.Build(events).Arrows.Where(a => a.From != LadderBuilder.Client).Select(a => a.Label);
        Assert.Equal(["ServerHello", "EncryptedExtensions, Certificate, CertificateVerify, Finished (encrypted, 2 records)", "encrypted handshake, continued"], labels);
    }

    [Fact]
    public async Task Build_Tls12Site_TwoHandshakeRoundTrips()
    {
        var events = await lab.TraceAsync("tls12");
        var ladder = LadderBuilder.Build(events);
        var server = TraceAssert.Detail<TcpConnectedDetails>(events).Remote;
        // TCP, two for the TLS 1.2 handshake, the request.
        Assert.Equal(4, ladder.Arrows.Count(a => a.From == server && a.RoundTrip is not null));
        Assert.Contains(ladder.Arrows, a => a.Label.Contains("ServerKeyExchange", StringComparison.Ordinal));
        AssertDrawnFromEvents(events, ladder);
    }

    [Fact]
    public async Task Build_HappyEyeballsFallback_ALaneForEachAddressTried()
    {
        var events = await lab.TraceAsync("race");
        var ladder = LadderBuilder.Build(events);
        var servers = ladder.Lanes.Where(l => l.Kind == LadderLaneKind.Server).Select(l => l.Id).ToList();
        Assert.Equal(2, servers.Count);
        Assert.StartsWith("[::1]", servers[0], StringComparison.Ordinal);
        Assert.Contains(ladder.Arrows, a => a.To == servers[0] && a.Label == "SYN");
        Assert.Contains(ladder.Arrows, a => a.From == servers[1] && a.Label == "SYN-ACK");
        AssertDrawnFromEvents(events, ladder);
    }

    [Fact]
    public async Task Build_RefusedPort_SynAnsweredByReset()
    {
        var ladder = LadderBuilder.Build(await lab.TraceAsync("refused"));
        Assert.Equal(["SYN", "RST"], ladder.Arrows.Where(a => a.Step == TraceStep.Tcp).Select(a => a.Label));
    }

    [Fact]
    public async Task Build_RedirectChain_SecondHopReusesTheLaneOfItsConnection()
    {
        var events = await lab.TraceAsync("redirect");
        var ladder = LadderBuilder.Build(events);
        Assert.Equal(3, ladder.Arrows.Count(a => a.Label.StartsWith("GET ", StringComparison.Ordinal)));
        // The 301 reuses the connection: no SYN on hop 1.
        Assert.DoesNotContain(ladder.Arrows, a => a.Hop == 1 && a.Label == "SYN");
        AssertDrawnFromEvents(events, ladder);
    }

    [Fact]
    public async Task Build_EverySiteIncludingHostileOnes_ArrowsComeFromEventsAndStayInTime()
    {
        foreach (var site in lab.Lab.Sites.Where(s => s.Name is not ("tls-silent" or "hostile-slow-body" or "dns-truncated")))
        {
            var events = await lab.TraceAsync(site.Name);
            AssertDrawnFromEvents(events, LadderBuilder.Build(events), site.Name);
        }
    }

    /// <summary>Every arrow comes from an event of its step and hop, the end the client measured is that event's time
    /// (or, for a request, when its writing began), and nothing is drawn before the start or after the end.</summary>
    private static void AssertDrawnFromEvents(IReadOnlyList<TraceEvent> events, LadderDiagram ladder, string site = "")
    {
        foreach (var arrow in ladder.Arrows)
        {
            var source = events.Single(e => e.Sequence == arrow.Sequence);
            Assert.Equal((source.Step, source.Hop), (arrow.Step, arrow.Hop));
            Assert.True(arrow.Sent <= arrow.Arrived, $"{site}: {arrow}");
            Assert.InRange(arrow.Sent, TimeSpan.Zero, ladder.End);
            Assert.InRange(arrow.Arrived, TimeSpan.Zero, ladder.End);
            var measured = arrow.Measured == LadderMeasuredEnd.Sent ? arrow.Sent : arrow.Arrived;
            var expected = source.Details switch
            {
                DnsQueryDetails query when arrow.Measured == LadderMeasuredEnd.Sent => source.Offset - query.Duration,
                HttpRequestDetails => source.Offset - source.Duration!.Value,
                HttpResponseDetails response => events.Single(e => e.Hop == source.Hop && e.Step == TraceStep.ServerProcessing && e.Kind == TraceEventKind.Completed).Offset + response.DownloadTime,
                _ => source.Offset,
            };
            Assert.True(expected == measured, $"{site}: {arrow} measured at {measured}, its event at {expected}: {source}");
            Assert.Contains(ladder.Lanes, l => l.Id == arrow.From);
            Assert.Contains(ladder.Lanes, l => l.Id == arrow.To);
        }

        Assert.All(ladder.Blocks, b => Assert.True(b.Start < b.End, site));
    }
}
