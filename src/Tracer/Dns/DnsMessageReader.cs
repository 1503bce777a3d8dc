using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Dns;

/// <summary>
/// Reads a DNS message (RFC 1035 §4.1, EDNS's OPT of RFC 6891) field by field: the records the tracer acts on, and each
/// field's place, value and purpose for the byte view. Reads only what is there: a name's compression pointer must
/// point back, a name is at most 255 bytes, a record's data must fit the message; a message that breaks a rule is
/// malformed, with the fields read before it.
/// </summary>
internal static class DnsMessageReader
{
    private const int MaxNameLength = 255;
    private const int MaxPointers = 64;

    /// <summary>The most records read from one message: a 64 KiB answer could hold thousands, each a dozen fields.</summary>
    internal const int MaxRecords = 100;

    /// <summary>Reads <paramref name="message"/>; never throws on its content.</summary>
    public static DnsWireMessage Read(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var fields = new List<ByteField>();
        var sections = new[] { new List<DnsWireRecord>(), new List<DnsWireRecord>(), new List<DnsWireRecord>() };
        if (message.Length < 12)
            return new DnsWireMessage(message.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(message) : (ushort)0, false, false, false, false, false, 0, [], [], [],
                [Rest(message, 0)], $"{message.Length} bytes is shorter than a DNS header (12 bytes)");

        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2));
        var counts = Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(4 + (2 * i)))).ToArray();
        var response = (flags & 0x8000) != 0;
        var rcode = flags & 0x000F;
        fields.Add(new ByteField(0, 2, "ID", $"0x{id:x4}", "Chosen at random by the client and copied into the answer, which is how the answer is matched to its query.", id, []));
        fields.Add(new ByteField(2, 2, "Flags", $"0x{flags:x4}", "What kind of message this is and how it was answered.", flags, Flags(flags, response)));
        string[] countNames = ["Questions", "Answer records", "Authority records", "Additional records"];
        string[] countWhy =
        [
            "How many questions follow (always one in practice).",
            "Records that answer the question.",
            "Records naming the servers of the zone that holds the name (a referral, or the zone's own servers).",
            "Records that help: the name servers' addresses (glue), and EDNS's OPT.",
        ];
        for (var i = 0; i < 4; i++)
            fields.Add(new ByteField(4 + (2 * i), 2, countNames[i], counts[i].ToString(CultureInfo.InvariantCulture), countWhy[i], counts[i], []));

        var offset = 12;
        string? malformed = null;
        try
        {
            for (var q = 0; q < counts[0]; q++)
                offset = Question(message, offset, fields);
            string[] sectionNames = ["Answer", "Authority", "Additional"];
            var read = 0;
            for (var s = 0; s < 3; s++)
            {
                for (var r = 0; r < counts[s + 1]; r++)
                {
                    if (++read > MaxRecords)
                    {
                        fields.Add(new ByteField(offset, message.Length - offset, "More records", $"{counts[1] + counts[2] + counts[3] - MaxRecords} more, not read",
                            $"FlowTrace reads the first {MaxRecords} records of a message.", null, []));
                        offset = message.Length;
                        s = 3;
                        break;
                    }

                    var (next, record) = Record(message, offset, $"{sectionNames[s]} {r + 1}", fields, r + 1, sectionNames[s]);
                    offset = next;
                    if (record is not null)
                        sections[s].Add(record);
                }
            }

            if (offset < message.Length)
                fields.Add(new ByteField(offset, message.Length - offset, "Trailing bytes", $"{message.Length - offset} bytes", "Bytes after the last record the header counts: not part of the message.", null, []));
        }
        catch (MalformedException e)
        {
            malformed = e.Message;
            if (e.At < message.Length)
                fields.Add(Rest(message, e.At));
        }

        return new DnsWireMessage(id, response, (flags & 0x0400) != 0, (flags & 0x0200) != 0, (flags & 0x0100) != 0, (flags & 0x0080) != 0, rcode,
            sections[0], sections[1], sections[2], fields, malformed);
    }

    private static IReadOnlyList<ByteField> Flags(ushort flags, bool response)
    {
        var opcode = (flags >> 11) & 0xF;
        var rcode = flags & 0xF;
        return
        [
            Bit(flags, 15, "QR", response ? "1: response" : "0: query", "Query (0) or response (1)."),
            new ByteField(2, 1, "Opcode", opcode == 0 ? "0: standard query" : opcode.ToString(CultureInfo.InvariantCulture), "The kind of query; 0 is an ordinary lookup.", opcode, []),
            Bit(flags, 10, "AA", (flags & 0x0400) != 0 ? "1: authoritative" : "0", "Authoritative answer: the server holds the zone, it did not ask anyone."),
            Bit(flags, 9, "TC", (flags & 0x0200) != 0 ? "1: truncated" : "0", "Truncated: the answer did not fit a UDP message; the client asks again over TCP."),
            Bit(flags, 8, "RD", (flags & 0x0100) != 0 ? "1: recursion desired" : "0: no recursion", "Recursion desired: the client asks the server to find the answer for it (a resolver does; a lookup from the root does not ask)."),
            Bit(flags, 7, "RA", (flags & 0x0080) != 0 ? "1: recursion available" : "0", "Recursion available: the server is a resolver that will look names up for clients."),
            new ByteField(3, 1, "RCODE", $"{rcode}: {DnsNames.ResponseCodeName(rcode)}", "The outcome: 0 NoError, 2 ServFail (the resolver failed), 3 NXDomain (no such name), 5 Refused.", rcode, []),
        ];
    }

    private static ByteField Bit(ushort flags, int bit, string name, string value, string why) =>
        new(bit >= 8 ? 2 : 3, 1, name, value, why, (flags >> bit) & 1, []);

    private static int Question(byte[] m, int offset, List<ByteField> fields)
    {
        var (name, end) = Name(m, offset);
        Need(m, end, 4, "the question's type and class");
        var type = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(end));
        var @class = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(end + 2));
        fields.Add(new ByteField(offset, end + 4 - offset, "Question", $"{Shown(name)} {DnsNames.TypeName(type)} {DnsNames.ClassName(@class)}", "What is asked: a name and the kind of record wanted.", null,
        [
            NameField(offset, end, name, "The name asked for, as labels: each is a length byte and that many characters, ending with a zero byte (the root)."),
            new ByteField(end, 2, "Type", $"{DnsNames.TypeName(type)} ({type})", "The kind of record wanted: A for an IPv4 address, AAAA for IPv6.", type, []),
            new ByteField(end + 2, 2, "Class", $"{DnsNames.ClassName(@class)} ({@class})", "The Internet class; the others are historical.", @class, []),
        ]));
        return end + 4;
    }

    private static (int Next, DnsWireRecord? Record) Record(byte[] m, int offset, string title, List<ByteField> fields, int index, string section)
    {
        var (name, end) = Name(m, offset);
        Need(m, end, 10, $"the header of {section.ToLowerInvariant()} record {index}");
        var type = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(end));
        var @class = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(end + 2));
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(end + 4));
        var length = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(end + 8));
        var data = end + 10;
        if (data + length > m.Length)
            throw new MalformedException($"{section.ToLowerInvariant()} record {index} claims {length} bytes of data where {m.Length - data} remain", end + 8);

        if (type == DnsNames.Opt)
        {
            // EDNS (RFC 6891): the class carries the largest UDP answer the sender accepts, the TTL the extended flags.
            fields.Add(new ByteField(offset, data + length - offset, $"{title}: OPT (EDNS)", $"UDP payload up to {@class} bytes", "EDNS: a pseudo-record that lets answers grow past 512 bytes over UDP.", type,
            [
                NameField(offset, end, name, "Always the root."),
                new ByteField(end, 2, "Type", "OPT (41)", "", type, []),
                new ByteField(end + 2, 2, "UDP payload size", @class.ToString(CultureInfo.InvariantCulture), "The largest UDP message the sender accepts; larger answers come truncated.", @class, []),
                new ByteField(end + 4, 4, "Extended RCODE and flags", $"0x{ttl:x8}", "Version 0 of EDNS; the DO bit asks for DNSSEC signatures.", ttl, []),
                new ByteField(end + 8, 2, "Data length", length.ToString(CultureInfo.InvariantCulture), "Options follow (none, usually).", length, []),
            ]));
            return (data + length, null);
        }

        var (value, address, target) = Data(m, type, data, length);
        var typeName = DnsNames.TypeName(type);
        fields.Add(new ByteField(offset, data + length - offset, $"{title}: {typeName}", $"{Shown(name)} → {value}", RecordWhy(type), type,
        [
            NameField(offset, end, name, m[offset] >= 0xC0 ? "The owner name, compressed: a pointer (two bytes starting 0b11) to where the name was written before." : "The owner name, as labels."),
            new ByteField(end, 2, "Type", $"{typeName} ({type})", "", type, []),
            new ByteField(end + 2, 2, "Class", $"{DnsNames.ClassName(@class)} ({@class})", "", @class, []),
            new ByteField(end + 4, 4, "TTL", $"{ttl} s", "How long anyone may cache this record before asking again.", ttl, []),
            new ByteField(end + 8, 2, "Data length", length.ToString(CultureInfo.InvariantCulture), "How many bytes the record's data takes.", length, []),
            new ByteField(data, length, "Data", value, DataWhy(type), null, []),
        ]));
        return (data + length, new DnsWireRecord(name, type, ttl, value, address, target));
    }

    private static (string Value, IPAddress? Address, string? Target) Data(byte[] m, ushort type, int data, int length)
    {
        switch (type)
        {
            case DnsNames.A when length == 4:
            case DnsNames.Aaaa when length == 16:
                var address = new IPAddress(m.AsSpan(data, length));
                return (address.ToString(), address, null);
            case DnsNames.A or DnsNames.Aaaa:
                throw new MalformedException($"an {DnsNames.TypeName(type)} record holds {length} bytes, not {(type == DnsNames.A ? 4 : 16)}", data);
            case DnsNames.Cname or DnsNames.Ns:
                var (target, end) = Name(m, data);
                if (end != data + length)
                    throw new MalformedException($"a {DnsNames.TypeName(type)} record's name does not fill its {length} bytes of data", data);
                return (target, null, target);
            default:
                return (Convert.ToHexStringLower(m, data, Math.Min(length, 64)) + (length > 64 ? "…" : ""), null, null);
        }
    }

    /// <summary>A name at <paramref name="offset"/>, following compression pointers (RFC 1035 §4.1.4) only backwards.</summary>
    private static (string Name, int End) Name(byte[] m, int offset)
    {
        var labels = new List<string>();
        var position = offset;
        var end = -1;
        var length = 1;
        for (var pointers = 0; ;)
        {
            Need(m, position, 1, "a name");
            var size = m[position];
            if (size == 0)
            {
                end = end < 0 ? position + 1 : end;
                break;
            }

            if ((size & 0xC0) == 0xC0)
            {
                Need(m, position, 2, "a name's pointer");
                var target = ((size & 0x3F) << 8) | m[position + 1];
                if (target >= position || ++pointers > MaxPointers)
                    throw new MalformedException($"a name's compression pointer at byte {position} points forward or loops", position);
                end = end < 0 ? position + 2 : end;
                position = target;
                continue;
            }

            if ((size & 0xC0) != 0)
                throw new MalformedException($"a label at byte {position} has the reserved length prefix 0x{size:x2}", position);
            Need(m, position + 1, size, "a label");
            length += size + 1;
            if (length > MaxNameLength)
                throw new MalformedException($"a name is longer than {MaxNameLength} bytes", position);
            labels.Add(Label(m.AsSpan(position + 1, size)));
            position += size + 1;
        }

        return (string.Join('.', labels), end);
    }

    /// <summary>A label as text, escaped as RFC 1035 §5.1 writes names in master files (\. and \DDD), so that a
    /// server's bytes can neither hide a dot inside a label nor put control characters on a terminal.</summary>
    private static string Label(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is (byte)'.' or (byte)'\\')
                text.Append('\\').Append((char)b);
            else if (b is > 0x20 and < 0x7F)
                text.Append((char)b);
            else
                text.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static void Need(byte[] m, int at, int count, string what)
    {
        if (at + count > m.Length)
            throw new MalformedException($"the message ends inside {what} (byte {at}, {m.Length} bytes in all)", Math.Min(at, m.Length));
    }

    private static ByteField NameField(int offset, int end, string name, string why) =>
        new(offset, end - offset, "Name", Shown(name), why, null, []);

    private static ByteField Rest(byte[] m, int at) =>
        new(at, m.Length - at, "Unreadable", $"{m.Length - at} bytes", "From here the bytes do not follow the DNS message format.", null, []);

    private static string Shown(string name) => name.Length == 0 ? "." : name;

    private static string RecordWhy(int type) => type switch
    {
        DnsNames.A => "An IPv4 address of the name.",
        DnsNames.Aaaa => "An IPv6 address of the name.",
        DnsNames.Cname => "An alias: the name is another name's, asked for in turn.",
        DnsNames.Ns => "A server of the zone named: in a referral, where to ask next.",
        DnsNames.Soa => "The zone's start of authority: in a negative answer, how long the absence may be cached.",
        _ => "A record of a type FlowTrace shows as bytes.",
    };

    private static string DataWhy(int type) => type switch
    {
        DnsNames.A => "Four bytes, one per number of the dotted address.",
        DnsNames.Aaaa => "Sixteen bytes of the IPv6 address.",
        DnsNames.Cname or DnsNames.Ns => "A name, as labels (often compressed with a pointer).",
        _ => "",
    };

    private sealed class MalformedException(string message, int at) : Exception(message)
    {
        public int At { get; } = at;
    }
}
