using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlowTrace.Lab.Dns;

/// <summary>Just enough of the DNS wire format (RFC 1035) for an authoritative lab server.</summary>
internal static class DnsMessage
{
    public const ushort TypeA = 1;
    public const ushort TypeNs = 2;
    public const ushort TypeCname = 5;
    public const ushort TypeAaaa = 28;
    public const byte NoError = 0;
    public const byte FormatError = 1;
    public const byte NameError = 3;
    public const byte Refused = 5;

    /// <summary>Reads the question of a query; null when the message is not a query we can answer.</summary>
    public static (ushort Id, string Name, ushort Type, int QuestionEnd, bool RecursionDesired)? ReadQuestion(ReadOnlySpan<byte> message)
    {
        if (message.Length < 12 || (message[2] & 0x80) != 0 || BinaryPrimitives.ReadUInt16BigEndian(message[4..]) != 1)
            return null;
        var offset = 12;
        var labels = new List<string>();
        while (true)
        {
            if (offset >= message.Length)
                return null;
            var length = message[offset++];
            if (length == 0)
                break;
            if (length > 63 || offset + length > message.Length)
                return null;
            labels.Add(Encoding.ASCII.GetString(message.Slice(offset, length)));
            offset += length;
        }

        if (offset + 4 > message.Length)
            return null;
        var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        return (BinaryPrimitives.ReadUInt16BigEndian(message), string.Join('.', labels), type, offset + 4, (message[2] & 1) != 0);
    }

    /// <summary>Builds an authoritative answer for a question from the zone.</summary>
    public static byte[] Answer(ReadOnlySpan<byte> query, LabZone zone)
    {
        var question = ReadQuestion(query);
        if (question is not { } q)
            return Header(query.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(query) : (ushort)0, FormatError, false, 0, 0).ToArray();

        var answers = new List<byte[]>();
        var additional = new List<byte[]>();
        byte rcode;
        if (!zone.Contains(q.Name))
            rcode = Refused;
        else if (!zone.Exists(q.Name))
            rcode = NameError;
        else
        {
            rcode = NoError;
            var current = q.Name;
            for (var depth = 0; depth < 16 && zone.AliasOf(current) is { } target; depth++)
            {
                answers.Add(Record(current, TypeCname, zone.AliasTtl, EncodeName(target)));
                current = target;
            }

            if (q.Type is TypeA or TypeAaaa)
            {
                var family = q.Type == TypeA ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                foreach (var address in zone.AddressesOf(current).Where(a => a.AddressFamily == family))
                    answers.Add(Record(current, q.Type, zone.AddressTtl, address.GetAddressBytes()));
            }
            else if (q.Type == TypeNs && current.Equals(zone.Origin, StringComparison.OrdinalIgnoreCase) && zone.NameServer is { } ns)
            {
                answers.Add(Record(zone.Origin, TypeNs, zone.AddressTtl, EncodeName(ns)));
                additional.AddRange(zone.AddressesOf(ns).Select(a => Record(ns, a.AddressFamily == AddressFamily.InterNetwork ? TypeA : TypeAaaa, zone.AddressTtl, a.GetAddressBytes())));
            }
        }

        return Message(query, q, rcode, authoritative: true, answers, [], additional);
    }

    /// <summary>Answers as a delegating zone (the root, a top-level domain): a referral to the child zone the name is in,
    /// with its server's address as glue; the zone's own servers for its apex's NS; NXDOMAIN for anything else.</summary>
    public static byte[] Refer(ReadOnlySpan<byte> query, DelegatingZone zone)
    {
        var question = ReadQuestion(query);
        if (question is not { } q)
            return Header(query.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(query) : (ushort)0, FormatError, false, 0, 0).ToArray();
        if (!DelegatingZone.IsWithin(q.Name, zone.Origin))
            return Message(query, q, Refused, authoritative: false, [], [], []);
        // Its own server's address, which a client starting from this server asks it first (dig +trace does).
        if (q.Name.TrimEnd('.').Equals(zone.NameServer, StringComparison.OrdinalIgnoreCase))
            return Message(query, q, NoError, authoritative: true,
                q.Type == (zone.Address.AddressFamily == AddressFamily.InterNetwork ? TypeA : TypeAaaa) ? [Glue(zone.NameServer, zone.Address)] : [], [], []);
        if (zone.ChildOf(q.Name) is { } child)
            return Message(query, q, NoError, authoritative: false, [],
                [Record(child.Zone, TypeNs, DelegatingZone.Ttl, EncodeName(child.NameServer))], [Glue(child.NameServer, child.Address)]);
        if (q.Name.TrimEnd('.').Equals(zone.Origin, StringComparison.OrdinalIgnoreCase) && q.Type == TypeNs)
            return Message(query, q, NoError, authoritative: true,
                [Record(zone.Origin, TypeNs, DelegatingZone.Ttl, EncodeName(zone.NameServer))], [], [Glue(zone.NameServer, zone.Address)]);
        return Message(query, q, q.Name.TrimEnd('.').Equals(zone.Origin, StringComparison.OrdinalIgnoreCase) ? NoError : NameError, authoritative: true, [], [], []);
    }

    private static byte[] Glue(string name, IPAddress address) =>
        Record(name, address.AddressFamily == AddressFamily.InterNetwork ? TypeA : TypeAaaa, DelegatingZone.Ttl, address.GetAddressBytes());

    private static byte[] Message(ReadOnlySpan<byte> query, (ushort Id, string Name, ushort Type, int QuestionEnd, bool RecursionDesired) q, byte rcode, bool authoritative,
        List<byte[]> answers, List<byte[]> authority, List<byte[]> additional)
    {
        using var output = new MemoryStream();
        var header = Header(q.Id, rcode, q.RecursionDesired, 1, (ushort)answers.Count, authoritative);
        BinaryPrimitives.WriteUInt16BigEndian(header[8..], (ushort)authority.Count);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], (ushort)additional.Count);
        output.Write(header);
        output.Write(query[12..q.QuestionEnd]);
        foreach (var record in answers.Concat(authority).Concat(additional))
            output.Write(record);
        return output.ToArray();
    }

    private static Span<byte> Header(ushort id, byte rcode, bool recursionDesired, ushort questions, ushort answers, bool authoritative = true)
    {
        var header = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        header[2] = (byte)(0x80 | (authoritative ? 0x04 : 0) | (recursionDesired ? 1 : 0)); // QR, AA, RD copied
        header[3] = rcode;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), questions);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), answers);
        return header;
    }

    private static byte[] Record(string name, ushort type, int ttl, byte[] data)
    {
        var encodedName = EncodeName(name);
        var record = new byte[encodedName.Length + 10 + data.Length];
        encodedName.CopyTo(record, 0);
        var offset = encodedName.Length;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(offset), type);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(offset + 2), 1);
        BinaryPrimitives.WriteInt32BigEndian(record.AsSpan(offset + 4), ttl);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(offset + 8), (ushort)data.Length);
        data.CopyTo(record, offset + 10);
        return record;
    }

    private static byte[] EncodeName(string name)
    {
        using var output = new MemoryStream();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            output.WriteByte((byte)bytes.Length);
            output.Write(bytes);
        }

        output.WriteByte(0);
        return output.ToArray();
    }
}
