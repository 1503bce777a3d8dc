using FlowTrace.Tracer.Dns;

namespace FlowTrace.Tracer.Tests.Dns;

public sealed class DnsMessageReaderTests
{
    [Fact]
    public void Read_QueryTheTracerWrites_EveryFieldNamedAndTheQuestionBack()
    {
        var query = DnsQueryWriter.Write(0xbeef, "www.example.test", DnsNames.Aaaa, recursionDesired: true);
        var read = DnsMessageReader.Read(query);
        Assert.Null(read.Malformed);
        Assert.Equal((ushort)0xbeef, read.Id);
        Assert.True(read.RecursionDesired);
        Assert.False(read.Response);
        Assert.Equal(["ID", "Flags", "Questions", "Answer records", "Authority records", "Additional records", "Question", "Additional 1: OPT (EDNS)"], read.Fields.Select(f => f.Name));
        Assert.Equal("www.example.test AAAA IN", read.Fields.Single(f => f.Name == "Question").Value);
        // Fields tile the message: each starts where the one before ended.
        var top = read.Fields.ToList();
        Assert.Equal(query.Length, top.Sum(f => f.Length));
        for (var i = 1; i < top.Count; i++)
            Assert.Equal(top[i - 1].Offset + top[i - 1].Length, top[i].Offset);
    }

    [Fact]
    public void Read_PointerLoop_MalformedInsteadOfLooping()
    {
        // A question whose name is a pointer to itself.
        byte[] message = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1];
        var read = DnsMessageReader.Read(message);
        Assert.Contains("points forward or loops", read.Malformed, StringComparison.Ordinal);
        Assert.Equal("Unreadable", read.Fields[^1].Name);
    }

    [Fact]
    public void Read_RecordClaimingMoreDataThanThereIs_MalformedSayingHowMuch()
    {
        byte[] message = [0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 30, 0, 200, 127, 0, 0, 1];
        var read = DnsMessageReader.Read(message);
        Assert.Equal("answer record 1 claims 200 bytes of data where 4 remain", read.Malformed);
    }

    [Fact]
    public void Read_LabelWithADotAndControlCharacters_EscapedAsMasterFilesWriteThem()
    {
        // One label "a.b" then "x\x1b[31m": a dot inside a label, and a terminal escape sequence.
        byte[] question = [3, (byte)'a', (byte)'.', (byte)'b', 6, (byte)'x', 0x1b, (byte)'[', (byte)'3', (byte)'1', (byte)'m', 0, 0, 1, 0, 1];
        byte[] message = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, .. question];
        var read = DnsMessageReader.Read(message);
        Assert.Null(read.Malformed);
        Assert.Equal("a\\.b.x\\027[31m A IN", read.Fields.Single(f => f.Name == "Question").Value);
    }

    [Fact]
    public void Read_ThousandsOfRecords_ReadsTheFirstHundredAndSaysHowManyMore()
    {
        var records = Enumerable.Range(0, 1000).SelectMany(_ => new byte[] { 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 127, 0, 0, 1 }).ToArray();
        byte[] message = [0, 1, 0x81, 0x80, 0, 0, 0x03, 0xE8, 0, 0, 0, 0, .. records];
        var read = DnsMessageReader.Read(message);
        Assert.Null(read.Malformed);
        Assert.Equal(DnsMessageReader.MaxRecords, read.Answers.Count);
        Assert.Equal("900 more, not read", read.Fields[^1].Value);
    }

    [Fact]
    public void Read_AnyBytes_NeverThrowsAndStaysWithinTheMessage()
    {
        var random = new Random(7541);
        var valid = DnsQueryWriter.Write(1, "a.b.c.test", DnsNames.A, true);
        for (var i = 0; i < 20_000; i++)
        {
            byte[] message;
            if (i % 2 == 0)
            {
                message = new byte[random.Next(0, 300)];
                random.NextBytes(message);
            }
            else
            {
                // A valid message with a few bytes changed: the reader gets deep before it meets the damage.
                message = [.. valid];
                for (var k = 0; k < 3; k++)
                    message[random.Next(message.Length)] = (byte)random.Next(256);
            }

            var read = DnsMessageReader.Read(message);
            Assert.All(read.Fields, f => Assert.True(f.Offset >= 0 && f.Length >= 0 && f.Offset + f.Length <= message.Length, $"{f.Name} at {f.Offset}+{f.Length} of {message.Length}"));
        }
    }
}
