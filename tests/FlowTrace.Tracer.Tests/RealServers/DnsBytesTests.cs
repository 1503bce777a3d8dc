using System.Globalization;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tests.RealServers;

/// <summary>The DNS query and answer bytes, read field by field, compared with tshark's dissection of a capture of the
/// same exchange with dnsmasq (whose answers compress names with pointers).</summary>
[Collection(RealServersCollection.Name)]
public sealed class DnsBytesTests(RealServersFixture servers)
{
    [Fact]
    public async Task DnsQueryAndAnswer_CnameChainFromDnsmasq_FieldsAsTsharkDissectsThem()
    {
        var directory = Directory.CreateTempSubdirectory("flowtrace-dns-bytes-");
        try
        {
            IReadOnlyList<TraceEvent> events;
            string file;
            var port = servers.DnsPort;
            await using (var capture = await PacketCapture.StartWithFilterAsync(directory.FullName, $"udp port {port.ToString(CultureInfo.InvariantCulture)}"))
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var list = new List<TraceEvent>();
                await foreach (var e in servers.Tracer.TraceAsync(servers.Request($"http://alias.dm.test:{servers.HttpPort}/") with
                                   { AddressFamily = FlowTrace.Contracts.Requests.AddressFamilyPreference.IPv4 }, timeout.Token))
                    list.Add(e);
                events = list;
                await capture.StopAsync();
                file = capture.File;
            }

            var query = events.Select(e => e.Details).OfType<DnsQueryDetails>().Single();
            var asked = await DissectAsync(file, port, "dns.flags.response == 0", "dns.id", "dns.flags", "dns.qry.name", "dns.qry.type", "dns.rr.udp_payload_size");
            Assert.Equal(asked[0], Field(query.QueryFields!, "ID").Value);
            Assert.Equal(asked[1], Field(query.QueryFields!, "Flags").Value);
            Assert.Equal($"{asked[2]} A IN", Field(query.QueryFields!, "Question").Value);
            Assert.Equal(long.Parse(asked[3], CultureInfo.InvariantCulture), Field(Field(query.QueryFields!, "Question").Fields, "Type").Code);
            Assert.Equal(asked[4], Field(Field(query.QueryFields!, "Additional 1: OPT (EDNS)").Fields, "UDP payload size").Value);

            var answered = await DissectAsync(file, port, "dns.flags.response == 1", "dns.id", "dns.flags", "dns.count.answers", "dns.resp.name", "dns.resp.type", "dns.resp.ttl", "dns.cname", "dns.a");
            var fields = query.AnswerFields!;
            Assert.Equal(answered[0], Field(fields, "ID").Value);
            Assert.Equal(answered[1], Field(fields, "Flags").Value);
            Assert.Equal(answered[2], Field(fields, "Answer records").Value);
            var records = fields.Where(f => f.Name.StartsWith("Answer ", StringComparison.Ordinal) && f.Name.Contains(':', StringComparison.Ordinal)).ToList();
            // tshark lists every record, the additional section's OPT last: the answer section's come first.
            Assert.Equal(answered[3].Split(',').Take(records.Count), records.Select(r => Field(r.Fields, "Name").Value));
            Assert.Equal(answered[4].Split(',').Take(records.Count).Select(t => long.Parse(t, CultureInfo.InvariantCulture)), records.Select(r => r.Code!.Value));
            Assert.Equal(answered[5].Split(',').Take(records.Count), records.Select(r => Field(r.Fields, "TTL").Value.TrimEnd(' ', 's')));
            Assert.Equal(answered[6].Split(','), records.Where(r => r.Name.EndsWith("CNAME", StringComparison.Ordinal)).Select(r => Field(r.Fields, "Data").Value));
            Assert.Equal(answered[7], Field(records[^1].Fields, "Data").Value);
            // The owner names after the first are compressed: pointers of two bytes, said so.
            Assert.Contains(records.Skip(1), r => Field(r.Fields, "Name").Length == 2 && Field(r.Fields, "Name").Explanation.Contains("pointer", StringComparison.Ordinal));
            // The bytes are what crossed the wire: every field lies within them.
            Assert.All(fields, f => Assert.True(f.Offset + f.Length <= query.Answer!.Length));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static ByteField Field(IReadOnlyList<ByteField> fields, string name) => Assert.Single(fields, f => f.Name == name);

    private static Task<string[]> DissectAsync(string file, int port, string filter, params string[] fields) =>
        Tshark.FirstPacketAsync(file, "udp", port, "dns", filter, fields);
}
