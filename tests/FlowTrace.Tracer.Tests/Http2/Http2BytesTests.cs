using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tracing;
using static FlowTrace.Tracer.Tests.Http2.ScriptedHttp2Server;

namespace FlowTrace.Tracer.Tests.Http2;

/// <summary>The request's HTTP/2 bytes (preface, SETTINGS, PING, HEADERS) explained, compared with tshark's dissection
/// of a capture of the same cleartext connection.</summary>
public sealed class Http2BytesTests
{
    [Fact]
    public async Task Http2Request_PriorKnowledge_OpeningFramesAsTsharkDissectsThem()
    {
        var directory = Directory.CreateTempSubdirectory("flowtrace-h2-bytes-");
        try
        {
            await using var server = new ScriptedHttp2Server(stream => [Settings(), Frame(1, 5, stream, 0x88)]);
            HttpRequestDetails request;
            string file;
            await using (var capture = await PacketCapture.StartAsync(directory.FullName, server.Port))
            {
                var tracer = new FlowTracer(new TracerOptions { WarmUp = false });
                var events = new List<TraceEvent>();
                await foreach (var e in tracer.TraceAsync(new TraceRequest
                               {
                                   Url = $"http://127.0.0.1:{server.Port}/", Http2PriorKnowledge = true, Alpn = HttpVersions.Alpn(HttpVersionPreference.Http2PriorKnowledge),
                               }, CancellationToken.None))
                    events.Add(e);
                request = TraceAssert.Detail<HttpRequestDetails>(events);
                await capture.StopAsync();
                file = capture.File;
            }

            var fields = request.WireFields!;
            Assert.Equal("Connection preface", fields[0].Name);
            Assert.Equal(["Frame: SETTINGS", "Frame: WINDOW_UPDATE", "Frame: PING", "Frame: HEADERS"], fields.Skip(1).Select(f => f.Name));
            Assert.All(fields, f => Assert.True(f.Offset + f.Length <= request.Wire!.Length));

            var shark = await Tshark.FirstPacketAsync(file, "tcp", server.Port, "http2", "http2.magic", "http2.type", "http2.settings.id", "http2.length", "http2.streamid");
            var frames = fields.Skip(1).ToList();
            // tshark lists the preface as a frame-less "magic": the frame types, lengths and streams are the frames'.
            Assert.Equal(shark[0].Split(','), frames.Select(f => f.Code!.Value.ToString(CultureInfo.InvariantCulture)));
            Assert.Equal(shark[1].Split(',').Select(id => long.Parse(id, CultureInfo.InvariantCulture)),
                frames[0].Fields.Where(f => f.Name.StartsWith("Setting: ", StringComparison.Ordinal)).Select(f => f.Code!.Value));
            Assert.Equal(shark[2].Split(','), frames.Select(f => f.Fields.Single(p => p.Name == "Length").Value));
            Assert.Equal(shark[3].Split(','), frames.Select(f => f.Fields.Single(p => p.Name == "Stream").Value));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
