using System.Text;
using FlowTrace.Tracer.Http;
using FsCheck;
using FsCheck.Fluent;

namespace FlowTrace.Tracer.Tests.Http;

public sealed class ParserTests
{
    [Fact]
    public void ServerTimingParse_SeveralMetrics_ReadsNameDurationAndDescription()
    {
        var metrics = ServerTimingParser.Parse(["db;dur=53.2;desc=\"Data, base\", cache;desc=hit", "total;dur=120"]);
        Assert.Equal(3, metrics.Count);
        Assert.Equal(("db", 53.2, "Data, base"), (metrics[0].Name, metrics[0].Duration!.Value, metrics[0].Description));
        Assert.Equal(("cache", (double?)null, "hit"), (metrics[1].Name, metrics[1].Duration, metrics[1].Description));
        Assert.Equal(120, metrics[2].Duration);
    }

    [Fact]
    public void ServerTimingParse_Garbage_SkipsWithoutThrowing()
    {
        var metrics = ServerTimingParser.Parse([";;;,,=\"", "ok;dur=abc", "a b;dur=1"]);
        Assert.Single(metrics);
        Assert.Equal("ok", metrics[0].Name);
        Assert.Null(metrics[0].Duration);
    }

    [Fact]
    public void ServerTimingParse_AnyInput_NeverThrows() =>
        Prop.ForAll<string>(s => ServerTimingParser.Parse([s ?? ""]).All(m => m.Name.Length > 0))
            .Check(Config.Quick.WithMaxTest(500));

    [Theory]
    [InlineData("1a", 26)]
    [InlineData("0", 0)]
    [InlineData("FF;ext=1", 255)]
    public void ParseChunkSize_Valid_ReturnsSize(string line, long expected) =>
        Assert.Equal(expected, ChunkedBodyReader.ParseChunkSize(line));

    [Theory]
    [InlineData("ffffffffffffffff")]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("zz")]
    public void ParseChunkSize_Invalid_ThrowsProtocolError(string line) =>
        Assert.Throws<ResponseProtocolException>(() => ChunkedBodyReader.ParseChunkSize(line));

    [Fact]
    public void HeadParse_ValidHead_KeepsOrderAndDuplicates()
    {
        var text = "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX: y\r\nSet-Cookie: b=2\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(bytes.Length, HttpHeadParser.FindEnd(bytes));
        var head = HttpHeadParser.Parse(bytes, 200);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal(["Set-Cookie", "X", "Set-Cookie"], head.Headers.Select(h => h.Name));
        Assert.Equal("b=2", head.Headers[2].Value);
    }

    [Theory]
    [InlineData("garbage\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")]
    [InlineData("HTTP/2 200 OK\r\n\r\n")]
    public void HeadParse_Malformed_ThrowsProtocolError(string text) =>
        Assert.Throws<ResponseProtocolException>(() => HttpHeadParser.Parse(Encoding.ASCII.GetBytes(text), 200));

    [Fact]
    public void HeadParse_TooManyHeaders_ThrowsLimitError()
    {
        var text = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 201).Select(i => $"H{i}: v\r\n")) + "\r\n";
        var error = Assert.Throws<ResponseProtocolException>(() => HttpHeadParser.Parse(Encoding.ASCII.GetBytes(text), 200));
        Assert.Equal("http-too-many-headers", error.Code);
    }

    [Fact]
    public void HeadParse_AnyBytes_OnlyThrowsProtocolErrors() =>
        Prop.ForAll<byte[]>(bytes =>
        {
            try
            {
                HttpHeadParser.Parse(bytes ?? [], 200);
            }
            catch (ResponseProtocolException)
            {
            }

            return true;
        }).Check(Config.Quick.WithMaxTest(500));

    [Fact]
    public void ChunkedDecoding_AnyChunkingOfABody_DecodesToTheSameSizeAndReportsEachChunk() =>
        Prop.ForAll<byte[], int[]>((body, cuts) =>
        {
            body ??= [];
            var chunks = Split(body, cuts ?? []);
            var wire = new List<byte>();
            foreach (var chunk in chunks.Where(c => c.Length > 0))
            {
                wire.AddRange(Encoding.ASCII.GetBytes($"{chunk.Length:x};ext=1\r\n"));
                wire.AddRange(chunk);
                wire.AddRange("\r\n"u8.ToArray());
            }

            wire.AddRange("0\r\nTrailer: x\r\n\r\n"u8.ToArray());
            var reported = new List<(int, long)>();
            var (bytes, truncated) = ChunkedBodyReader.ReadAsync(Reader(wire.ToArray(), cuts ?? []), long.MaxValue, new BodyPreview(),
                (number, size) => reported.Add((number, size)), CancellationToken.None).GetAwaiter().GetResult();
            var expected = chunks.Where(c => c.Length > 0).Select((c, i) => (i + 1, (long)c.Length));
            return bytes == body.Length && !truncated && reported.SequenceEqual(expected);
        }).Check(Config.Quick.WithMaxTest(300));

    [Fact]
    public void ChunkedDecoding_MutatedInput_OnlyProtocolErrors() =>
        Prop.ForAll<byte[]>(noise =>
        {
            var wire = Encoding.ASCII.GetBytes("5\r\nhello\r\n").Concat(noise ?? []).ToArray();
            try
            {
                ChunkedBodyReader.ReadAsync(Reader(wire, []), 1 << 20, new BodyPreview(), null, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (ResponseProtocolException)
            {
            }

            return true;
        }).Check(Config.Quick.WithMaxTest(500));

    private static ArrivalReader Reader(byte[] wire, int[] cuts) => new(new ChunkSource(Split(wire, cuts)));

    private static List<byte[]> Split(byte[] data, int[] cuts)
    {
        var points = cuts.Select(c => Math.Abs(c % (data.Length + 1))).Distinct().Order().ToList();
        var parts = new List<byte[]>();
        var start = 0;
        foreach (var point in points.Append(data.Length))
        {
            parts.Add(data[start..point]);
            start = point;
        }

        return parts;
    }

    private sealed class ChunkSource(List<byte[]> parts) : FlowTrace.Tracer.Tcp.IArrivalSource
    {
        private int _next;

        public ValueTask<FlowTrace.Tracer.Tcp.Arrival> ReadAsync(CancellationToken cancellationToken)
        {
            while (_next < parts.Count && parts[_next].Length == 0)
                _next++;
            return ValueTask.FromResult(_next < parts.Count
                ? new FlowTrace.Tracer.Tcp.Arrival(parts[_next++], _next, false)
                : new FlowTrace.Tracer.Tcp.Arrival(ReadOnlyMemory<byte>.Empty, _next, true));
        }

        public ValueTask<long> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.FromResult(0L);
    }

    [Fact]
    public void HttpRequestWriter_ExtraHostHeader_ReplacesDefaultInPlace()
    {
        var (line, headers, bytes) = HttpRequestWriter.Build("GET", "/x?y=1", "example.test", [new("Host", "other.test"), new("X-Extra", "1")]);
        Assert.Equal("GET /x?y=1 HTTP/1.1", line);
        Assert.Equal("other.test", headers[0].Value);
        Assert.Equal("X-Extra", headers[^1].Name);
        Assert.EndsWith("\r\n\r\n", Encoding.ASCII.GetString(bytes));
    }
}
