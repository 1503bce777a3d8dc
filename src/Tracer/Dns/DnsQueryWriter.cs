using System.Buffers.Binary;
using System.Text;

namespace FlowTrace.Tracer.Dns;

/// <summary>Writes a query as stub resolvers send it: one question, recursion desired or not, and EDNS's OPT record
/// offering answers of up to <see cref="UdpPayloadSize"/> bytes (the size DNS Flag Day 2020 settled on).</summary>
internal static class DnsQueryWriter
{
    /// <summary>The largest UDP answer offered.</summary>
    public const ushort UdpPayloadSize = 1232;

    /// <summary>The query's bytes; <paramref name="name"/> must be a valid ASCII name (the tracer checks it first).</summary>
    public static byte[] Write(ushort id, string name, ushort type, bool recursionDesired)
    {
        var message = new List<byte>(64);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        header[2] = (byte)(recursionDesired ? 0x01 : 0x00);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], 1); // one question
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], 1); // one additional record: OPT
        message.AddRange(header);
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            message.Add((byte)label.Length);
            message.AddRange(Encoding.ASCII.GetBytes(label));
        }

        message.Add(0);
        message.AddRange([(byte)(type >> 8), (byte)type, 0, 1]); // type, class IN
        // OPT: the root name, type 41, the UDP payload size as class, TTL 0 (version 0, no DO bit), no options.
        message.AddRange([0, 0, (byte)DnsNames.Opt, UdpPayloadSize >> 8, UdpPayloadSize & 0xFF, 0, 0, 0, 0, 0, 0]);
        return [.. message];
    }
}
