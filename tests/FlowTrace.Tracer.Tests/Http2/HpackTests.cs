using FlowTrace.Tracer.Http2;

namespace FlowTrace.Tracer.Tests.Http2;

/// <summary>HPACK against RFC 7541's own examples (Appendix C): each header block decoded to its header list with the
/// dynamic table as the RFC shows it after each, and encoded back to the same bytes.</summary>
public sealed class HpackTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    // The header values are RFC 7541's own (www.example.com among them), decoded from its bytes: data to compare, never
    // a destination; nothing in these tests opens a connection.
    private static readonly (string, string)[][] Requests =
    [
        [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")],
        [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")],
        [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")],
    ];

    private static readonly (string, string, int)[][] RequestTables =
    [
        [(":authority", "www.example.com", 57)],
        [("cache-control", "no-cache", 53), (":authority", "www.example.com", 57)],
        [("custom-key", "custom-value", 54), ("cache-control", "no-cache", 53), (":authority", "www.example.com", 57)],
    ];

    private const string Date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
    private const string Date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
    private const string Location = "https://www.example.com";
    private const string Cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    private static readonly (string, string)[][] Responses =
    [
        [(":status", "302"), ("cache-control", "private"), ("date", Date1), ("location", Location)],
        [(":status", "307"), ("cache-control", "private"), ("date", Date1), ("location", Location)],
        [(":status", "200"), ("cache-control", "private"), ("date", Date2), ("location", Location), ("content-encoding", "gzip"), ("set-cookie", Cookie)],
    ];

    private static readonly (string, string, int)[][] ResponseTables =
    [
        [("location", Location, 63), ("date", Date1, 65), ("cache-control", "private", 52), (":status", "302", 42)],
        [(":status", "307", 42), ("location", Location, 63), ("date", Date1, 65), ("cache-control", "private", 52)],
        [("set-cookie", Cookie, 98), ("content-encoding", "gzip", 52), ("date", Date2, 65)],
    ];

    public static TheoryData<string, int, bool, string[]> Sequences() => new()
    {
        { "C.3 requests", 4096, false, ["8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", "8286 84be 5808 6e6f 2d63 6163 6865",
            "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"] },
        { "C.4 requests, Huffman", 4096, true, ["8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", "8286 84be 5886 a8eb 1064 9cbf",
            "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"] },
        { "C.5 responses", 256, false, [
            "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "4803 3330 37c1 c0bf",
            "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31"] },
        { "C.6 responses, Huffman", 256, true, [
            "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
            "4883 640e ffc1 c0bf",
            "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"] },
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Decode_Rfc7541Examples_HeadersAndDynamicTableAsTheRfcShows(string example, int tableSize, bool huffman, string[] blocks)
    {
        var requests = example.Contains("requests", StringComparison.Ordinal);
        var decoder = new HpackDecoder(tableSize);
        var encoder = new HpackEncoder(tableSize);
        for (var i = 0; i < blocks.Length; i++)
        {
            var fields = decoder.Decode(Hex(blocks[i]));
            var expected = requests ? Requests[i] : Responses[i];
            Assert.Equal(expected, fields.Select(f => (f.Name, f.Value)));
            Assert.Equal(requests ? RequestTables[i] : ResponseTables[i],
                decoder.Table.Entries.Select(e => (e.Name, e.Value, HpackDynamicTable.EntrySize(e.Name, e.Value))));
            Assert.Equal((requests ? RequestTables[i] : ResponseTables[i]).Sum(e => e.Item3), decoder.Table.Size);
            Assert.Equal(huffman, fields.Any(f => f.Huffman));
            // The encoder, making the same choices, writes the RFC's very bytes.
            Assert.Equal(blocks[i].Replace(" ", "", StringComparison.Ordinal), Convert.ToHexStringLower(encoder.Encode(expected, huffman)));
        }
    }

    [Theory]
    [InlineData("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572", "custom-key", "custom-header", 1, 1)]
    [InlineData("040c 2f73 616d 706c 652f 7061 7468", ":path", "/sample/path", 2, 0)]
    [InlineData("1008 7061 7373 776f 7264 0673 6563 7265 74", "password", "secret", 3, 0)]
    [InlineData("82", ":method", "GET", 0, 0)]
    public void Decode_Rfc7541SingleFields_RepresentationAndTable(string hex, string name, string value, int representationNumber, int tableEntries)
    {
        var decoder = new HpackDecoder();
        var field = Assert.Single(decoder.Decode(Hex(hex)));
        Assert.Equal((name, value, (HpackRepresentation)representationNumber), (field.Name, field.Value, field.Representation));
        Assert.Equal(Hex(hex).Length, field.WireBytes);
        Assert.Equal(tableEntries, decoder.Table.Count);
    }

    [Fact]
    public void Huffman_CodesFromTheAppendix_MatchTheRfcsTable()
    {
        // Three rows of RFC 7541 Appendix B: the first symbol, a 30-bit one, and EOS.
        Assert.Equal((0x1ff8u, 13), HpackHuffman.CodeOf(0));
        Assert.Equal((0x3ffffffcu, 30), HpackHuffman.CodeOf(10));
        Assert.Equal((0x3fffffffu, 30), HpackHuffman.CodeOf(256));
        Assert.Equal((0x0u, 5), HpackHuffman.CodeOf('0'));
    }

    [Theory]
    [InlineData("fe", "8 bits of Huffman padding")] // a code's first 8 bits, not padding
    [InlineData("00", "padding that is not all ones")] // '0' (00000), then 000
    [InlineData("ff ff ff fc", "EOS")] // EOS is 30 ones
    public void HuffmanDecode_BadPaddingOrEos_Refused(string hex, string reason)
    {
        var e = Assert.Throws<HpackException>(() => HpackHuffman.Decode(Hex(hex)));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("80", "index 0")]
    [InlineData("be", "beyond the tables")]
    [InlineData("3fe21f", "size update to 4097")]
    [InlineData("82 20", "after a header field")]
    [InlineData("ff ff ff ff ff 0f", "larger than 2^28")]
    [InlineData("40 7f 00", "where")]
    public void Decode_BrokenBlocks_FailCleanly(string hex, string reason)
    {
        var e = Assert.Throws<HpackException>(() => new HpackDecoder().Decode(Hex(hex)));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeThenDecode_RandomHeaderLists_GiveTheHeadersBack()
    {
        var random = new Random(7541);
        var encoder = new HpackEncoder(256);
        var decoder = new HpackDecoder(256);
        for (var block = 0; block < 500; block++)
        {
            var headers = Enumerable.Range(0, random.Next(1, 12)).Select(_ => (Name: Word(random, 1, 12), Value: Word(random, 0, 60))).ToList();
            if (random.Next(4) == 0)
                headers.Add((":method", "GET"));
            var encoded = encoder.Encode(headers, huffman: random.Next(2) == 0);
            Assert.Equal(headers, decoder.Decode(encoded).Select(f => (f.Name, f.Value)));
            Assert.Equal(encoder.Table.Entries, decoder.Table.Entries);
        }
    }

    [Fact]
    public void Decode_AnyBytes_DecodesOrFailsCleanlyWithinBounds()
    {
        var random = new Random(17);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            var decoder = new HpackDecoder(4096, maxHeaderListSize: 16 * 1024);
            try
            {
                var fields = decoder.Decode(bytes);
                Assert.True(fields.Sum(f => f.Size) <= 16 * 1024);
            }
            catch (HpackException)
            {
            }
        }
    }

    private static string Word(Random random, int min, int max)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz0123456789-_.~/%";
        return new string([.. Enumerable.Range(0, random.Next(min, max)).Select(_ => letters[random.Next(letters.Length)])]);
    }
}
